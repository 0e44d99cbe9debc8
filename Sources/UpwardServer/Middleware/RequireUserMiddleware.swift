import Vapor

/// Deny by default: anonymous visitors are sent to sign in (pages) or get 401 (API).
struct RequireUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.currentUser != nil else {
            if request.wantsJSON { throw Abort(.unauthorized, reason: "Sign in first.") }
            var target = request.url.path
            if let query = request.url.query, request.method == .GET { target += "?" + query }
            let next = target == "/" ? "" : "?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            return request.redirect(to: SitePath.login + next, redirectType: .normal)
        }
        return try await next.respond(to: request)
    }
}
