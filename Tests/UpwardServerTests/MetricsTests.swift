import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Metrics")
    struct MetricsTests {
        static let token = "metrics-token-for-tests-0123456789"

        /// The value of an unlabelled metric in a text exposition.
        static func value(_ name: String, in text: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }

        @Test("GET /metrics needs its bearer token and reports requests by route pattern, status and latency, and the outbox queue")
        func exposition() async throws {
            try await withUpward(configure: { $0.metricsToken = Self.token }) { app in
                for _ in 0..<3 { try await app.testing().test(.GET, "/health") { #expect($0.status == .ok) } }
                let id = UUID().uuidString
                try await app.testing().test(.GET, "/pairs/\(id)") { #expect($0.status == .seeOther) }
                try await app.testing().test(.GET, "/metrics") { #expect($0.status == .unauthorized) }
                try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer wrong-token-0123456789"]) {
                    #expect($0.status == .unauthorized)
                }
                try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers.contentType?.description.hasPrefix("text/plain") == true)
                    let text = response.body.string
                    #expect(text.contains(#"upward_http_requests_total{route="/health",method="GET",status="200"} 3"#), "\(text.prefix(2000))")
                    #expect(text.contains(#"upward_http_request_duration_seconds_bucket{route="/health",method="GET",le="#))
                    #expect(text.contains(#"route="/metrics",method="GET",status="401"} 2"#))
                    // Route patterns, never concrete ids: the label set stays small.
                    #expect(text.contains(#"route="/pairs/:pairID""#) && !text.contains(id))
                    #expect(text.contains("upward_outbox_pending 0"))
                    // The pools' size, and no connection left held once requests are done.
                    #expect((MetricsTests.value("upward_db_connections", in: text) ?? 0) >= 1)
                    #expect(MetricsTests.value("upward_db_connections_in_use", in: text) == 0)
                }
            }
        }

        @Test("connections in use count statements and transactions while they run, and fall back to zero after a failed transaction")
        func connectionsInUse() async throws {
            try await withUpward { app in
                @Sendable func inUse() -> Double? { MetricsTests.value("upward_db_connections_in_use", in: app.metrics.registry.emitToString()) }
                struct Stop: Error {}
                let seen = try await app.db.writeTransaction { db -> Double? in
                    _ = try await User.query(on: db).count()  // inside: the transaction's connection is counted once
                    return inUse()
                }
                #expect(seen == 1)
                await #expect(throws: Stop.self) { try await app.db.writeTransaction { _ in throw Stop() } }
                #expect(inUse() == 0)
            }
        }

        @Test("without a configured token there is no /metrics, and a short token is refused at start-up")
        func off() async throws {
            try await withUpward { app in
                _ = try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer anything-at-all-here"]) {
                    #expect($0.status == .notFound)
                }
            }
            #expect(throws: (any Error).self) { try UpwardConfiguration.from(environment: ["UPWARD_METRICS_TOKEN": "short"]) }
        }
    }
}

