import Fluent
import Foundation
import Testing
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Who may reach what")
    struct AccessTests {
        /// Every registered route, with parameters filled in.
        static func routes(of app: Application) -> [(HTTPMethod, String)] {
            app.routes.all.map { route in
                let path = route.path.map { component -> String in
                    switch component {
                    case .parameter: UUID().uuidString
                    case .constant(let value): value
                    case .anything, .catchall: "x"
                    }
                }
                return (route.method, "/" + path.joined(separator: "/"))
            }
        }

        @Test("exactly the routes SiteRoute declares are registered, each once")
        func registeredRoutesMatchSiteRoutes() async throws {
            try await withUpward { app in
                let registered = app.routes.all.map { "\($0.method) /" + $0.path.map(\.description).joined(separator: "/") }
                let api =
                    APIRoute.all.filter { !$0.registeredBySite }.map { "\($0.method) /" + $0.components.map(\.description).joined(separator: "/") } + [
                        "GET /api/v1/openapi.json"
                    ]
                #expect(registered.sorted() == (SiteRoute.all.map(\.description) + api).sorted())
            }
        }

        @Test("an anonymous visitor is sent to sign in from every non-public route")
        func anonymousRedirected() async throws {
            try await withUpward { app in
                let routes = Self.routes(of: app).filter { route in
                    !route.1.hasPrefix("/api/") && !SiteRoute.all.contains { $0.access == .anyone && $0.method == route.0 && Self.matches($0.pattern, route.1) }
                }
                #expect(routes.count >= 5)
                for (method, path) in routes {
                    let browser = Browser(app)
                    try await browser.get("/login")  // a CSRF token, so POSTs fail on auth, not on the token
                    let response =
                        method == .GET
                        ? try await browser.get(path)
                        : try await browser.send(
                            method, path, contentType: "application/x-www-form-urlencoded", body: .init(string: "_csrf=\(browser.csrf ?? "")"))
                    #expect(response.status == .seeOther, "\(method) \(path)")
                    #expect(response.location?.hasPrefix("/login") == true, "\(method) \(path)")
                    let json = try await app.testing().sendRequest(method, path, headers: ["Accept": "application/json"])
                    #expect(json.status == .unauthorized, "\(method) \(path) as JSON")
                }
            }
        }

        /// Whether a concrete path fits a `/a/:b` pattern.
        static func matches(_ pattern: String, _ path: String) -> Bool {
            let a = pattern.split(separator: "/")
            let b = path.split(separator: "/")
            return a.count == b.count && zip(a, b).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }

        @Test("the API answers 401 without a token on every operation that needs one, and never reads the session cookie")
        func apiNeedsToken() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                for route in APIRoute.all where route.access != .anyone {
                    let path = "/" + route.components.map { $0.description.hasPrefix(":") ? UUID().uuidString : $0.description }.joined(separator: "/")
                    let anonymous = try await app.testing().sendRequest(
                        route.method, path, headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "{}"))
                    #expect(anonymous.status == .unauthorized, "\(route.method) \(path)")
                    #expect(anonymous.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
                    // A signed-in browser's cookie is no credential for the API.
                    let withCookie = try await browser.send(
                        route.method, path, accept: "application/json", contentType: "application/json", body: ByteBuffer(string: "{}"))
                    #expect(withCookie.status == .unauthorized, "\(route.method) \(path) with a session cookie")
                    let forged = try await app.testing().sendRequest(route.method, path, headers: ["Authorization": "Bearer upw_forged"])
                    #expect(forged.status == .unauthorized)
                }
            }
        }

        @Test("a participant gets 403 on every program-manager route")
        func participantForbidden() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.participantEmail, TestAccounts.password)
                try await browser.get("/")
                let managerPatterns = SiteRoute.all.filter { $0.access == .programManager }
                let adminRoutes = Self.routes(of: app).filter { route in
                    managerPatterns.contains { $0.method == route.0 && Self.matches($0.pattern, route.1) }
                }
                #expect(adminRoutes.count >= 20)
                for (method, path) in adminRoutes {
                    let response = method == .GET ? try await browser.get(path) : try await browser.post(path)
                    #expect(response.status == .forbidden, "\(method) \(path)")
                    #expect(response.body.string.contains("This page is for program managers."))
                }
                // The same through the API, with the participant's own token.
                let user = try #require(try await User.query(on: app.db).filter(\.$email == TestAccounts.participantEmail).first())
                let (_, token) = try await APITokens(db: app.db, clock: app.upward.clock).create(for: user, name: "t", by: nil)
                for route in APIRoute.all where route.access == .programManager {
                    let path = "/" + route.components.map { $0.description.hasPrefix(":") ? UUID().uuidString : $0.description }.joined(separator: "/")
                    let response = try await app.testing().sendRequest(
                        route.method, path, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: ByteBuffer(string: "{}"))
                    #expect(response.status == .forbidden, "\(route.method) \(path)")
                }
            }
        }

        @Test("a program manager reaches the admin pages")
        func adminAllowed() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                #expect(try await browser.get("/admin/people").status == .ok)
                #expect(try await browser.get("/admin/people/import").status == .ok)
            }
        }

        @Test("a form posted without the CSRF token is refused with 403 and changes nothing")
        func csrf() async throws {
            try await withUpward { app in
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.get("/login")
                let noToken = try await browser.post("/login", form: ["email": TestAccounts.adminEmail, "password": TestAccounts.password], csrf: false)
                #expect(noToken.status == .forbidden)
                #expect(noToken.body.string.contains("The form has expired"))
                let forged = try await browser.post(
                    "/login", form: ["email": TestAccounts.adminEmail, "password": TestAccounts.password, "_csrf": "forged"], csrf: false)
                #expect(forged.status == .forbidden)

                try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
                try await browser.get("/admin/people/import")
                let upload = try await browser.upload(
                    "/admin/people/import", data: Data("employee_id,email,name,department,level\nX1,x1@example.com,X,Ops,3\n".utf8), csrf: false)
                #expect(upload.status == .forbidden)
                #expect(try await Person.query(on: app.db).count() == 0)
                // Logging out needs the token too, so another site cannot sign you out.
                #expect(try await browser.post("/logout", csrf: false).status == .forbidden)
                #expect(try await browser.get("/").status == .ok)
            }
        }

        @Test("health answers without sign-in and reports the database")
        func health() async throws {
            try await withUpward { app in
                let response = try await app.testing().sendRequest(.GET, "/health")
                #expect(response.status == .ok)
                struct Body: Decodable {
                    struct DB: Decodable {
                        let status: String
                        let driver: String
                    }
                    let status: String
                    let database: DB
                }
                let body = try response.content.decode(Body.self)
                #expect(body.status == "ok")
                #expect(body.database.status == "ok")
                #expect(body.database.driver == (TestDatabase.isPostgres ? "postgresql" : "sqlite"))
                #expect(response.headers.setCookie == nil)
            }
        }
    }
}
