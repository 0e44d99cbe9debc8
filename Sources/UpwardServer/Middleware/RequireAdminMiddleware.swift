import Vapor

/// Program-manager pages: a participant gets 403.
struct RequireAdminMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.currentUser else { throw Abort(.unauthorized, reason: "Sign in first.") }
        guard user.isAdmin else { throw Abort(.forbidden, reason: "This page is for program managers.") }
        return try await next.respond(to: request)
    }
}
