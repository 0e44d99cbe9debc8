import FluentKit
import Foundation
import NIOCore
import Synchronization

/// Lets one write transaction at a time into SQLite from this process, first come first served.
///
/// SQLite has one writer. Two connections that both want to write meet its lock, and the loser
/// waits in SQLite's busy handler: asleep on a thread of the small pool that runs every statement,
/// in steps of up to 100 ms, while the requests queued on its connection wait too. Under a write
/// mix that sleeping, not work, set the pace. Here a writer waits its turn before it takes a
/// connection, suspended, and is woken the moment the writer before it commits. Other processes
/// (a command run beside the server) still meet SQLite's lock and its busy timeout.
///
/// A writer that waited longer than `timeout` (the busy timeout) gives up with
/// ``DatabaseOutage/Timeout``, a 503 with Retry-After, as SQLite's own wait would.
final class WriteGate: Sendable {
    private struct Waiter {
        let ticket: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var held = false
        var waiters: [Waiter] = []
        var lastTicket: UInt64 = 0
    }

    private let state = Mutex(State())
    let timeout: Duration
    /// The connections write transactions run on, for an event loop; nil: the caller's own.
    let writer: (@Sendable (any EventLoop) -> (any Database)?)?

    init(timeout: Duration, writer: (@Sendable (any EventLoop) -> (any Database)?)? = nil) {
        self.timeout = timeout
        self.writer = writer
    }

    /// Runs `body` as the only writer of this process.
    func withTurn<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async throws {
        let ticket: UInt64? = state.withLock { state in
            if !state.held {
                state.held = true
                return nil
            }
            state.lastTicket += 1
            return state.lastTicket
        }
        guard let ticket else { return }
        let timer = Task { [weak self, timeout] in
            try await Task.sleep(for: timeout)
            self?.giveUp(ticket)
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // The gate may have opened since the ticket was drawn: take it now rather than queue.
            let free = state.withLock { state in
                if !state.held {
                    state.held = true
                    return true
                }
                state.waiters.append(Waiter(ticket: ticket, continuation: continuation))
                return false
            }
            if free { continuation.resume() }
        }
    }

    /// Hands the gate to the longest waiter, or opens it.
    private func release() {
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }

    private func giveUp(_ ticket: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: DatabaseOutage.Timeout())
    }

    /// Writers waiting now (for tests and metrics).
    var waiting: Int { state.withLock { $0.waiters.count } }
}