extension AppTests {
    @Suite("People API pages")
    struct PeopleAPIPageTests {
        @Test("per_page chooses the page size from 1 to 100; anything else is a 400 naming it")
        func perPage() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let token = try await world.token(world.managerA)
                let page = try await world.api(.GET, "/api/v1/people?per_page=3", token: token).content.decode(APIModel.PeoplePage.self)
                #expect(page.items.count == 3 && page.perPage == 3 && page.total > 3)
                let all = try await world.api(.GET, "/api/v1/people", token: token).content.decode(APIModel.PeoplePage.self)
                #expect(all.perPage == 50 && all.items.count == all.total)
                for bad in ["0", "101", "abc", "", "99999999999999999999"] {
                    let response = try await world.api(.GET, "/api/v1/people?per_page=\(bad)", token: token)
                    #expect(response.status == .badRequest && response.body.string.contains("per_page"), "\(bad)")
                }
                // The API is strict where the page's form is lenient: an empty filter is named, not read as "any".
                for name in ["page", "level", "generation"] {
                    let response = try await world.api(.GET, "/api/v1/people?per_page=3&\(name)=", token: token)
                    #expect(response.status == .badRequest && response.body.string.contains("\(name) must not be empty"), "\(name)")
                }
                let filtered = try await world.api(.GET, "/api/v1/people?per_page=2&page=2&level=3", token: token).content.decode(APIModel.PeoplePage.self)
                #expect(filtered.page <= 2 && filtered.perPage == 2 && filtered.items.allSatisfy { $0.level == 3 })
            }
        }

        @Test("an unfiltered page follows every change to the directory, made here or straight in the database by another instance")
        func pagesFollowChanges() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let token = try await world.token(world.managerA)
                let sql = try #require(app.db as? any SQLDatabase)
                let order = try #require(app.directoryOrder)
                func names(_ query: String) async throws -> (names: [String], total: Int) {
                    let page = try await world.api(.GET, "/api/v1/people?\(query)", token: token).content.decode(APIModel.PeoplePage.self)
                    return (page.items.map(\.name), page.total)
                }
                /// The database's own name order, which every page must follow.
                func stored(leavers: Bool) async throws -> [String] {
                    struct Row: Decodable { let name: String }
                    let filter: SQLQueryString = leavers ? "" : " WHERE termination_date IS NULL"
                    return try await sql.raw("SELECT name FROM people" + filter + " ORDER BY name, employee_id").all(decoding: Row.self).map(\.name)
                }
                func expectInOrder(_ step: String) async throws {
                    for leavers in [false, true] {
                        let expected = try await stored(leavers: leavers)
                        let whole = try await names("per_page=100" + (leavers ? "&leavers=1" : ""))
                        #expect(whole.names == expected && whole.total == expected.count, "\(step), leavers \(leavers)")
                        let second = try await names("per_page=3&page=2" + (leavers ? "&leavers=1" : ""))
                        #expect(second.names == Array(expected[3..<min(6, expected.count)]), "\(step), page 2, leavers \(leavers)")
                    }
                }
                try await expectInOrder("at first")
                // The API's pages come from the kept order, read once for all the views above while nothing changed.
                let reads = order.reads
                #expect(reads == 1)
                _ = try await names("per_page=3&page=3")
                #expect(order.reads == reads)

                // Added by an import: first in name order.
                let newcomer = PersonRecord(
                    employeeID: "N1", email: "n1@example.com", name: "Aaron Aardvark", department: "Sales", managerID: "CEO", level: 2, generation: .genZ)
                _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: ProgramWorld.people + [newcomer]))
                #expect(try await names("per_page=1").names == ["Aaron Aardvark"])
                try await expectInOrder("after an import")
                // Renamed by another instance: last in name order.
                try await sql.raw("UPDATE people SET name = 'Zoe Zzyzx' WHERE employee_id = 'J2'").run()
                let employed = try await names("per_page=100")
                #expect(employed.names.last == "Zoe Zzyzx" && !employed.names.contains("Jay Junior"))
                try await expectInOrder("after a rename")
                // Left, as another instance recorded it: gone from the default view, still among everyone.
                try await sql.raw("UPDATE people SET termination_date = '2026-04-30' WHERE employee_id = 'J3'").run()
                #expect(try await names("per_page=100").total == employed.total - 1)
                #expect(try await names("per_page=100&leavers=1").names.contains("Jin Junior"))
                try await expectInOrder("after a leaver")
                // Removed.
                try await sql.raw("DELETE FROM people WHERE employee_id = 'N1'").run()
                #expect(try await names("per_page=1").names != ["Aaron Aardvark"])
                try await expectInOrder("after a removal")
                // A new title or email, made by another instance: the kept listings are read again and show it.
                func listed(_ employeeID: String) async throws -> APIModel.PersonOut? {
                    try await world.api(.GET, "/api/v1/people?per_page=100", token: token).content.decode(APIModel.PeoplePage.self)
                        .items.first { $0.employeeId == employeeID }
                }
                let kept = order.reads
                try await sql.raw("UPDATE people SET title = 'Lead' WHERE employee_id = 'J4'").run()
                #expect(try await listed("J4")?.title == "Lead")
                try await sql.raw("UPDATE people SET email = 'j4.moved@example.com', location = 'Porto' WHERE employee_id = 'J4'").run()
                let moved = try await listed("J4")
                #expect(moved?.email == "j4.moved@example.com" && moved?.location == "Porto")
                #expect(order.reads == kept + 2)
                // A change no list shows (the row's update time) keeps them.
                try await sql.raw("UPDATE people SET updated_at = created_at WHERE employee_id = 'J4'").run()
                #expect(try await names("per_page=100").names == (try await stored(leavers: false)))
                #expect(order.reads == kept + 2)
            }
        }

        @Test(
            "the people API writes a page from the kept listings as the encoder writes the whole page read from the database, and a filtered page the same way")
        func keptPageBytes() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let token = try await world.token(world.managerA)
                let sql = try #require(app.db as? any SQLDatabase)
                // Text an encoder must escape, in a listed column.
                try await sql.raw(
                    "UPDATE people SET title = \(bind: "Head of \"AI\" / <Ops> \\ naïve 🚀\ttab"), location = NULL WHERE employee_id = 'J4'"
                ).run()
                let encoder = try ContentConfiguration.global.requireEncoder(for: .json)
                let plain = PeopleDirectory(db: app.db)
                for (query, directoryQuery) in [
                    (
                        "per_page=100",
                        PeopleDirectory.Query(text: nil, department: nil, level: nil, generation: nil, includeLeavers: false, page: 1, perPage: 100)
                    ),
                    (
                        "per_page=2&page=2&leavers=1",
                        PeopleDirectory.Query(text: nil, department: nil, level: nil, generation: nil, includeLeavers: true, page: 2, perPage: 2)
                    ),
                    (
                        "per_page=5&q=joy",
                        PeopleDirectory.Query(text: "joy", department: nil, level: nil, generation: nil, includeLeavers: false, page: 1, perPage: 5)
                    ),
                ] {
                    let response = try await world.api(.GET, "/api/v1/people?\(query)", token: token)
                    #expect(response.status == .ok && response.headers.contentType == .json)
                    // The same page read straight from the database and encoded whole.
                    var expected = ByteBufferAllocator().buffer(capacity: 0)
                    var headers = HTTPHeaders()
                    try encoder.encode(APIModel.PeoplePage(try await plain.search(directoryQuery)), to: &expected, headers: &headers)
                    // Foundation's encoder writes an object's keys in no fixed order, so the two are compared as JSON.
                    let (written, whole) = (Data(response.body.string.utf8), Data(expected.string.utf8))
                    #expect(
                        NSDictionary(dictionary: try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any]))
                            .isEqual(to: try #require(try JSONSerialization.jsonObject(with: whole) as? [String: Any])), "\(query)")
                    if !query.contains("page=2") { #expect(response.body.string.contains("naïve"), "\(query)") }
                }
                #expect(try #require(app.directoryOrder).reads == 1, "the two unfiltered pages came from the kept listings")
            }
        }

        @Test("a starting server reads the kept directory before its first view, which then reads nothing more")
        func warmUp() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let token = try await world.token(world.managerA)
                let (order, overview) = (try #require(app.directoryOrder), try #require(app.directoryOverview))
                #expect(order.reads == 0 && overview.reads == 0)
                try await DirectoryWarmUp().didBootAsync(app)
                #expect(order.reads == 1 && overview.reads == 1)
                let page = try await world.api(.GET, "/api/v1/people?per_page=2", token: token)
                #expect(page.status == .ok && order.reads == 1)
            }
        }

        @Test("views that find the directory changed at the same moment share one read of its order")
        func oneReadPerChange() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: ProgramWorld.people))
                let reads = NIOLockedValueBox(0)
                let cache = DirectoryOrderCache { version, db in
                    reads.withLockedValue { $0 += 1 }
                    try await Task.sleep(for: .milliseconds(200))
                    return try await DirectoryOrderCache.read(version: version, on: db)
                }
                let directory = PeopleDirectory(db: app.db, order: cache)
                let query = PeopleDirectory.Query(text: nil, department: nil, level: nil, generation: nil, includeLeavers: false, page: 1, perPage: 3)
                let expected = ProgramWorld.people.filter { !$0.hasLeft }.map(\.name).sorted()
                let sql = try #require(app.db as? any SQLDatabase)
                for round in 1...2 {
                    let pages = try await withThrowingTaskGroup(of: [String].self) { group in
                        for _ in 0..<20 { group.addTask { try await directory.search(query).items.map(\.name) } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(pages.count == 20 && pages.allSatisfy { $0 == Array(expected.prefix(3)) })
                    #expect(reads.withLockedValue { $0 } == round, "round \(round)")
                    // A change: the next twenty views read the order once more, together.
                    try await sql.raw("UPDATE people SET name = name WHERE employee_id = 'J4'").run()
                }
            }
        }

        @Test("a bearer token's last use is recorded to the minute; a revoked token is refused")
        func tokenLastUse() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            try await withUpward(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock)
                let token = try await world.token(world.managerA)
                let me = try await world.api(.GET, "/api/v1/me", token: token)
                #expect(me.status == .ok && me.body.string.contains(world.managerA.email))
                let first = try #require(try await APIToken.query(on: app.db).first()?.lastUsedAt)
                clock.advance(by: 30)
                _ = try await world.api(.GET, "/api/v1/me", token: token)
                #expect(try await APIToken.query(on: app.db).first()?.lastUsedAt == first)
                clock.advance(by: 60)
                _ = try await world.api(.GET, "/api/v1/me", token: token)
                #expect(try await APIToken.query(on: app.db).first()?.lastUsedAt.map { $0 > first } == true)
                try await APIToken.query(on: app.db).set(\.$revokedAt, to: clock.now).update()
                #expect(try await world.api(.GET, "/api/v1/me", token: token).status == .unauthorized)
            }
        }
    }
}

