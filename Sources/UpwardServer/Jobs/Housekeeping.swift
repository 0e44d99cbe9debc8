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

/// Runs a job every `interval` while `serve` runs (housekeeping, delivery). A failed run is
/// logged and the next one comes on time; while the demo seeds, runs are skipped.
final class RepeatingJob: LifecycleHandler {
    let name: String
    let interval: TimeInterval
    let initialDelay: TimeInterval
    /// When set, the job runs once per interval across all instances on the database (see ``JobLease``).
    let leased: Bool
    /// One run; returns a line worth logging, or nil.
    let work: @Sendable (Application) async throws -> String?
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)
    /// The run under way, or the last one.
    private let running = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)

    init(
        name: String, every interval: TimeInterval, after initialDelay: TimeInterval, leased: Bool = false,
        work: @escaping @Sendable (Application) async throws -> String?
    ) {
        self.name = name
        self.interval = interval
        self.initialDelay = initialDelay
        self.leased = leased
        self.work = work
    }

    func didBoot(_ app: Application) throws {
        let loop = app.eventLoopGroup.any()
        let (name, work, leased, interval, running) = (name, work, leased, interval, running)
        let scheduled = loop.scheduleRepeatedAsyncTask(
            initialDelay: .milliseconds(Int64(initialDelay * 1000)), delay: .milliseconds(Int64(interval * 1000))
        ) { _ in
            let run = loop.makeFutureWithTask {
                // The demo holds background jobs while it seeds (SQLite has one writer).
                guard !app.backgroundJobsHeld.withLockedValue({ $0 }) else { return }
                do {
                    if leased {
                        let lease = JobLease(db: app.db, holder: app.upward.configuration.instanceName)
                        // Most of an interval: the next tick, on whichever instance, finds it free again.
                        guard try await lease.take(name, for: interval * 0.8, now: app.upward.clock.now) else {
                            app.metrics.job(name, outcome: "elsewhere")
                            return
                        }
                    }
                    // Timed whether it finishes or fails; a tick that found the lease elsewhere returned above.
                    let started = ContinuousClock.now
                    defer { app.metrics.jobRan(name, duration: ContinuousClock.now - started) }
                    if let line = try await work(app) { app.logger.info("\(name): \(line)") }
                    app.metrics.job(name, outcome: "ok")
                } catch {
                    app.logger.error("\(name) failed: \(String(reflecting: error))")
                    app.metrics.job(name, outcome: "failed")
                }
            }
            running.withLockedValue { $0 = run }
            return run
        }
        task.withLockedValue { $0 = scheduled }
    }

    func shutdown(_ app: Application) {
        task.withLockedValue { $0?.cancel() }
    }

    /// No run starts after this, and one under way finishes first: the databases close after the
    /// lifecycle handlers, and a run still asking for a connection then would open one nobody closes.
    func shutdownAsync(_ app: Application) async {
        guard let scheduled = task.withLockedValue({ $0 }) else { return }
        let cancelled = app.eventLoopGroup.any().makePromise(of: Void.self)
        scheduled.cancel(promise: cancelled)
        try? await cancelled.futureResult.get()
        try? await running.withLockedValue({ $0 })?.get()
    }

    static func housekeeping(every interval: TimeInterval) -> RepeatingJob {
        RepeatingJob(name: "housekeeping", every: interval, after: 5, leased: true) { app in
            let report = try await Housekeeping(db: app.db, environment: app.upward).run()
            return report.expiredSessions > 0 ? "removed \(report.expiredSessions) expired sessions" : nil
        }
    }

    static func delivery(every interval: TimeInterval) -> RepeatingJob {
        RepeatingJob(name: "delivery", every: interval, after: 10) { app in
            let report = try await app.outbox.runOnce()
            for (outcome, count) in [("sent", report.sent), ("retry", report.retried), ("failed", report.failed), ("interrupted", report.interrupted)] {
                for _ in 0..<count { app.metrics.delivery(outcome) }
            }
            return report.sent + report.failed + report.retried > 0
                ? "\(report.sent) sent, \(report.retried) to retry, \(report.failed) failed" : nil
        }
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
