import Vapor

/// What every part of the app reads from the application: configuration and injected side effects.
public struct UpwardEnvironment: Sendable {
    public var configuration: UpwardConfiguration
    public var clock: any UpwardClock

    public init(configuration: UpwardConfiguration, clock: any UpwardClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
    }
}

extension Application {
    private struct UpwardKey: StorageKey {
        typealias Value = UpwardEnvironment
    }

    /// Set once by `configure`; reading it before is a programming error.
    public var upward: UpwardEnvironment {
        get {
            guard let value = storage[UpwardKey.self] else { fatalError("configure(_:) has not run") }
            return value
        }
        set { storage[UpwardKey.self] = newValue }
    }
}

extension Request {
    var upward: UpwardEnvironment { application.upward }
}
