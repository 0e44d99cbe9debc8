import FluentPostgresDriver
import NIOCore
import NIOPosix

/// Errors that mean the database server is unreachable, restarting or recovering (PostgreSQL killed,
/// failed over or starting up), not that a request was wrong: answered 503 with Retry-After, and the
/// pool opens fresh connections once the server is back.
enum DatabaseOutage {
    /// A database statement that got no answer in time.
    struct Timeout: Error {}

    static func matches(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError {
            switch psql.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                // Class 08: connection exception; 57P01-57P03: shutting down, crashed, starting up.
                let state = psql.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
            default:
                return false
            }
        }
        if let io = error as? IOError {
            // Only the network's refusals: a file that cannot be read is not an outage.
            return [ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH, ENETUNREACH].contains(io.errnoCode)
        }
        if let channel = error as? ChannelError {
            return [.ioOnClosedChannel, .alreadyClosed, .eof].contains(channel)
        }
        if let sqlite = error as? SQLiteStatementError {
            // SQLite's write lock held by another process for the whole busy timeout.
            return sqlite.isBusy
        }
        return error is Timeout || error is NIOConnectionError
    }
}
