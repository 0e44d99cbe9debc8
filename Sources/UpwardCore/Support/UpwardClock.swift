import Foundation

/// The current time, injected so tests can move it.
public protocol UpwardClock: Sendable {
    var now: Date { get }
}

/// The real clock.
public struct SystemClock: UpwardClock {
    public init() {}
    public var now: Date { Date() }
}
