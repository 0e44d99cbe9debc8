import Fluent
import Vapor

/// Loads the signed-in user from the session; an expired sign-in ends the session.
struct SessionUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let session = request.browserSession
        // The API authenticates with bearer tokens only.
        if !request.url.path.hasPrefix("/api/"), session.token != nil, let raw = session.values[BrowserSession.Key.userID] {
            let signedInAt = session.values[BrowserSession.Key.signedInAt].flatMap(Double.init) ?? 0
            let age = request.upward.clock.now.timeIntervalSince1970 - signedInAt
            let user: User?
            if age >= 0, age < request.upward.configuration.sessionLifetime, let id = UUID(uuidString: raw) {
                if let account = session.account, account.id == id { user = account } else { user = try await User.find(row: id, on: request.database) }
            } else {
                user = nil
            }
            if let user {
                request.auth.login(user)
            } else {
                request.endSession()
            }
        }
        return try await next.respond(to: request)
    }
}
