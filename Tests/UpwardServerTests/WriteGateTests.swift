import FluentKit
import Foundation
import Synchronization
import Testing
import UpwardTestSupport
import Vapor

@testable import UpwardServer

extension AppTests {
    @Suite("SQLite writers take turns in the process")
    struct WriteGateTests {
        final class Record: Sendable {
            let state = Mutex((inside: 0, most: 0, order: [Int]()))
            func enter(_ index: Int) {
                state.withLock {
                    $0.inside += 1
                    $0.most = max($0.most, $0.inside)
                    $0.order.append(index)
                }
            }
            func leave() { state.withLock { $0.inside -= 1 } }
        }

        @Test("one writer at a time, in the order they came; a writer kept waiting past the limit gets a timeout (a 503), and the gate still works")
        func turns() async throws {
            let gate = WriteGate(timeout: .seconds(5))
            let record = Record()
            let holder = Task { try await gate.withTurn { try await Task.sleep(for: .milliseconds(150)) } }
            try await Task.sleep(for: .milliseconds(20))
            var writers: [Task<Void, any Error>] = []
            for index in 0..<8 {
                writers.append(
                    Task {
                        try await gate.withTurn {
                            record.enter(index)
                            try await Task.sleep(for: .milliseconds(2))
                            record.leave()
                        }
                    })
                // Each arrives while the holder still has its turn.
                while gate.waiting < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            try await holder.value
            for writer in writers { try await writer.value }
            let (most, order) = record.state.withLock { ($0.most, $0.order) }
            #expect(most == 1)
            #expect(order == Array(0..<8))

            let short = WriteGate(timeout: .milliseconds(50))
            let long = Task { try await short.withTurn { try await Task.sleep(for: .milliseconds(400)) } }
            try await Task.sleep(for: .milliseconds(20))
            await #expect(throws: DatabaseOutage.Timeout.self) { try await short.withTurn {} }
            #expect(short.waiting == 0)
            try await long.value
            #expect(try await short.withTurn { 42 } == 42)
        }

        struct Refused: Error {}

        static func entry(_ action: String) -> AuditEntry {
            let entry = AuditEntry()
            entry.actor = "test"
            entry.action = action
            entry.objectType = "test"
            entry.detail = ""
            entry.createdAt = Date()
            return entry
        }

        @Test("writers queued together commit as one transaction; one that fails is undone alone; a plain insert waits its turn at the gate")
        func groupCommit() async throws {
            try await withSQLiteFile { app in
                let gate = try #require((app.db as? MeteredDatabase)?.writeGate)
                let loops = Array(app.eventLoopGroup.makeIterator())
                let db: @Sendable (Int) -> any Database = { index in app.databases.database(logger: app.logger, on: loops[index % loops.count])! }
                let before = gate.batches

                // The first writer holds its turn while forty more arrive from both event loops.
                let holder = Task {
                    try await db(0).writeTransaction { db in
                        try await Self.entry("holder").create(on: db)
                        try await Task.sleep(for: .milliseconds(150))
                    }
                }
                while !gate.isHeld { try await Task.sleep(for: .milliseconds(1)) }
                try await Task.sleep(for: .milliseconds(10))
                var writers: [Task<Bool, any Error>] = []
                for index in 0..<40 {
                    writers.append(
                        Task {
                            do {
                                try await db(index).writeTransaction { db in
                                    try await Self.entry("writer \(index)").create(on: db)
                                    if index == 7 { throw Refused() }
                                }
                                return true
                            } catch is Refused { return false }
                        })
                }
                while gate.waiting < 40 { try await Task.sleep(for: .milliseconds(1)) }
                try await holder.value
                var refused: [Int] = []
                for (index, writer) in writers.enumerated() where try await !writer.value { refused.append(index) }
                #expect(refused == [7])
                // The holder alone, then 32 and 8 together: three commits for 41 writes.
                let after = gate.batches
                #expect(after.batches - before.batches == 3)
                #expect(after.writes - before.writes == 41)
                let stored = try await AuditEntry.query(on: app.db).filter(\.$objectType == "test").all().map(\.action)
                #expect(stored.count == 40)
                #expect(!stored.contains("writer 7") && stored.contains("writer 8") && stored.contains("holder"))

                // A plain insert, outside any transaction, waits at the gate rather than at SQLite's lock.
                // Held for a second, so a busy machine still has the plain insert reach the gate in time.
                let second = Task { try await db(0).writeTransaction { _ in try await Task.sleep(for: .seconds(1)) } }
                while !gate.isHeld { try await Task.sleep(for: .milliseconds(1)) }
                try await Task.sleep(for: .milliseconds(10))
                let plain = Task { try await Self.entry("plain").create(on: db(1)) }
                let deadline = ContinuousClock.now + .milliseconds(900)
                while gate.waiting == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
                #expect(gate.waiting == 1)
                try await second.value
                try await plain.value
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "plain").count() == 1)
            }
        }

        @Test("a batch's writes run on the writer's own event loop, not on the loops that serve requests")
        func writerLoop() async throws {
            try await withSQLiteFile { app in
                let writer = try #require(app.sqliteWriter)
                let onWriter = try await app.db.writeTransaction { db in
                    try await Self.entry("where").create(on: db)
                    let here = writer.loop.inEventLoop
                    try await Self.entry("still").create(on: db)
                    return here && writer.loop.inEventLoop
                }
                #expect(onWriter)
                #expect(!app.eventLoopGroup.makeIterator().contains { $0 === writer.loop })
                #expect(try await AuditEntry.query(on: app.db).filter(\.$objectType == "test").count() == 2)
            }
        }

        @Test("every model lists its properties as reflection finds them, in order")
        func modelProperties() {
            for type in UpwardModels.all {
                let model = type.init()
                let listed = model.properties.map { ObjectIdentifier($0 as AnyObject) }
                let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }.map { ObjectIdentifier($0 as AnyObject) }
                #expect(listed == reflected, "\(type)")
                #expect(!listed.isEmpty, "\(type)")
            }
        }

        @Test("a meeting's local time reads as the formatter wrote it, across zones and clock changes")
        func localText() {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
            let zones = ["UTC", "Europe/Berlin", "America/New_York", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Kiritimati"]
            var checked = 0
            // Every 7 hours and 13 minutes over three years, DST changes included.
            var date = Date(timeIntervalSince1970: 1_700_000_000)
            while date.timeIntervalSince1970 < 1_800_000_000 {
                for name in zones {
                    let zone = TimeZone(identifier: name)!
                    formatter.timeZone = zone
                    #expect(Meetings.localText(date, in: zone) == formatter.string(from: date), "\(name) \(date)")
                    checked += 1
                }
                date += 7 * 3600 + 13 * 60
            }
            #expect(checked > 20_000)
        }
    }
}
