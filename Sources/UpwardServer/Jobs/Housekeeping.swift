import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Removes expired sessions and sign-in attempts older than any rate-limit window. Every step
/// deletes by time, so several instances may run it at once.
struct Housekeeping {
    let db: any Database
    let environment: UpwardEnvironment

    struct Report: Sendable, Equatable {
        var expiredSessions: Int
    }

    @discardableResult
    func run() async throws -> Report {
        let expired = try await SessionStore(db: db, clock: environment.clock).deleteExpired()
        try await Accounts.deleteOldAttempts(on: db, now: environment.clock.now, window: environment.configuration.loginWindow)
        // Mentee requests not answered in time pass to their next choice.
        try await Suggestions(db: db, clock: environment.clock).passOverdue()
        // Pair health: managers hear when a pair starts to need a check-in.
        try await PairHealthMonitor(db: db, clock: environment.clock, pulseEveryDays: environment.configuration.pulseEveryDays).run()
        return Report(expiredSessions: expired)
    }

}

/// Runs ``Housekeeping`` every `interval` while `serve` runs.
final class HousekeepingSchedule: LifecycleHandler {
    let interval: TimeInterval
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    init(interval: TimeInterval) { self.interval = interval }

    func didBoot(_ app: Application) throws {
        let delay = TimeAmount.seconds(Int64(interval))
        let loop = app.eventLoopGroup.any()
        let scheduled = loop.scheduleRepeatedAsyncTask(initialDelay: .seconds(5), delay: delay) { _ in
            loop.makeFutureWithTask {
                // The demo holds background jobs while it seeds (SQLite has one writer).
                guard !app.backgroundJobsHeld.withLockedValue({ $0 }) else { return }
                do {
                    let report = try await Housekeeping(db: app.db, environment: app.upward).run()
                    if report.expiredSessions > 0 { app.logger.info("housekeeping: removed \(report.expiredSessions) expired sessions") }
                } catch {
                    app.logger.error("housekeeping failed: \(String(reflecting: error))")
                }
            }
        }
        task.withLockedValue { $0 = scheduled }
    }

    func shutdown(_ app: Application) {
        task.withLockedValue { $0?.cancel() }
    }
}

extension Application {
    private struct BackgroundJobsHeldKey: StorageKey {
        typealias Value = NIOLockedValueBox<Bool>
    }

    /// While true, scheduled housekeeping and delivery skip their runs (the demo seeds first).
    var backgroundJobsHeld: NIOLockedValueBox<Bool> {
        if let box = storage[BackgroundJobsHeldKey.self] { return box }
        let box = NIOLockedValueBox(false)
        storage[BackgroundJobsHeldKey.self] = box
        return box
    }
}
