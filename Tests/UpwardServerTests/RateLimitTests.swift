import Fluent
import Foundation
import Testing
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Rate limiting failed sign-ins")
    struct RateLimitTests {
        @Test("after 5 failures the account is locked, even for the right password, until the window passes")
        func perAccount() async throws {
            let clock = FixedClock()
            try await withUpward(clock: clock) { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                for _ in 0..<5 {
                    #expect(try await browser.signIn(TestAccounts.adminEmail, "wrong password here").status == .unauthorized)
                }
                let locked = try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(locked.status == .tooManyRequests)
                #expect(locked.body.string.contains("Too many failed sign-ins for this account"))
                #expect(locked.headers.first(name: "Retry-After") == "900")
                // Another account from the same address is unaffected.
                #expect(try await Browser(app).signIn(TestAccounts.participantEmail, TestAccounts.password).status == .seeOther)
                clock.advance(by: 15 * 60 + 1)
                #expect(try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password).status == .seeOther)
            }
        }

        @Test("a success clears the account's earlier failures")
        func successResets() async throws {
            let clock = FixedClock()
            try await withUpward(clock: clock) { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                for _ in 0..<4 { try await browser.signIn(TestAccounts.adminEmail, "wrong password here") }
                clock.advance(by: 1)
                #expect(try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password).status == .seeOther)
                clock.advance(by: 1)
                let fresh = Browser(app)
                for _ in 0..<4 { try await fresh.signIn(TestAccounts.adminEmail, "wrong password here") }
                clock.advance(by: 1)
                #expect(try await fresh.signIn(TestAccounts.adminEmail, TestAccounts.password).status == .seeOther)
            }
        }

        @Test("one address trying many accounts is locked out")
        func perAddress() async throws {
            let clock = FixedClock()
            try await withUpward(
                clock: clock,
                configure: {
                    $0.trustProxy = true; $0.maxFailuresPerAddress = 8
                }
            ) { app in
                try await TestAccounts.create(on: app)
                let attacker = Browser(app)
                attacker.headers.replaceOrAdd(name: "X-Forwarded-For", value: "203.0.113.9")
                for i in 0..<8 {
                    #expect(try await attacker.signIn("guess\(i)@example.com", "wrong password here").status == .unauthorized)
                }
                let blocked = try await attacker.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(blocked.status == .tooManyRequests)
                #expect(blocked.body.string.contains("Too many failed sign-ins from your network"))
                let colleague = Browser(app)
                colleague.headers.replaceOrAdd(name: "X-Forwarded-For", value: "198.51.100.4")
                #expect(try await colleague.signIn(TestAccounts.adminEmail, TestAccounts.password).status == .seeOther)
            }
        }
    }
}
