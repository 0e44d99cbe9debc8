import Foundation
import Vapor

/// Every state-changing browser request must carry the session's CSRF token,
/// as the form field `_csrf` or the `X-CSRF-Token` header; otherwise 403.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            var sent = request.headers.first(name: "X-CSRF-Token")
            if sent == nil {
                // Routes collect their bodies after middleware runs; the token is in the body, so read it now.
                if request.body.data == nil {
                    _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
                }
                sent = try? request.content.get(String.self, at: Self.field)
            }
            guard request.hasSession, let expected = request.session.data[SessionKeys.csrf], let sent,
                Self.constantTimeEqual(Array(expected.utf8), Array(sent.utf8))
            else {
                throw Abort(.forbidden, reason: "The form has expired or did not come from Upward. Reload the page and try again.")
            }
        }
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Marks the session cookie `Secure` when the request came over TLS
/// (directly, or through a trusted proxy that says so).
struct SecureCookieMiddleware: AsyncMiddleware {
    let cookieName: String

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let overTLS =
            request.application.http.server.configuration.tlsConfiguration != nil
            || (request.upward.configuration.trustProxy && request.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https")
        if overTLS, var cookie = response.cookies[cookieName] {
            cookie.isSecure = true
            response.cookies[cookieName] = cookie
        }
        return response
    }
}
