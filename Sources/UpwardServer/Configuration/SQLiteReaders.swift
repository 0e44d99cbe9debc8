import FluentKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization
import UpwardCore
import VaporCSQLite

/// SQLite reads on the calling thread, through prepared statements kept for reuse.
///
/// SQLiteNIO runs every statement on a thread pool: a hop there and back per statement, another
/// task on the event loop per row, and a fresh `sqlite3_prepare` each time. For the small indexed
/// reads of a page (a session, a person, their pairs) those hops cost more than the reads: the
/// participant home page spent a fifth of its CPU on thread wake-ups and a tenth in SQLite's parser.
///
/// These connections are the same SQLite library as SQLiteNIO's (its `VaporCSQLite`, one copy in
/// the process, so one set of POSIX locks), opened on the same file with `query_only` on. Each
/// statement is reset as soon as its rows are read, so no reader holds a snapshot open (WAL
/// checkpoints, `upward person erase`). In WAL mode a reader never waits for the writer.
///
/// A connection serves one caller at a time; callers on other threads take another, up to
/// `limit`. Only reads outside transactions come here (see ``MeteredDatabase``); writes and
/// transactions keep their own connections and the write gate.
///
/// A read runs on the caller's thread, usually an event loop, which serves nothing else meanwhile.
/// A statement that once took more than `slowSteps` of SQLite's virtual machine is remembered and
/// from then on runs on `threadPool` (see ``readOffloaded(_:_:on:)``), so it cannot hold up the
/// pages of everyone else on that loop: a program page's counts over 2,500 pairs and their 62,500 meetings take
/// 37,000-95,000 steps each, a page of the people directory 20,000-24,000, a person or a pair a few
/// dozen. Steps, not time: a quick statement preempted on a busy machine is not slow, and the
/// count is the same on every run.
final class SQLiteReaders: Sendable {
    let path: String
    let limit: Int
    let slowSteps: Int
    /// Where slow statements run; nil: they are left to SQLiteNIO.
    let threadPool: NIOThreadPool?
    private let idle = NIOLockedValueBox<(connections: [Connection], opened: Int, closed: Bool)>(([], 0, false))
    private let slowStatements = NIOLockedValueBox<Set<String>>([])
    private let served = Atomic<Int>(0)
    private let reprepares = Atomic<Int>(0)

    /// How many statements these connections have run.
    var reads: Int { served.load(ordering: .relaxed) }
    /// How many times SQLite had to parse a kept statement again (it should not need to).
    var reprepared: Int { reprepares.load(ordering: .relaxed) }

    init(path: String, limit: Int = 16, slowSteps: Int = 30_000, threadPool: NIOThreadPool? = nil) {
        self.path = path
        self.limit = limit
        self.slowSteps = slowSteps
        self.threadPool = threadPool
    }

    /// Runs one read statement and hands each row to `onRow`, on this thread. False: the statement
    /// is known to be slow, or every connection is in use (or the readers are closed), and the
    /// caller reads another way.
    func read(_ sql: String, _ binds: [SQLiteData], _ onRow: (any SQLRow) -> Void) throws -> Bool {
        guard !slowStatements.withLockedValue({ $0.contains(sql) }), let connection = try take() else { return false }
        defer { give(connection) }
        let work = try connection.run(sql, binds, onRow)
        served.add(1, ordering: .relaxed)
        if work.parsedAgain > 0 { reprepares.add(work.parsedAgain, ordering: .relaxed) }
        if work.steps > slowSteps {
            slowStatements.withLockedValue { known in
                if known.count < 10_000 { known.insert(sql) }
            }
        }
        return true
    }

    /// Whether a statement has been seen to take more than `slowSteps`.
    func isSlow(_ sql: String) -> Bool { slowStatements.withLockedValue { $0.contains(sql) } }

    /// Treats a statement as slow from now on (tests use it; real statements are found by their steps).
    func markSlow(_ sql: String) { slowStatements.withLockedValue { _ = $0.insert(sql) } }

