import Foundation
import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Middleware chain")
    struct MiddlewareChainTests {
        /// Writes its name into a shared log on the way in and on the way out; it answers itself
        /// (without the rest of the chain) when told to, and turns errors into a response when told to.
        struct Recorder: AsyncMiddleware {
            let name: String
            let log: NIOLockedValueBox<[String]>
            var answers = false
            var catches = false

            func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
                log.withLockedValue { $0.append("\(name) in") }
                if answers { return Response(status: .forbidden) }
                let response: Response
                do {
                    response = try await next.respond(to: request)
                } catch {
                    guard catches else { throw error }
                    log.withLockedValue { $0.append("\(name) caught") }
                    return Response(status: .serviceUnavailable)
                }
                log.withLockedValue { $0.append("\(name) out") }
                response.headers.add(name: "X-Seen", value: name)
                return response
            }
        }

        struct Terminal: AsyncResponder {
            let log: NIOLockedValueBox<[String]>
            var fails = false
            func respond(to request: Request) async throws -> Response {
                log.withLockedValue { $0.append("route") }
                if fails { throw Abort(.notFound) }
                return Response(status: .ok)
            }
        }

        @Test("runs its middlewares outermost first, as separate ones would; one may answer alone, an outer one sees an inner error")
        func order() async throws {
            try await withUpward { app in
                let request = Request(application: app, method: .GET, url: URI(path: "/"), on: app.eventLoopGroup.any())

                let log = NIOLockedValueBox<[String]>([])
                let chain = MiddlewareChain(Recorder(name: "a", log: log), Recorder(name: "b", log: log), Recorder(name: "c", log: log))
                let response = try await chain.respond(to: request, chainingTo: Terminal(log: log))
                #expect(response.status == .ok)
                #expect(log.withLockedValue { $0 } == ["a in", "b in", "c in", "route", "c out", "b out", "a out"])
                #expect(response.headers["X-Seen"] == ["c", "b", "a"])

                let stops = NIOLockedValueBox<[String]>([])
                let refusing = MiddlewareChain(
                    Recorder(name: "a", log: stops), Recorder(name: "b", log: stops, answers: true), Recorder(name: "c", log: stops))
                let refused = try await refusing.respond(to: request, chainingTo: Terminal(log: stops))
                #expect(refused.status == .forbidden)
                #expect(stops.withLockedValue { $0 } == ["a in", "b in", "a out"])

                let errors = NIOLockedValueBox<[String]>([])
                let catching = MiddlewareChain(Recorder(name: "a", log: errors, catches: true), Recorder(name: "b", log: errors))
                let mapped = try await catching.respond(to: request, chainingTo: Terminal(log: errors, fails: true))
                #expect(mapped.status == .serviceUnavailable)
                #expect(errors.withLockedValue { $0 } == ["a in", "b in", "route", "a caught"])
            }
        }

        @Test("the server's own chain still wraps every answer: ids, headers, error pages, and sign-in before the form check")
        func serverChain() async throws {
            try await withUpward { app in
                try await app.testing().test(.GET, "/no-such-page") { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers.first(name: "X-Request-Id") != nil)
                    #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
                    #expect(response.body.string.contains("Not Found"))
                }
                // Anonymous, with no CSRF token: sent to sign in (the sign-in check comes first), not refused as a forged form.
                try await app.testing().test(.POST, "/programs") { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers.first(name: .location)?.hasPrefix("/login") == true)
                }
            }
        }
    }
}
