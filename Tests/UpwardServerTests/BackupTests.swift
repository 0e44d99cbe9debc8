import Fluent
import Foundation
import SQLKit
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Backup and restore")
    struct BackupTests {
        static func count(_ path: String) async throws -> Int {
            try await SQLiteBackup.with(path) { connection in
                try await connection.query("SELECT COUNT(*) AS n FROM audit_entries").first?.column("n")?.integer ?? -1
            }
        }

        @Test("a backup taken while the server writes is consistent and restores; restore refuses while the database is open")
        func backupDuringWrites() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upward-backup-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("upward.sqlite").path
            let backup = directory.appendingPathComponent("backup.sqlite").path
            let app = try await Application.make(.testing)
            var during: (before: Int, after: Int) = (0, 0)
            do {
                let clock = FixedClock()
                try await configure(
                    app, environment: UpwardEnvironment(configuration: UpwardConfiguration(storage: .sqliteFile(path: path), bcryptCost: 4), clock: clock))
                try await app.autoMigrate()
                let audit = AuditLog(db: app.db, clock: clock)
                for _ in 0..<200 { try await audit.record(nil, program: nil, action: "test.write", object: "row", id: UUID()) }
                during.before = try await AuditEntry.query(on: app.db).count()
                // Writes keep coming, each in its own transaction, while the backup runs.
                let writer = Task {
                    for _ in 0..<400 {
                        try await app.db.writeTransaction { db in
                            try await AuditLog(db: db, clock: clock).record(nil, program: nil, action: "test.write", object: "row", id: UUID())
                        }
                    }
                }
                let summary = try await SQLiteBackup.backup(database: path, to: backup)
                try await writer.value
                during.after = try await AuditEntry.query(on: app.db).count()
                #expect(summary.migrations > 5 && summary.bytes > 0)
                // A second backup to the same name is refused; restoring while the server has the file open is refused.
                await #expect(throws: CommandFailure.self) { _ = try await SQLiteBackup.backup(database: path, to: backup) }
                await #expect(throws: CommandFailure.self) { _ = try await SQLiteBackup.restore(backup, into: path) }
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            // The backup is one moment: at least what was there before, at most what was there after.
            let saved = try await Self.count(backup)
            #expect(saved >= during.before && saved <= during.after, "\(during.before) ≤ \(saved) ≤ \(during.after)")
            // Restore with the server stopped: the database becomes the backup, the old file is kept.
            let kept = try await SQLiteBackup.restore(backup, into: path)
            #expect(try await Self.count(path) == saved)
            #expect(try await Self.count(kept) == during.after)
            #expect(try await Self.count(backup) == saved)
            // A damaged backup is refused before anything is touched.
            let broken = directory.appendingPathComponent("broken.sqlite").path
            var bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
            bytes.replaceSubrange(0..<16, with: Data(repeating: 0x41, count: 16))
            try bytes.write(to: URL(fileURLWithPath: broken))
            await #expect(throws: CommandFailure.self) { _ = try await SQLiteBackup.restore(broken, into: path) }
            #expect(try await Self.count(path) == saved)
        }
    }
}
