import Foundation
import Vapor

/// Every state-changing browser request must carry the CSRF token, as the form field `_csrf` or
/// the `X-CSRF-Token` header; otherwise 403. The expected token is checked to exist before the
/// body is read, and the body is read only up to the route's own limit.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            guard let expected = request.expectedCSRFToken else { throw Self.refusal }
            var sent = request.headers.first(name: "X-CSRF-Token")
            if sent == nil {
                // Routes collect their bodies after middleware runs; the token is in the body, so read it now.
                if request.body.data == nil {
                    _ = try await request.body.collect(max: Self.bodyLimit(of: request)).get()
                }
                sent = try? request.content.get(String.self, at: Self.field)
            }
            guard let sent, Self.constantTimeEqual(Array(expected.utf8), Array(sent.utf8)) else { throw Self.refusal }
        }
        return try await next.respond(to: request)
    }

    static let refusal = Abort(.forbidden, reason: "The form has expired or did not come from Upward. Reload the page and try again.")

    /// The limit the matched route declares, or the application's default.
    static func bodyLimit(of request: Request) -> Int {
        if let limit = request.route?.userInfo[SiteRouter.bodyLimitKey] as? Int { return limit }
        return request.application.routes.defaultMaxBodySize.value
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
