import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

/// The root suite: every server test runs one at a time, because on PostgreSQL
/// they share one database (CI sets UPWARD_TEST_DATABASE_URL).
@Suite("Upward server", .serialized)
struct AppTests {}

/// The database the tests run on.
enum TestDatabase {
    /// PostgreSQL when `UPWARD_TEST_DATABASE_URL` is set; else SQLite in memory, or with
    /// `UPWARD_TEST_SQLITE=file` a SQLite file of each test's own, as a real server runs (WAL,
    /// the write gate, reads through ``SQLiteReaders``).
    static var storage: UpwardConfiguration.Storage {
        if let url = ProcessInfo.processInfo.environment["UPWARD_TEST_DATABASE_URL"], !url.isEmpty {
            return .postgres(url: url)
        }
        guard onFiles else { return .sqliteMemory }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upward-file-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return .sqliteFile(path: directory.appendingPathComponent("upward.sqlite").path)
    }

    static var onFiles: Bool { ProcessInfo.processInfo.environment["UPWARD_TEST_SQLITE"] == "file" }

    static var isPostgres: Bool {
        !(ProcessInfo.processInfo.environment["UPWARD_TEST_DATABASE_URL"] ?? "").isEmpty
    }

    /// The files SQLiteKit keeps this process's in-memory databases in (SQLiteNIO has no shared
    /// cache, so SQLiteKit fakes one with a temporary file it never removes: about 0.6 MB a test).
    static func memoryFiles() -> Set<URL> {
        let folder = FileManager.default.temporaryDirectory
        let prefix = "sqlite-kit_memorydb-\(ProcessInfo.processInfo.processIdentifier)-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return Set(names.filter { $0.hasPrefix(prefix) }.map { folder.appendingPathComponent($0) })
    }
}

/// Runs `body` against a freshly migrated app on a SQLite file of its own (WAL, the write gate and
/// its writer's connections, as a real server runs), removed afterwards.
func withSQLiteFile<T>(clock: FixedClock = FixedClock(), _ body: (Application) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upward-file-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("upward.sqlite").path
    return try await withUpward(clock: clock, reset: false, configure: { $0.storage = .sqliteFile(path: path) }, body)
}

/// Runs `body` against a freshly migrated app on the test database.
func withUpward<T>(
    clock: FixedClock = FixedClock(),
    reset: Bool = true,
    configure adjust: (inout UpwardConfiguration) -> Void = { _ in },
    _ body: (Application) async throws -> T
) async throws -> T {
    let app = try await Application.make(.testing)
    var configuration = UpwardConfiguration(storage: TestDatabase.storage, bcryptCost: 4)
    // On files, each app's own folder goes when it is done; in memory, the file SQLiteKit made for it
    // (server tests run one at a time, so any such file new since the start is this app's).
    let own = configuration.storage
    let memoryFiles = TestDatabase.memoryFiles()
    defer {
        if case .sqliteFile(let path) = own {
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
        }
        for file in TestDatabase.memoryFiles().subtracting(memoryFiles) { try? FileManager.default.removeItem(at: file) }
    }
    adjust(&configuration)
    do {
        try await configure(app, environment: UpwardEnvironment(configuration: configuration, clock: clock))
        // Start from an empty schema, whatever an earlier run left behind.
        if reset { try await app.autoRevert() }
        try await app.autoMigrate()
        let result = try await body(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}