    /// A slow statement on `threadPool`, through one of these connections: its rows come back to
    /// `loop` all at once. SQLiteNIO hands each row to the event loop as a task of its own and
    /// decodes it with the generic decoder; for the 30,000 meetings of a program's report that was
    /// half the report's CPU. Nil: no thread pool, or every connection is in use.
    func readOffloaded(_ sql: String, _ binds: [SQLiteData], on loop: any EventLoop) -> EventLoopFuture<[SQLiteReadRow]>? {
        guard let threadPool, let connection = try? take() else { return nil }
        return threadPool.runIfActive(eventLoop: loop) { [self] in
            defer { give(connection) }
            var rows: [SQLiteReadRow] = []
            let work = try connection.run(sql, binds) { row in
                if let row = row as? SQLiteReadRow { rows.append(row) }
            }
            served.add(1, ordering: .relaxed)
            if work.parsedAgain > 0 { reprepares.add(work.parsedAgain, ordering: .relaxed) }
            return rows
        }
        .flatMapErrorThrowing { error in
            // A pool that is shutting down never ran the body, so the connection is still out.
            if error is NIOThreadPoolError.ThreadPoolInactive { self.give(connection) }
            throw error
        }
    }

    /// Closes every idle connection, and each busy one when it is given back; later reads go another way.
    func close() {
        let connections = idle.withLockedValue { state in
            defer { state.connections = [] }
            state.opened -= state.connections.count
            state.closed = true
            return state.connections
        }
        for connection in connections { connection.close() }
    }

    private func take() throws -> Connection? {
        enum Next { case reuse(Connection), open, busy, closed }
        let next: Next = idle.withLockedValue { state in
            if state.closed { return .closed }
            if let connection = state.connections.popLast() { return .reuse(connection) }
            guard state.opened < limit else { return .busy }
            state.opened += 1
            return .open
        }
        switch next {
        case .reuse(let connection): return connection
        case .closed, .busy: return nil
        case .open:
            do {
                return try Connection(path: path)
            } catch {
                idle.withLockedValue { $0.opened -= 1 }
                throw error
            }
        }
    }

