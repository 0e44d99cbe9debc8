import FluentKit
import Foundation
import NIOCore
import SQLKit
import Synchronization

/// Lets one write transaction at a time into SQLite from this process, first come first served,
/// and commits the writers that queue up together (group commit).
///
/// SQLite has one writer. Two connections that both want to write meet its lock, and the loser
/// waits in SQLite's busy handler: asleep on a thread of the small pool that runs every statement,
/// in steps of up to 100 ms, while the requests queued on its connection wait too. Under a write
/// mix that sleeping, not work, set the pace. Here a writer waits its turn before it takes a
/// connection, suspended, and is woken the moment the writer before it commits. Other processes
/// (a command run beside the server) still meet SQLite's lock and its busy timeout.
///
/// **Group commit.** With a writer's connection (a file database), writers that arrive while a
/// batch runs wait, and the next batch takes up to ``maxBatch`` of them, in order, into one
/// transaction on that connection: each in a savepoint of its own, so one that fails is rolled
/// back alone and its caller gets its own error, and a single-statement write (atomic in SQLite
/// by itself) without one. One COMMIT (one fsync, with `synchronous = FULL`) then makes the whole
/// batch durable, and only then is any of its callers told; if the COMMIT fails, every caller of
/// the batch is told it failed. A batch is led by the task of its first writer, which hands the
/// lead to the first writer still waiting when its batch is done.
///
/// A batch's statements run one after another, each awaited: with an `executor` (the writer's own
/// event loop, see ``SQLiteWriter``) every step of the batch continues there at once, instead of
/// queueing behind the requests on the server's loops.
///
/// A writer that waited longer than `timeout` (the busy timeout) before its batch began gives up
/// with ``DatabaseOutage/Timeout``, a 503 with Retry-After, as SQLite's own wait would.
final class WriteGate: Sendable {
    /// The most writers committed together.
    static let maxBatch = 32

    private enum Wake: Sendable {
        case lead
        case done(Result<any Sendable, any Error>)
    }

    private final class Job: Sendable {
        enum Work: Sendable {
            /// Runs alone, outside any transaction the gate opens (the caller brings its own).
            case turn(@Sendable () async throws -> any Sendable)
            /// Runs inside the batch's transaction; `single`: one statement, which needs no savepoint.
            case write(single: Bool, @Sendable (any Database) async throws -> any Sendable)
        }
        let ticket: UInt64
        let work: Work
        let loop: (any EventLoop)?
        /// Set once, before the job is queued or resumed (under the gate's lock).
        let continuation = Mutex<CheckedContinuation<Wake, Never>?>(nil)

        init(ticket: UInt64, work: Work, loop: (any EventLoop)?) {
            self.ticket = ticket
            self.work = work
            self.loop = loop
        }

        var isWrite: Bool {
            if case .write = work { return true }
            return false
        }
    }

    private struct State {
        /// A batch is running or its leader is being woken.
        var leading = false
        var queue: [Job] = []
        var lastTicket: UInt64 = 0
        /// Wakes decided under the lock for jobs that had not yet suspended.
        var early: [UInt64: Wake] = [:]
        /// The waiting writer handed the lead, which no longer times out.
        var designated: UInt64?
    }

    private let state = Mutex(State())
    let timeout: Duration
    /// The connections write transactions run on, for an event loop; nil: the caller's own, one
    /// writer at a time without group commit.
    let writer: (@Sendable (any EventLoop) -> (any Database)?)?

    /// Where a batch of writes runs its steps (the writer's own event loop); nil: wherever its leader runs.
    let executor: (any TaskExecutor)?
    /// Called after each batch with the number of writes it held (for metrics).
    let committed: (@Sendable (Int) -> Void)?
    /// Batches run and writes they held, since start (for tests).
    private let counts = Mutex((batches: 0, writes: 0))

