import UpwardCore
import Vapor

/// What every part of the app reads from the application: configuration and injected side effects.
public struct UpwardEnvironment: Sendable {
    public var configuration: UpwardConfiguration
    public var clock: any UpwardClock
    /// Whether this process removes expired sessions and old sign-in attempts on a schedule
    /// (`serve` and `demo`; not one-off commands or tests, which run ``Housekeeping`` directly).
    public var runsHousekeeping: Bool
    /// Whether the SQLite file is the demo's own, marked so `demo` never wipes anything else.
    public var isDemo: Bool
    /// Seals private notes: from `UPWARD_NOTE_KEY`, else a key that lives as long as the process
    /// (tests and development; `serve` refuses to start in production without the variable).
    public var noteSealer: NoteSealer
    /// Sends email and chat messages; tests put a fake here.
    public var transport: (any MessageTransport)?

    public init(configuration: UpwardConfiguration, clock: any UpwardClock = SystemClock(), runsHousekeeping: Bool = false, isDemo: Bool = false) {
        self.configuration = configuration
        self.clock = clock
        self.runsHousekeeping = runsHousekeeping
        self.isDemo = isDemo
        self.noteSealer = (try? NoteSealer(base64: configuration.noteKey ?? NoteSealer.generateKey())) ?? (try! NoteSealer(base64: NoteSealer.generateKey()))
        self.transport = nil
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

extension Application {
    private struct SQLiteReadersKey: StorageKey {
        typealias Value = SQLiteReaders
    }

    private struct PostgresPreparedReadsKey: StorageKey {
        typealias Value = PostgresPreparedReads
    }

    /// On PostgreSQL: the reads run as prepared statements (see ``PostgresPreparedReads``).
    var postgresPreparedReads: PostgresPreparedReads? {
        get { storage[PostgresPreparedReadsKey.self] }
        set { storage[PostgresPreparedReadsKey.self] = newValue }
    }

    /// On a SQLite file: the connections reads outside transactions use (see ``SQLiteReaders``).
    var sqliteReaders: SQLiteReaders? {
        get { storage[SQLiteReadersKey.self] }
        set { storage[SQLiteReadersKey.self] = newValue }
    }

    private struct SQLiteWriterKey: StorageKey {
        typealias Value = SQLiteWriter
    }

    /// On a SQLite file: the connection write transactions use (see ``SQLiteWriter``).
    var sqliteWriter: SQLiteWriter? {
        get { storage[SQLiteWriterKey.self] }
        set { storage[SQLiteWriterKey.self] = newValue }
    }

    /// On a SQLite file: the thread that moves the write-ahead log into the file (see ``SQLiteCheckpointer``).
    var sqliteCheckpointer: SQLiteCheckpointer? {
        get { storage[SQLiteCheckpointerKey.self] }
        set { storage[SQLiteCheckpointerKey.self] = newValue }
    }
}

private struct SQLiteCheckpointerKey: StorageKey {
    typealias Value = SQLiteCheckpointer
}

extension Request {
    var upward: UpwardEnvironment { application.upward }
}