extension AppTests {
    @Suite("Scheduled jobs across instances")
    struct JobLeaseTests {
        @Test("a job's lease goes to one instance per interval; the other skips until it lapses, then either may take it")
        func onePerInterval() async throws {
            try await withUpward { app in
                let start = Date(timeIntervalSince1970: 1_800_000_000)
                let a = JobLease(db: app.db, holder: "instance-a")
                let b = JobLease(db: app.db, holder: "instance-b")
                #expect(try await a.take("housekeeping", for: 48, now: start))
                #expect(try await !b.take("housekeeping", for: 48, now: start.addingTimeInterval(30)))
                #expect(try await !a.take("housekeeping", for: 48, now: start.addingTimeInterval(47)))
                // Another job has its own lease.
                #expect(try await b.take("digest", for: 48, now: start.addingTimeInterval(30)))
                // A holder that stopped: the lease lapses and the other instance takes over.
                #expect(try await b.take("housekeeping", for: 48, now: start.addingTimeInterval(60)))
                #expect(try await !a.take("housekeeping", for: 48, now: start.addingTimeInterval(61)))
                // Concurrent ticks at the same moment: exactly one wins.
                let later = start.addingTimeInterval(200)
                let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<8 { group.addTask { try await JobLease(db: app.db, holder: "i\(index)").take("housekeeping", for: 48, now: later) } }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(wins == 1)
            }
        }

