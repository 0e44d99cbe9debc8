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

    @Suite("Rate limiting the API")
    struct APIRateLimitTests {
        @Test("a token over its rate gets 429 with Retry-After; another token is unaffected")
        func perToken() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring), configure: { $0.apiRatePerToken = 1 }) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let busy = try await world.token(world.managerA)
                let calm = try await world.token(world.managerB)
                var statuses: [HTTPStatus] = []
                for _ in 0..<6 { statuses.append(try await world.api(.GET, "/api/v1/me", token: busy).status) }
                // A burst of two (twice the rate), then refused (a token comes back each second).
                #expect(statuses.prefix(2).allSatisfy { $0 == .ok } && statuses.contains(.tooManyRequests), "\(statuses)")
                let refused = try await world.api(.GET, "/api/v1/me", token: busy)
                #expect(refused.status == .tooManyRequests)
                #expect(Int(refused.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
                #expect(refused.body.string.contains("Too many requests with this token"))
                #expect(try await world.api(.GET, "/api/v1/me", token: calm).status == .ok)
                // The site's pages are not the API's budget.
                #expect(try await app.testing().sendRequest(.GET, "/health").status == .ok)
            }
        }

        @Test("an address over its rate gets 429 whatever token or X-Forwarded-For it sends")
        func perAddress() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring), configure: { $0.apiRatePerAddress = 0.2 }) { app in
                var statuses: [HTTPStatus] = []
                for index in 0..<10 {
                    let headers: HTTPHeaders = ["Authorization": "Bearer not-a-token-\(index)", "X-Forwarded-For": "198.51.100.\(index)"]
                    statuses.append(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers).status)
                }
                // A burst of one, and the next token only comes back after five seconds.
                #expect(statuses.first == .unauthorized && statuses.dropFirst().allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            }
        }
    }
}
