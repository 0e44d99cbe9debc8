import Foundation
import NIOConcurrencyHelpers

/// The current time, injected so tests can move it.
public protocol UpwardClock: Sendable {
    var now: Date { get }
}

public struct SystemClock: UpwardClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that stands still until a test moves it.
public final class FixedClock: UpwardClock {
    private let current: NIOLockedValueBox<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = .init(start) }
    public var now: Date { current.withLockedValue { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLockedValue { $0 += seconds } }
}
