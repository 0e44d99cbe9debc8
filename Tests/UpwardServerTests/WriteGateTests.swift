import Foundation
import Synchronization
import Testing
import UpwardTestSupport

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
