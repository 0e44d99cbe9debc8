import Fluent
import Foundation
import Testing
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Signing in and out")
    struct AuthTests {
        @Test("the right password signs in and lands on the home page")
        func signInSuccess() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                let response = try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(response.status == .seeOther)
                #expect(response.location == "/")
                let home = try await browser.get("/")
                #expect(home.status == .ok)
                #expect(home.body.string.contains("Welcome, Pat"))
            }
        }

        @Test("a wrong password or unknown email is refused with the same message")
        func signInFailure() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                let wrong = try await browser.signIn(TestAccounts.adminEmail, "not the password at all")
                #expect(wrong.status == .unauthorized)
                #expect(wrong.body.string.contains("Email or password is incorrect."))
                let unknown = try await browser.signIn("nobody@example.com", TestAccounts.password)
                #expect(unknown.status == .unauthorized)
                #expect(unknown.body.string.contains("Email or password is incorrect."))
                #expect(try await browser.get("/").status == .seeOther)
            }
        }

        @Test("the next page after sign-in is honoured, but only on this site")
        func nextRedirect() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                let bounce = try await browser.get("/admin/people?department=Sales")
                #expect(bounce.location == "/login?next=%2Fadmin%2Fpeople%3Fdepartment%3DSales")
                try await browser.get("/login")
                let response = try await browser.post(
                    "/login", form: ["email": TestAccounts.adminEmail, "password": TestAccounts.password, "next": "/admin/people?department=Sales"])
                #expect(response.location == "/admin/people?department=Sales")
                let evil = Browser(app)
                try await evil.get("/login")
                let offsite = try await evil.post(
                    "/login", form: ["email": TestAccounts.adminEmail, "password": TestAccounts.password, "next": "//evil.example/x"])
                #expect(offsite.location == "/")
            }
        }

        @Test("signing in issues a new session id and the old one stops working")
        func sessionRenewal() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                // The visitor was signed in before (a known session), then someone else signs in on this browser.
                try await browser.signIn(TestAccounts.participantEmail, TestAccounts.password)
                let before = try #require(browser.cookie)
                try await browser.get("/")
                try await browser.post("/login", form: ["email": TestAccounts.adminEmail, "password": TestAccounts.password])
                let after = try #require(browser.cookie)
                #expect(before != after)
                // A visitor holding the pre-login id (session fixation) is not signed in.
                let attacker = Browser(app)
                attacker.cookie = before
                #expect(try await attacker.get("/").status == .seeOther)
                #expect(try await browser.get("/").status == .ok)
            }
        }

        @Test("the session cookie is HttpOnly and SameSite, and Secure behind TLS")
        func cookieFlags() async throws {
            try await withUpward(configure: { $0.trustProxy = true }) { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                let plain = try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                let cookie = try #require(plain.headers.setCookie?[SessionCookie.name])
                #expect(cookie.isHTTPOnly)
                #expect(cookie.sameSite == .lax)
                #expect(!cookie.isSecure)
                let secure = Browser(app)
                secure.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "https")
                let tls = try await secure.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(tls.headers.setCookie?[SessionCookie.name]?.isSecure == true)
                #expect(try await secure.get("/login").headers.setCookie?[SessionCookie.name] == nil)
            }
        }

        @Test("sessions live in the database: after a restart the user is still signed in")
        func sessionsSurviveRestart() async throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("upward-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
            let storage = TestDatabase.isPostgres ? TestDatabase.storage : .sqliteFile(path: file)
            let cookie = try await withUpward(configure: { $0.storage = storage }) { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                return try #require(browser.cookie)
            }
            try await withUpward(reset: false, configure: { $0.storage = storage }) { app in
                let browser = Browser(app)
                browser.cookie = cookie
                let home = try await browser.get("/")
                #expect(home.status == .ok)
                #expect(home.body.string.contains("Welcome, Pat"))
            }
        }

        @Test("signing out ends the session")
        func signOut() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                let oldCookie = browser.cookie
                try await browser.get("/")
                let out = try await browser.post("/logout")
                #expect(out.location == "/login")
                let replay = Browser(app)
                replay.cookie = oldCookie
                #expect(try await replay.get("/").status == .seeOther)
            }
        }

        @Test("a sign-in expires after the configured lifetime")
        func expiry() async throws {
            let clock = FixedClock()
            try await withUpward(clock: clock) { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(try await browser.get("/").status == .ok)
                clock.advance(by: app.upward.configuration.sessionLifetime + 1)
                #expect(try await browser.get("/").status == .seeOther)
            }
        }
    }

    @Suite("Password rules")
    struct PasswordRuleTests {
        @Test("passwords under 12 characters or over 72 bytes are refused with a reason; nothing is created")
        func lengthRules() async throws {
            try await withUpward { app in
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                await #expect(throws: Accounts.Failure.weakPassword(.tooShort(characters: 11))) {
                    try await accounts.createUser(email: "a@example.com", name: "A", password: "short-pass1", role: .admin)
                }
                await #expect(throws: Accounts.Failure.weakPassword(.tooLong(bytes: 73))) {
                    try await accounts.createUser(email: "a@example.com", name: "A", password: String(repeating: "x", count: 73), role: .admin)
                }
                #expect(try await User.query(on: app.db).count() == 0)
                try await accounts.createUser(email: "a@example.com", name: "A", password: String(repeating: "x", count: 72), role: .admin)
                #expect(try await User.query(on: app.db).count() == 1)
            }
        }

        @Test("a 73-byte password whose first 72 bytes match is not accepted at sign-in")
        func noTruncation() async throws {
            try await withUpward { app in
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                let password = String(repeating: "p", count: 72)
                try await accounts.createUser(email: "long@example.com", name: "Long", password: password, role: .participant)
                let browser = Browser(app)
                #expect(try await browser.signIn("long@example.com", password + "EXTRA").status == .unauthorized)
                #expect(try await browser.signIn("long@example.com", password).status == .seeOther)
            }
        }

        @Test("an existing email is refused")
        func duplicateEmail() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                await #expect(throws: Accounts.Failure.emailTaken("pm@example.com")) {
                    try await accounts.createUser(email: "PM@example.com", name: "Twin", password: TestAccounts.password, role: .admin)
                }
            }
        }
    }
}