        @Test("stopping waits for a scheduled job's run under way, and no run starts after it")
        func stopWaitsForRun() async throws {
            try await withUpward { app in
                let counts = NIOLockedValueBox((started: 0, finished: 0))
                let job = RepeatingJob(name: "slow", every: 0.02, after: 0) { _ in
                    counts.withLockedValue { $0.started += 1 }
                    try await Task.sleep(for: .milliseconds(300))
                    counts.withLockedValue { $0.finished += 1 }
                    return nil
                }
                try job.didBoot(app)
                while counts.withLockedValue({ $0.started }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
                await job.shutdownAsync(app)
                let stopped = counts.withLockedValue { $0 }
                #expect(stopped.started >= 1 && stopped.finished == stopped.started)
                try await Task.sleep(for: .milliseconds(100))
                #expect(counts.withLockedValue { $0.started } == stopped.started)
            }
        }
    }
}

extension AppTests {
    @Suite("Program page at scale")
    struct ProgramPagePagingTests {
        @Test("the program page takes people= and pairs= page numbers; a bad one is a 400 naming it, and a page past the end is empty, not an error")
        func paging() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            try await withUpward(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock)
                _ = try await world.goLive()
                let manager = try await world.signIn(manager: world.managerA)
                let path = SitePath.program(world.programA.id!)
                let first = try await manager.get(path + "?people=1&pairs=1")
                #expect(first.status == .ok)
                #expect(first.body.string.contains("% on average") || first.body.string.contains("none yet"))
                for bad in ["people=0", "pairs=-1", "pairs=abc", "people=100001"] {
                    let response = try await manager.get(path + "?" + bad)
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(response.body.string.contains(bad.hasPrefix("people") ? "people" : "pairs"))
                }
                let past = try await manager.get(path + "?pairs=50")
                #expect(past.status == .ok && !past.body.string.contains("% on average"))
            }
        }
    }
}