    private func give(_ connection: Connection) {
        let keep = idle.withLockedValue { state in
            guard !state.closed else {
                state.opened -= 1
                return false
            }
            state.connections.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    /// One `sqlite3` handle and its prepared statements, used by one thread at a time.
    final class Connection: @unchecked Sendable {
        private var handle: OpaquePointer?
        private var statements: [String: Statement] = [:]
        /// More distinct statements than this (a search with many filters) start the cache over.
        static let cacheSize = 200

        /// `readOnly`: a reader's connection (see ``SQLiteReaders``); otherwise the writer's (see ``SQLiteWriter``).
        init(path: String, readOnly: Bool = true) throws {
            var handle: OpaquePointer?
            // The writer's may be the first to open a new database, so it may create the file.
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | (readOnly ? 0 : SQLITE_OPEN_CREATE)
            let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard opened == SQLITE_OK, let handle else {
                let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open"
                sqlite_nio_sqlite3_close(handle)
                throw SQLiteStatementError(code: opened, message: "\(path): \(message)")
            }
            self.handle = handle
            sqlite_nio_sqlite3_busy_timeout(handle, Int32(SQLiteTuning.busyTimeoutMilliseconds))
            // A reader's: reads only, so a write that came this way by mistake fails instead of
            // bypassing the gate. Pages are read through a memory map, not copied in by a system
            // call each (a report over 62,500 meetings spent a tenth of its time in `pread`).
            let pragmas = sqlite_nio_sqlite3_exec(
                handle, readOnly ? "PRAGMA query_only = ON; PRAGMA mmap_size = 268435456" : "PRAGMA mmap_size = 268435456", nil, nil, nil)
            guard pragmas == SQLITE_OK else {
                let message = String(cString: sqlite_nio_sqlite3_errmsg(handle))
                close()
                throw SQLiteStatementError(code: pragmas, message: message)
            }
        }

        deinit { close() }

        func close() {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            statements = [:]
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            handle = nil
        }

        /// What running a statement took: how many times SQLite parsed it again, and its virtual machine's steps.
        struct Work {
            let parsedAgain: Int
            let steps: Int
        }

        func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (any SQLRow) -> Void) throws -> Work {
            guard let handle else { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try prepared(sql, on: handle)
            let raw = statement.handle
            // Reset, not cleared: the next use binds every parameter again, and SQLite's
            // `clear_bindings` marks a statement whose plan looked at a bound value (most `column = ?`)
            // as expired, so it would be parsed again each time.
            defer { sqlite_nio_sqlite3_reset(raw) }
            for (offset, value) in binds.enumerated() {
                let index = Int32(offset + 1)
                let bound: Int32
                switch value {
                case .integer(let number): bound = sqlite_nio_sqlite3_bind_int64(raw, index, Int64(number))
                case .float(let number): bound = sqlite_nio_sqlite3_bind_double(raw, index, number)
                case .text(let text): bound = sqlite_nio_sqlite3_bind_text64(raw, index, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
                case .blob(let bytes):
                    bound = bytes.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(raw, index, $0.baseAddress, UInt64($0.count), transient) }
                case .null: bound = sqlite_nio_sqlite3_bind_null(raw, index)
                }
                guard bound == SQLITE_OK else { throw error(bound, on: handle) }
            }
            let width = Int(sqlite_nio_sqlite3_column_count(raw))
            while true {
                let step = sqlite_nio_sqlite3_step(raw)
                if step == SQLITE_DONE {
                    return Work(
                        parsedAgain: Int(sqlite_nio_sqlite3_stmt_status(raw, SQLITE_STMTSTATUS_REPREPARE, 1)),
                        steps: Int(sqlite_nio_sqlite3_stmt_status(raw, SQLITE_STMTSTATUS_VM_STEP, 1)))
                }
                guard step == SQLITE_ROW else { throw error(step, on: handle) }
                var values: [SQLiteData] = []
                values.reserveCapacity(width)
                for column in 0..<Int32(width) {
                    values.append(Self.value(raw, column))
                }
                onRow(SQLiteReadRow(columns: statement.columns, values: values))
            }
        }

        private static func value(_ raw: OpaquePointer, _ column: Int32) -> SQLiteData {
            switch sqlite_nio_sqlite3_column_type(raw, column) {
            case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(raw, column)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(raw, column))
            case SQLITE_TEXT:
                guard let text = sqlite_nio_sqlite3_column_text(raw, column) else { return .text("") }
                let count = Int(sqlite_nio_sqlite3_column_bytes(raw, column))
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            case SQLITE_BLOB:
                let count = Int(sqlite_nio_sqlite3_column_bytes(raw, column))
                guard count > 0, let bytes = sqlite_nio_sqlite3_column_blob(raw, column) else { return .blob(ByteBuffer()) }
                return .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: bytes, count: count)))
            default: return .null
            }
        }

        private func prepared(_ sql: String, on handle: OpaquePointer) throws -> Statement {
            if let statement = statements[sql] { return statement }
            if statements.count >= Self.cacheSize {
                for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
                statements = [:]
            }
            var raw: OpaquePointer?
            let prepared = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
            guard prepared == SQLITE_OK, let raw else { throw error(prepared, on: handle) }
            var names: [String] = []
            for column in 0..<sqlite_nio_sqlite3_column_count(raw) {
                names.append(sqlite_nio_sqlite3_column_name(raw, column).map { String(cString: $0) } ?? "")
            }
            let statement = Statement(handle: raw, columns: SQLiteReadRow.Columns(names))
            statements[sql] = statement
            return statement
        }

        private func error(_ code: Int32, on handle: OpaquePointer) -> SQLiteStatementError {
            SQLiteStatementError(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
        }

        private var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

        struct Statement {
            let handle: OpaquePointer
            let columns: SQLiteReadRow.Columns
        }
    }
}

/// A statement's bound values as SQLite values, as SQLiteKit's encoder writes them; a UUID (an id,
/// stored as its text) is written as ``Foundation/UUID/text`` rather than through its `Encodable`
/// conformance, which formats it with `snprintf`: a page of 50 people binds 50 ids.
enum SQLiteBinds {
    private static let encoder = SQLiteDataEncoder()

    static func encode(_ values: [any Encodable & Sendable]) throws -> [SQLiteData] {
        try values.map { value in
            if let id = value as? UUID { return .text(id.text) }
            return try encoder.encode(value)
        }
    }
}

/// A statement that SQLite refused or failed, on a connection of ``SQLiteReaders`` or ``SQLiteWriter``.
struct SQLiteStatementError: Error, CustomStringConvertible, DatabaseError {
    /// SQLite's result code (its primary code is the low byte).
    let code: Int32
    let message: String
    var description: String { "SQLite: \(message)" }