    init(
        timeout: Duration, writer: (@Sendable (any EventLoop) -> (any Database)?)? = nil, executor: (any TaskExecutor)? = nil,
        committed: (@Sendable (Int) -> Void)? = nil
    ) {
        self.timeout = timeout
        self.writer = writer
        self.executor = executor
        self.committed = committed
    }

    /// Batches run and the writes they held, since start.
    var batches: (batches: Int, writes: Int) { counts.withLock { $0 } }

    /// Runs `body` as the only writer of this process, outside any transaction.
    func withTurn<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await submit(.turn { try await body() }, loop: nil)
    }

    /// Runs `body` in a write transaction on the writer's connection for `loop`, committed with the
    /// writers queued beside it. Nil when the gate has no writer's connection (the caller then takes
    /// a turn with ``withTurn(_:)`` and runs its own transaction).
    func transaction<T: Sendable>(on loop: any EventLoop, single: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T?
    {
        guard writer != nil else { return nil }
        let value: T = try await submit(.write(single: single) { try await body($0) }, loop: loop)
        return value
    }

    private func submit<T: Sendable>(_ work: Job.Work, loop: (any EventLoop)?) async throws -> T {
        let (job, lead) = state.withLock { state -> (Job, Bool) in
            state.lastTicket &+= 1
            let job = Job(ticket: state.lastTicket, work: work, loop: loop)
            state.queue.append(job)
            if state.leading { return (job, false) }
            state.leading = true
            return (job, true)
        }
        var wake: Wake = .lead
        if !lead {
            let timer = Task { [weak self, timeout] in
                try await Task.sleep(for: timeout)
                self?.giveUp(job.ticket)
            }
            wake = await withCheckedContinuation { continuation in
                let early = state.withLock { state -> Wake? in
                    if let wake = state.early.removeValue(forKey: job.ticket) { return wake }
                    job.continuation.withLock { $0 = continuation }
                    return nil
                }
                if let early { continuation.resume(returning: early) }
            }
            timer.cancel()
        }
        if case .lead = wake {
            wake = await leadOneBatch(own: job)
        }
        guard case .done(let result) = wake else { throw DatabaseOutage.Timeout() }
        let value = try result.get()
        guard let typed = value as? T else { throw WriteGateError.unexpectedResult }
        return typed
    }

    /// Runs the batch at the head of the queue (which begins with `own`), tells its writers, and
    /// hands the lead on. Returns `own`'s outcome.
    private func leadOneBatch(own: Job) async -> Wake {
        var ownOutcome: Wake?
        var wakes: [(Job, Wake)] = []
        // The queue begins with `own`; the loop is a guard, should it not.
        while ownOutcome == nil {
            let batch = state.withLock { state -> [Job] in
                state.designated = nil
                guard let first = state.queue.first else { return [] }
                guard first.isWrite else { return [state.queue.removeFirst()] }
                let count = min(Self.maxBatch, state.queue.prefix { $0.isWrite }.count)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            if batch.isEmpty { ownOutcome = .done(.failure(DatabaseOutage.Timeout())) }
            let outcomes = await run(batch)
            if !batch.isEmpty {
                counts.withLock {
                    $0.batches += 1
                    $0.writes += batch.count
                }
                committed?(batch.count)
            }
            for (job, outcome) in zip(batch, outcomes) {
                if job === own { ownOutcome = .done(outcome) } else { wakes.append((job, .done(outcome))) }
            }
        }
        // The lead passes to the first writer still waiting, or the gate opens.
        state.withLock { state in
            if let next = state.queue.first {
                wakes.append((next, .lead))
                state.designated = next.ticket
            } else {
                state.leading = false
            }
            for index in wakes.indices {
                let (job, wake) = wakes[index]
                if job.continuation.withLock({ $0 == nil }) { state.early[job.ticket] = wake }
            }
        }
        for (job, wake) in wakes {
            job.continuation.withLock { continuation in
                continuation?.resume(returning: wake)
                continuation = nil
            }
        }
        return ownOutcome ?? .done(.failure(DatabaseOutage.Timeout()))
    }

    /// Runs a batch: a single turn, or writes in one transaction.
    private func run(_ batch: [Job]) async -> [Result<any Sendable, any Error>] {
        guard let first = batch.first else { return [] }
        if case .turn(let body) = first.work {
            do { return [.success(try await body())] } catch { return [.failure(error)] }
        }
        guard let loop = first.loop, let database = writer?(loop) else {
            return batch.map { _ in .failure(WriteGateError.noWriter) }
        }
        return await write(batch, on: database)
    }

    /// Runs writes in one transaction on `database`: each in a savepoint unless single, one COMMIT.
    private func write(_ batch: [Job], on database: any Database) async -> [Result<any Sendable, any Error>] {
        let outcomes = Outcomes()
        do {
            // Fluent's async `transaction` runs its body in a new task on the global executor (the
            // server's busy event loops); this one stays on the writer's own executor.
            try await database.transaction { db -> EventLoopFuture<Void> in
                let promise = db.eventLoop.makePromise(of: Void.self)
                let work: @Sendable () async -> Void = {
                    do {
                        try await self.writeAll(batch, on: db, outcomes)
                        promise.succeed(())
                    } catch {
                        promise.fail(error)
                    }
                }
                if let executor = self.executor { Task(executorPreference: executor, operation: work) } else { Task(operation: work) }
                return promise.futureResult
            }.get()
        } catch {
            // Not committed: a writer that failed on its own keeps its error; the others get this one.
            let done = outcomes.list.withLock { $0 }
            return batch.indices.map { index in
                if index < done.count, case .failure = done[index] { return done[index] }
                return .failure(error)
            }
        }
        return outcomes.list.withLock { $0 }
    }

    private final class Outcomes: Sendable {
        let list = Mutex<[Result<any Sendable, any Error>]>([])
    }

    /// The body of a batch's transaction: each writer in turn, in a savepoint unless single.
    private func writeAll(_ batch: [Job], on db: any Database, _ outcomes: Outcomes) async throws {
        guard let sql = db as? any SQLDatabase else { throw NotSQLDatabase() }
        // A write statement that changes nothing takes the lock with the first statement
        // (see `writeTransaction`).
        try await sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
        for job in batch {
            guard case .write(let single, let body) = job.work else { continue }
            let outcome: Result<any Sendable, any Error>
            if single {
                do { outcome = .success(try await body(db)) } catch { outcome = .failure(error) }
            } else {
                try await sql.raw("SAVEPOINT upward_writer").run()
                do {
                    outcome = .success(try await body(db))
                } catch {
                    outcome = .failure(error)
                    // Undoes this writer's statements only; if that fails, the batch fails.
                    try await sql.raw("ROLLBACK TO upward_writer").run()
                }
                try await sql.raw("RELEASE upward_writer").run()
            }
            outcomes.list.withLock { $0.append(outcome) }
        }
    }

    private func giveUp(_ ticket: UInt64) {
        let job = state.withLock { state -> Job? in
            guard state.designated != ticket, let index = state.queue.firstIndex(where: { $0.ticket == ticket }) else { return nil }
            let job = state.queue.remove(at: index)
            if job.continuation.withLock({ $0 == nil }) { state.early[ticket] = .done(.failure(DatabaseOutage.Timeout())) }
            return job
        }
        job?.continuation.withLock { continuation in
            continuation?.resume(returning: .done(.failure(DatabaseOutage.Timeout())))
            continuation = nil
        }
    }

    /// Whether a writer has the turn now (for tests).
    var isHeld: Bool { state.withLock { $0.leading } }

    /// Writers waiting now (for tests and metrics).
    var waiting: Int { state.withLock { $0.queue.count } }
}

enum WriteGateError: Error, CustomStringConvertible {
    case noWriter
    case unexpectedResult

    var description: String {
        switch self {
        case .noWriter: "The SQLite writer's connection is not available."
        case .unexpectedResult: "A write returned an unexpected value."
        }
    }
}
