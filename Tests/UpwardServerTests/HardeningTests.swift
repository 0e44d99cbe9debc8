import Fluent
import Foundation
import NIOCore
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Hardening: no request input reaches a trap")
    struct RequestInputTests {
        static let hostileValues = [
            "-1", "0", "17", "999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e9", "abc", "%00", "%09",
            "%F0%9F%98%80", String(repeating: "9", count: 400), "1.5", "",
        ]
        static let parameters = ["page", "level", "q", "department", "generation", "leavers", "next", "per", "id"]

        @Test("every query parameter of every GET route, with out-of-range, negative, huge and non-numeric values: 4xx or a page, never a 500")
        func fuzzQueries() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                // 30 people: two pages of 25, so page 17 is past the end.
                let rows = (1...30).map { Fixtures.personRow("P\($0)", level: 1 + $0 % 15) }
                _ = try await PeopleDirectory(db: app.db).importPeople(csv: Fixtures.csv(rows))
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                let getRoutes = SiteRoute.all.filter { $0.method == .GET }
                #expect(getRoutes.count >= 5)
                for route in getRoutes {
                    let path = route.path(UUID().uuidString)
                    for parameter in Self.parameters {
                        for value in Self.hostileValues {
                            let response = try await browser.get("\(path)?\(parameter)=\(value)")
                            #expect(response.status.code < 500, "\(path)?\(parameter)=\(value) gave \(response.status)")
                        }
                    }
                }
                let past = try await browser.get("/admin/people?page=17")
                #expect(past.status == .ok)
                #expect(past.body.string.contains("26–30 of 30"))
                #expect(try await browser.get("/admin/people?page=9223372036854775807").status == .ok)
                let negative = try await browser.get("/admin/people?page=-1")
                #expect(negative.status == .badRequest)
                #expect(negative.body.string.contains("page must be a whole number of 1 or more"))
                #expect(try await browser.get("/admin/people/not-a-uuid").status == .badRequest)
                #expect(try await app.testing().sendRequest(.GET, "/health").status == .ok)
            }
        }
    }

    @Suite("Hardening: sign-in limits that can't be dodged")
    struct SignInHardeningTests {
        @Test("every response carries a request id of our own, errors and static files included; a client's X-Request-Id is not believed")
        func requestIDs() async throws {
            try await withUpward { app in
                var seen: Set<String> = []
                for (path, status) in [("/health", HTTPStatus.ok), ("/css/upward.css", .ok), ("/no-such-page", .notFound), ("/api/v1/me", .unauthorized)] {
                    try await app.testing().test(.GET, path, headers: ["X-Request-Id": "spoofed-id"]) { response in
                        #expect(response.status == status, "\(path)")
                        let id = try #require(response.headers.first(name: RequestIDMiddleware.header), "\(path)")
                        #expect(UUID(uuidString: id) != nil && id != "spoofed-id", "\(path): \(id)")
                        seen.insert(id)
                    }
                }
                #expect(seen.count == 4)
            }
        }

        @Test("with the proxy not trusted, spoofed X-Forwarded-For and Forwarded headers don't change the address")
        func spoofedHeadersIgnored() async throws {
            try await withUpward(configure: { $0.maxFailuresPerAddress = 6 }) { app in
                try await TestAccounts.create(on: app)
                for i in 0..<6 {
                    let attacker = Browser(app)
                    attacker.headers.replaceOrAdd(name: "X-Forwarded-For", value: "198.51.100.\(i)")
                    attacker.headers.replaceOrAdd(name: "Forwarded", value: "for=203.0.113.\(i)")
                    #expect(try await attacker.signIn("nobody\(i)@example.com", "wrong password here").status == .unauthorized)
                }
                let attacker = Browser(app)
                attacker.headers.replaceOrAdd(name: "X-Forwarded-For", value: "192.0.2.77")
                let locked = try await attacker.signIn("someone-else@example.com", "wrong password here")
                #expect(locked.status == .tooManyRequests)
                #expect(locked.body.string.contains("Too many failed sign-ins from your network"))
                let addresses = try await LoginAttempt.query(on: app.db).all().map(\.address)
                #expect(!addresses.contains { $0.hasPrefix("198.51.100") || $0.hasPrefix("203.0.113") })
            }
        }

        @Test("behind a trusted proxy the address is the entry the proxy added (the last), not the client's first")
        func trustedProxyRightmost() async throws {
            try await withUpward(
                configure: {
                    $0.trustProxy = true
                    $0.maxFailuresPerAddress = 5
                }
            ) { app in
                try await TestAccounts.create(on: app)
                for i in 0..<5 {
                    let client = Browser(app)
                    client.headers.replaceOrAdd(name: "X-Forwarded-For", value: "10.9.9.\(i), 203.0.113.50")
                    #expect(try await client.signIn("nobody\(i)@example.com", "wrong password here").status == .unauthorized)
                }
                let client = Browser(app)
                client.headers.replaceOrAdd(name: "X-Forwarded-For", value: "10.9.9.99, 203.0.113.50")
                #expect(try await client.signIn("other@example.com", "wrong password here").status == .tooManyRequests)
                let other = Browser(app)
                other.headers.replaceOrAdd(name: "X-Forwarded-For", value: "203.0.113.50, 203.0.113.51")
                #expect(try await other.signIn("other@example.com", "wrong password here").status == .unauthorized)
            }
        }

        @Test("20 parallel wrong passwords: at most the limit are checked, the rest are refused as locked")
        func parallelGuesses() async throws {
            try await withUpward(configure: { $0.maxFailuresPerAddress = 1000 }) { app in
                try await TestAccounts.create(on: app)
                // Each guess from its own browser: a CSRF cookie and token, then all posted at once.
                var requests: [(cookie: String, body: String)] = []
                for _ in 0..<20 {
                    let browser = Browser(app)
                    try await browser.get("/login")
                    let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                    let body = "email=\(Browser.encode(TestAccounts.adminEmail))&password=wrong+password+here&_csrf=\(browser.csrf ?? "")"
                    requests.append((cookie, body))
                }
                let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                    for request in requests {
                        group.addTask {
                            let headers: HTTPHeaders = ["Cookie": request.cookie, "Content-Type": "application/x-www-form-urlencoded"]
                            return try await app.testing().sendRequest(.POST, "/login", headers: headers, body: ByteBuffer(string: request.body)).status
                        }
                    }
                    return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .unauthorized }.count <= app.upward.configuration.maxFailuresPerAccount)
                #expect(statuses.filter { $0 == .tooManyRequests }.count >= 20 - app.upward.configuration.maxFailuresPerAccount)
                // Locked guesses leave no record; each checked guess leaves one failure.
                let failures = try await LoginAttempt.query(on: app.db).filter(\.$succeeded == false).count()
                #expect(failures == statuses.filter { $0 == .unauthorized }.count)
            }
        }

        @Test("a next target with a tab, line break or backslash goes home, not to another site")
        func controlCharactersInNext() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                for next in ["/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\\evil.example", "/a\\b", "/\u{7F}/x"] {
                    let browser = Browser(app)
                    try await browser.get("/login")
                    let response = try await browser.post("/login", form: ["email": TestAccounts.adminEmail, "password": TestAccounts.password, "next": next])
                    let expected = next == "/%09/evil.example" ? "/%09/evil.example" : "/"
                    #expect(response.location == expected, "next=\(next.debugDescription)")
                }
                #expect(SitePath.safeRedirect("/\t/evil.example") == "/")
                #expect(SitePath.safeRedirect("/admin/people?page=2") == "/admin/people?page=2")
            }
        }

        @Test("an email of any length is cut before anything is stored")
        func longEmail() async throws {
            try await withUpward(configure: { $0.uploadLimitBytes = 1 << 20 }) { app in
                let browser = Browser(app)
                try await browser.get("/login")
                let response = try await browser.post(
                    "/login", form: ["email": String(repeating: "a", count: 10_000) + "@x.com", "password": "whatever it is"])
                #expect(response.status == .unauthorized)
                #expect(try await LoginAttempt.query(on: app.db).all().allSatisfy { $0.email.utf8.count <= FieldRules.maximumEmailLength })
            }
        }

        @Test("a hash made with a lower cost than configured is re-hashed at the next sign-in")
        func rehash() async throws {
            try await withUpward(configure: { $0.bcryptCost = 5 }) { app in
                let weak = try Bcrypt.hash(TestAccounts.password, cost: 4)
                try await User(email: "old@example.com", name: "Old Hash", passwordHash: weak, role: .admin).create(on: app.db)
                #expect(try await Browser(app).signIn("old@example.com", TestAccounts.password).status == .seeOther)
                let user = try #require(try await User.query(on: app.db).filter(\.$email == "old@example.com").first())
                #expect(user.passwordHash.hasPrefix("$2b$05$"))
                #expect(try await Browser(app).signIn("old@example.com", TestAccounts.password).status == .seeOther)
            }
        }
    }

    @Suite("Hardening: sessions and request bodies cost anonymous clients nothing")
    struct SessionCostTests {
        @Test("anonymous page views and unknown cookies create no session; sign-in creates one; expired ones are removed")
        func sessionRows() async throws {
            let clock = FixedClock()
            try await withUpward(clock: clock) { app in
                try await TestAccounts.create(on: app)
                for _ in 0..<5 { _ = try await app.testing().sendRequest(.GET, "/login") }
                _ = try await app.testing().sendRequest(.GET, "/", headers: ["Cookie": "\(SessionCookie.name)=\(SessionStore.newToken())"])
                _ = try await app.testing().sendRequest(.GET, "/login", headers: ["Cookie": "\(SessionCookie.name)=junk"])
                #expect(try await StoredSession.query(on: app.db).count() == 0)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(try await StoredSession.query(on: app.db).count() == 1)
                // The database keeps only a hash of the token.
                let stored = try #require(try await StoredSession.query(on: app.db).first())
                #expect(stored.tokenHash != browser.cookie)
                try await Browser(app).signIn(TestAccounts.adminEmail, "wrong password here")
                clock.advance(by: app.upward.configuration.sessionLifetime + 1)
                clock.advance(by: 86_400)
                let report = try await Housekeeping(db: app.db, environment: app.upward).run()
                #expect(report.expiredSessions == 1)
                #expect(try await StoredSession.query(on: app.db).count() == 0)
                #expect(try await LoginAttempt.query(on: app.db).count() == 0)
            }
        }

        @Test("a session is read with its account in one query; an older session without the column, a row naming another account, a deleted account")
        func sessionAccount() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let junior = try #require(try await User.query(on: app.db).filter(\.$email == TestAccounts.participantEmail).first())
                let manager = try #require(try await User.query(on: app.db).filter(\.$email == TestAccounts.adminEmail).first())
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.participantEmail, TestAccounts.password)
                let stored = try #require(try await StoredSession.query(on: app.db).first())
                #expect(stored.userID == junior.id)
                #expect(try await browser.get("/").body.string.contains("Welcome, Jo"))
                // Sessions stored before the column existed name nobody there: read by the id in their values.
                try await app.db.sql().raw("UPDATE sessions SET user_id = NULL").run()
                #expect(try await browser.get("/").body.string.contains("Welcome, Jo"))
                // The column never outranks the session's own values: a row pointing elsewhere signs in nobody else.
                try await app.db.sql().raw("UPDATE sessions SET user_id = \(bind: manager.id!)").run()
                let page = try await browser.get("/")
                #expect(page.body.string.contains("Welcome, Jo") && !page.body.string.contains("Welcome, Pat"))
                // An account that is gone ends the session.
                try await app.db.sql().raw("UPDATE sessions SET user_id = \(bind: junior.id!)").run()
                try await app.db.sql().raw("DELETE FROM users WHERE id = \(bind: junior.id!)").run()
                let after = try await browser.get("/")
                #expect(after.status == .seeOther)
                #expect(try await StoredSession.query(on: app.db).count() == 0)
            }
        }

        @Test("token hashes are SHA-256 in lowercase hex, as stored by earlier releases")
        func tokenHash() {
            #expect(SessionStore.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(SessionStore.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }

        @Test("every file in the public folder is served under a static prefix")
        func publicFiles() async throws {
            try await withUpward { app in
                let root = URL(fileURLWithPath: app.directory.publicDirectory)
                let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
                var served = 0
                for case let url as URL in files where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                    let path = "/" + url.path.dropFirst(root.path.count).drop { $0 == "/" }
                    let response = try await app.testing().sendRequest(.GET, path)
                    #expect(response.status == .ok, "\(path)")
                    served += 1
                }
                #expect(served > 0)
            }
        }

        @Test("a form post with a body over 16 KB is refused with 413; the upload takes up to its own limit")
        func bodyLimits() async throws {
            try await withUpward(configure: { $0.uploadLimitBytes = 64 * 1024 }) { app in
                try await TestAccounts.create(on: app)
                // Over a real socket: in memory, Vapor hands the whole body over before any limit applies.
                // Port 0, a free one the system gives: a random one could be held by another test run.
                let live = Application.Method.running(hostname: "127.0.0.1", port: 0)
                let anonymous = Browser(app)
                anonymous.method = live
                try await anonymous.get("/login")
                let big = try await anonymous.post("/login", form: ["email": "a@b.co", "password": String(repeating: "x", count: 40_000)])
                #expect(big.status == .payloadTooLarge)
                // Without the CSRF cookie nothing is read at all.
                let blind = try await app.testing(method: live).sendRequest(
                    .POST, "/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: String(repeating: "x", count: 40_000)))
                #expect(blind.status == .forbidden)

                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                browser.method = live
                try await browser.get("/admin/people/import")
                var csv = Fixtures.peopleHeader + "\n"
                var n = 0
                while csv.utf8.count < 40_000 {
                    n += 1
                    csv += Fixtures.personRow("B\(n)") + "\n"
                }
                #expect(try await browser.upload("/admin/people/import", data: Data(csv.utf8)).status == .ok)
                try await browser.get("/admin/people/import")
                let tooBig = try await browser.upload("/admin/people/import", data: Data(String(repeating: csv, count: 2).utf8))
                #expect(tooBig.status == .payloadTooLarge)
            }
        }

        @Test("a file that isn't UTF-8, uploaded through the page, is refused with a reason")
        func nonUTF8Upload() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                try await browser.get("/admin/people/import")
                let latin1 = Data("employee_id,email,name,department,level\nX1,x@example.com,Jos\u{E9},Ops,3\n".utf8).map { $0 == 0xC3 ? 0xE9 : $0 }
                let response = try await browser.upload("/admin/people/import", data: Data(latin1.filter { $0 != 0xA9 }))
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains("not valid UTF-8"))
                #expect(try await Person.query(on: app.db).count() == 0)
            }
        }
    }

    @Suite("Hardening: responses")
    struct ResponseHeaderTests {
        @Test("security headers everywhere; no-store on everything but static files; base-uri in the CSP")
        func headers() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                let page = try await browser.get("/admin/people")
                let css = try await app.testing().sendRequest(.GET, SitePath.stylesheet)
                let missing = try await browser.get("/no/such/page")
                let health = try await app.testing().sendRequest(.GET, "/health")
                #expect(css.status == .ok)
                #expect(missing.status == .notFound)
                for response in [page, css, missing, health] {
                    #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                    #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
                    #expect(response.headers.first(name: "Content-Security-Policy")?.contains("base-uri 'none'") == true)
                }
                #expect(page.headers.first(name: .cacheControl) == "no-store")
                #expect(missing.headers.first(name: .cacheControl) == "no-store")
                #expect(css.headers.first(name: .cacheControl) == "no-cache")
            }
        }

        @Test("in production an internal error is a generic 500 page with the headers, never the error's text")
        func genericErrors() async throws {
            let app = try await Application.make(.production)
            do {
                let configuration = UpwardConfiguration(storage: TestDatabase.storage, bcryptCost: 4)
                try await configure(app, environment: UpwardEnvironment(configuration: configuration))
                struct Leak: Error, CustomStringConvertible { var description: String { "SECRET-connection-string" } }
                app.get("explode") { _ -> String in throw Leak() }
                for accept in ["text/html", "application/json"] {
                    let response = try await app.testing().sendRequest(.GET, "/explode", headers: ["Accept": accept])
                    #expect(response.status == .internalServerError)
                    #expect(!response.body.string.contains("SECRET"))
                    #expect(!response.body.string.contains("Leak"))
                    #expect(response.body.string.contains("Something went wrong on our side"))
                    #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
                }
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        }
    }
}
