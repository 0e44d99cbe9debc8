import Foundation
import Logging
import NIOConcurrencyHelpers
import Vapor
import VaporCSQLite

/// Copies the write-ahead log into the database file from a connection and a thread of its own,
/// every `interval`, so that no write waits for it.
///
/// SQLite's own checkpoint runs inside the COMMIT that takes the log past 1,000 pages: that commit,
/// and every write queued behind it at the write gate, waited while it copied the pages and synced
/// the file. The app's
/// connections now leave it off (`wal_autocheckpoint = 0`, ``SQLiteTuning``) and this thread runs a
/// passive checkpoint, which never takes the write lock: commits go on appending to the log while
/// it copies. Committed data is in the log, synced, before any caller is answered, so this changes
/// when pages reach the main file, not what survives a crash.
final class SQLiteCheckpointer: LifecycleHandler, @unchecked Sendable {
    let path: String
    let interval: TimeInterval
    let logger: Logger
    private let wake = DispatchSemaphore(value: 0)
    private let state = NIOLockedValueBox<(stopping: Bool, thread: Thread?, runs: Int, frames: Int)>((false, nil, 0, 0))
    private let stopped = DispatchSemaphore(value: 0)

    init(path: String, interval: TimeInterval = 1, logger: Logger) {
        self.path = path
        self.interval = interval
        self.logger = logger
    }

    /// Checkpoints run, and log frames they copied, since start.
    var progress: (runs: Int, frames: Int) { state.withLockedValue { ($0.runs, $0.frames) } }

    func didBoot(_ application: Application) throws {
        let thread = Thread { [self] in run() }
        thread.name = "upward-checkpoint"
        let started = state.withLockedValue { state -> Bool in
            guard state.thread == nil, !state.stopping else { return false }
            state.thread = thread
            return true
        }
        if started { thread.start() }
    }

    func shutdown(_ application: Application) {
        let running = state.withLockedValue { state -> Bool in
            state.stopping = true
            return state.thread != nil
        }
        guard running else { return }
        wake.signal()
        stopped.wait()
    }

    private func run() {
        var handle: OpaquePointer?
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        if opened != SQLITE_OK {
            logger.error("checkpoint: cannot open \(path): \(handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "code \(opened)")")
        }
        defer {
            // Closing the last connection to a database checkpoints it in full; this one is rarely last.
            sqlite_nio_sqlite3_close_v2(handle)
            stopped.signal()
        }
        guard opened == SQLITE_OK, let handle else { return }
        // A connection learns the file is in WAL mode when it first reads it; until then a
        // checkpoint does nothing and says so with -1 frames.
        sqlite_nio_sqlite3_busy_timeout(handle, Int32(SQLiteTuning.busyTimeoutMilliseconds))
        _ = sqlite_nio_sqlite3_exec(handle, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
        while true {
            _ = wake.wait(timeout: .now() + interval)
            if state.withLockedValue({ $0.stopping }) { return }
            var logged: Int32 = 0
            var copied: Int32 = 0
            let result = sqlite_nio_sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied)
            if result == SQLITE_OK {
                state.withLockedValue {
                    $0.runs += 1
                    $0.frames += Int(max(0, copied))
                }
            } else if result != SQLITE_BUSY {
                logger.warning("checkpoint: \(String(cString: sqlite_nio_sqlite3_errmsg(handle)))")
            }
        }
    }
}