extension AppTests {
    @Suite("Database outages")
    struct DatabaseOutageTests {
        @Test("a PostgreSQL statement unanswered past the time limit fails, frees its connection, and is a 503 with Retry-After")
        func statementTimeout() async throws {
            guard TestDatabase.isPostgres else { return }  // the limit wraps only the PostgreSQL driver
            try await withUpward(configure: {
                $0.statementTimeoutSeconds = 1; $0.postgresConnectionsPerLoop = 1
            }) { app in
                let sql = try #require(app.db as? any SQLDatabase)
                let started = Date()
                await #expect(throws: DatabaseOutage.Timeout.self) { try await sql.raw("SELECT pg_sleep(3)").run() }
                #expect(Date().timeIntervalSince(started) < 2.5)
                // The one pooled connection per loop went back to the pool: once the server is done with the
                // slow statement, the next ones run on it (a dead connection would be replaced instead).
                try await Task.sleep(for: .seconds(2.5))
                for _ in 0..<4 { #expect(try await sql.raw("SELECT 1 AS ok").first(decoding: [String: Int].self)?["ok"] == 1) }
                let (status, _, headers) = PageErrorMiddleware.describe(DatabaseOutage.Timeout())
                #expect(status == .serviceUnavailable && headers.first(name: "Retry-After") == "5")
            }
        }

        @Test("a database the server cannot reach is a 503 with Retry-After, not a 500")
        func unreachable() async throws {
            let refused = IOError(errnoCode: ECONNREFUSED, reason: "connect")
            #expect(DatabaseOutage.matches(refused) && DatabaseOutage.matches(ChannelError.ioOnClosedChannel))
            #expect(PageErrorMiddleware.describe(refused).0 == .serviceUnavailable)
            struct Bug: Error {}
            #expect(!DatabaseOutage.matches(Bug()))
            // A file that cannot be read is a fault of ours, not the database's.
            #expect(!DatabaseOutage.matches(IOError(errnoCode: ENOENT, reason: "open")))
            #expect(PageErrorMiddleware.describe(Bug()).0 == .internalServerError)
        }
    }
}

extension AppTests.MetricsTests {
    @Test("each run of a background job is timed by job, finished or failed; a tick that finds the lease elsewhere is not")
    func jobDurations() async throws {
        try await withUpward(configure: { $0.metricsToken = Self.token }) { app in
            struct Broken: Error {}
            let runs = NIOLockedValueBox(0)
            // Two runs of 30 ms or more: the first finishes, the second fails.
            let job = RepeatingJob(name: "timed", every: 0.05, after: 0) { _ in
                let run = runs.withLockedValue { count -> Int in
                    count += 1
                    return count
                }
                try await Task.sleep(for: .milliseconds(30))
                if run == 2 { throw Broken() }
                return nil
            }
            try job.didBoot(app)
            while runs.withLockedValue({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
            await job.shutdownAsync(app)
            let ran = runs.withLockedValue { $0 }
            // The lease of a leased job is held by another instance: its tick does no work and is not timed.
            _ = try await JobLease(db: app.db, holder: "other-instance").take("leased-elsewhere", for: 60, now: app.upward.clock.now)
            let elsewhere = RepeatingJob(name: "leased-elsewhere", every: 0.02, after: 0, leased: true) { _ in nil }
            try elsewhere.didBoot(app)
            for _ in 0..<500 where !app.metrics.registry.emitToString().contains(#"job="leased-elsewhere",outcome="elsewhere""#) {
                try await Task.sleep(for: .milliseconds(10))
            }
            await elsewhere.shutdownAsync(app)
            var text = ""
            try await app.testing().test(.GET, "/metrics", headers: ["Authorization": "Bearer \(Self.token)"]) { text = $0.body.string }
            #expect(Self.value(#"upward_job_duration_seconds_count{job="timed"}"#, in: text) == Double(ran), "\(text)")
            // Every run slept 30 ms: none is in the 10 ms bucket, all are in the 50 ms one or above.
            #expect(Self.value(#"upward_job_duration_seconds_bucket{job="timed",le="0.01"}"#, in: text) == 0)
            #expect((Self.value(#"upward_job_duration_seconds_sum{job="timed"}"#, in: text) ?? 0) >= 0.03 * Double(ran))
            #expect(text.contains(#"upward_job_runs_total{job="timed",outcome="failed"} 1"#))
            #expect(text.contains(#"upward_job_runs_total{job="leased-elsewhere",outcome="elsewhere"}"#))
            #expect(!text.contains(#"upward_job_duration_seconds_count{job="leased-elsewhere"}"#))
        }
    }
}