    var isSyntaxError: Bool { code & 0xFF == SQLITE_ERROR }
    var isConstraintFailure: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    var isConnectionClosed: Bool { code == SQLITE_MISUSE }
    /// Another process held the write lock for the whole busy timeout.
    var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

/// A row read by ``SQLiteReaders``, decoded as SQLiteKit decodes its own rows.
struct SQLiteReadRow: SQLRow {
    /// A statement's column names, shared by all its rows.
    final class Columns: Sendable {
        let names: [String]
        let offsets: [String: Int]

        init(_ names: [String]) {
            self.names = names
            self.offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }

        /// Where `column` is: for the few columns of most statements by comparing names in order,
        /// which costs less than hashing the name for the dictionary on every column of every row
        /// (a program page reads 5,000 participants' six columns); the first of a repeated name, as
        /// the dictionary keeps.
        @inline(__always)
        func offset(of column: String) -> Int? {
            guard names.count <= 12 else { return offsets[column] }
            for index in names.indices where names[index] == column { return index }
            return nil
        }
    }

    let columns: Columns
    let values: [SQLiteData]
    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offset(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offset(of: column) else { return true }
        return values[offset] == .null
    }

    /// The value of `column`; the common column types without SQLiteKit's generic decoder, which looks
    /// each type up at run time and wraps the value in a decoder of its own (a third of the CPU of a
    /// people page). Anything else, or a value not in the plain form, goes to that decoder, which
    /// decides, with its own errors.
    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let offset = columns.offset(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteReadColumn(column), .init(codingPath: [], debugDescription: "No column \(column) in the result"))
        }
        // The common column types directly, each returned as it is found: not through a `D?`, for
        // each `D?` in this unspecialized code asked the Swift runtime for that type's metadata, a
        // lookup in its cache on every column read (3.4% of a program page's CPU).
        let value = values[offset]
        switch value {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(text), to: D.self) }
            if D.self == UUID.self, let id = Self.uuid(text) { return unsafeBitCast(id, to: D.self) }
            if D.self == UUID?.self, let id = Self.uuid(text) { return unsafeBitCast(Optional(id), to: D.self) }
        case .integer(let number):
            if D.self == Int.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Optional(number), to: D.self) }
            if D.self == Bool.self, number == 0 || number == 1 { return unsafeBitCast(number == 1, to: D.self) }
            if D.self == Bool?.self, number == 0 || number == 1 { return unsafeBitCast(Optional(number == 1), to: D.self) }
            if D.self == Double.self { return unsafeBitCast(Double(number), to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(Double(number)), to: D.self) }
            if D.self == Date.self { return unsafeBitCast(Self.date(Double(number)), to: D.self) }
            if D.self == Date?.self { return unsafeBitCast(Optional(Self.date(Double(number))), to: D.self) }
        case .float(let number):
            if D.self == Double.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(number), to: D.self) }
            if D.self == Date.self { return unsafeBitCast(Self.date(number), to: D.self) }
            if D.self == Date?.self { return unsafeBitCast(Optional(Self.date(number)), to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == UUID?.self { return unsafeBitCast(UUID?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
            if D.self == Bool?.self { return unsafeBitCast(Bool?.none, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Double?.none, to: D.self) }
            if D.self == Date?.self { return unsafeBitCast(Date?.none, to: D.self) }
        case .blob:
            break
        }
        return try Self.decoder.decode(D.self, from: value)
    }

    /// A UUID's 36 characters (either case), as `UUID(uuidString:)` reads them but without its
    /// `sscanf`, which took a twentieth of a program report's CPU. Nil: not that form.
    static func uuid(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { bytes -> UUID? in
            guard bytes.count == 36, bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &value) { out -> Bool in
                for slot in 0..<16 {
                    let position = uuidDigits[slot]
                    guard let high = hex(bytes[position]), let low = hex(bytes[position + 1]) else { return false }
                    out[slot] = high << 4 | low
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }
    }

    /// Where each byte's two hex digits start in a UUID's text.
    private static let uuidDigits = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Seconds since 1970 as SQLiteNIO reads them: rounded to the microsecond since the reference date.
    private static func date(_ seconds: Double) -> Date {
        let sinceReference = seconds - Date.timeIntervalBetween1970AndReferenceDate
        return Date(timeIntervalSinceReferenceDate: (sinceReference * 1e6).rounded() / 1e6)
    }
}

private struct SQLiteReadColumn: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
