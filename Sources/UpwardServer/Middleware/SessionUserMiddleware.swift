import Fluent
import Vapor

/// Loads the signed-in user from the session; an expired sign-in is dropped.
struct SessionUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a request that came with a session cookie has a session; don't create one here.
        if request.hasSession, let raw = request.session.data[SessionKeys.userID], let id = UUID(uuidString: raw) {
            let signedInAt = request.session.data[SessionKeys.signedInAt].flatMap(Double.init) ?? 0
            let age = request.upward.clock.now.timeIntervalSince1970 - signedInAt
            if age >= 0, age < request.upward.configuration.sessionLifetime, let user = try await User.find(id, on: request.db) {
                request.auth.login(user)
            } else {
                request.session.destroy()
            }
        }
        return try await next.respond(to: request)
    }
}

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

/// Program-manager pages: a participant gets 403.
struct RequireAdminMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.currentUser else { throw Abort(.unauthorized, reason: "Sign in first.") }
        guard user.isAdmin else { throw Abort(.forbidden, reason: "This page is for program managers.") }
        return try await next.respond(to: request)
    }
}
