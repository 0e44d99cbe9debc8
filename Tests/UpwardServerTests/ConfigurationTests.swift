import Foundation
import SQLKit
import Testing
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Configuration and storage")
    struct ConfigurationTests {
        @Test("defaults work with no environment at all")
        func defaults() throws {
            let config = try UpwardConfiguration.from(environment: [:])
            #expect(config.storage == .sqliteFile(path: "upward.sqlite"))
            #expect(config.bcryptCost == 12)
        }

        @Test("DATABASE_URL selects PostgreSQL; UPWARD_DATABASE_PATH moves the SQLite file")
        func storageChoice() throws {
            #expect(
                try UpwardConfiguration.from(environment: ["DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db"]).storage
                    == .postgres(url: "postgres://u:p@127.0.0.1:5432/db"))
            #expect(try UpwardConfiguration.from(environment: ["UPWARD_DATABASE_PATH": "/tmp/x.sqlite"]).storage == .sqliteFile(path: "/tmp/x.sqlite"))
        }

        @Test("every bad value is listed at once")
        func badValues() {
            do {
                _ = try UpwardConfiguration.from(environment: ["DATABASE_URL": "mysql://x", "UPWARD_BCRYPT_COST": "99", "UPWARD_TRUST_PROXY": "maybe"])
                Issue.record("expected an error")
            } catch {
                #expect(error.problems.count == 3)
                #expect(error.description.contains("UPWARD_BCRYPT_COST=99 must be a whole number from 10 to 31"))
                #expect(error.description.contains("DATABASE_URL must be a postgres:// URL"))
            }
        }

        @Test("a SQLite file runs with WAL, full sync, foreign keys and a busy timeout")
        func sqlitePragmas() async throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("upward-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
            try await withUpward(configure: { $0.storage = UpwardConfiguration.Storage.sqliteFile(path: file) }) { app in
                let sql = app.db as! any SQLDatabase
                struct Mode: Decodable { let journal_mode: String }
                struct Sync: Decodable { let synchronous: Int }
                struct Keys: Decodable { let foreign_keys: Int }
                struct Busy: Decodable { let timeout: Int }
                let mode = try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
                let sync = try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)
                let keys = try await sql.raw("PRAGMA foreign_keys").first(decoding: Keys.self)
                let busy = try await sql.raw("PRAGMA busy_timeout").first(decoding: Busy.self)
                #expect(mode?.journal_mode == "wal")
                #expect(sync?.synchronous == 2)
                #expect(keys?.foreign_keys == 1)
                #expect(busy?.timeout == SQLiteTuning.busyTimeoutMilliseconds)
            }
        }
    }
}
