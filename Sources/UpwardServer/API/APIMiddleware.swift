import Vapor

/// The API authenticates with bearer tokens only: a browser's session cookie never reaches it,
/// so no cross-site form can act through it.
struct APIAuthMiddleware: AsyncMiddleware {
    let access: Access

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.auth.logout(User.self)
        // Rate limits first, so a flood of bad tokens costs no database lookups.
        let limiter = request.application.apiRateLimiter
        if let table = limiter.perAddress, let wait = table.take(request.clientAddress, at: limiter.now) {
            throw APIRateLimiter.tooMany(wait, "from this address")
        }
        if let bearer = request.headers.bearerAuthorization, let table = limiter.perToken, let wait = table.take(bearer.token, at: limiter.now) {
            throw APIRateLimiter.tooMany(wait, "with this token")
        }
        if let bearer = request.headers.bearerAuthorization {
            guard let user = try await request.apiTokens.user(forBearer: bearer.token) else {
                throw APIError.unauthorized("The bearer token is not valid or was revoked.")
            }
            request.auth.login(user)
        } else if request.headers[.authorization].first != nil {
            throw APIError.unauthorized("Use Authorization: Bearer <token>.")
        }
        switch access {
        case .anyone: break
        case .signedIn:
            guard request.auth.has(User.self) else { throw APIError.unauthorized("A bearer token is required.") }
        case .programManager:
            guard let user = request.auth.get(User.self) else { throw APIError.unauthorized("A bearer token is required.") }
            guard user.isAdmin else { throw Abort(.forbidden, reason: "This operation is for program managers.") }
        }
        return try await next.respond(to: request)
    }
}

enum APIError {
    static func unauthorized(_ reason: String) -> Abort {
        Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer realm=\"upward\""], reason: reason)
    }
}

/// Errors from the API as JSON: `{"error": true, "reason": "...", "issues": [{"field", "message"}]}`.
struct APIErrorBody: Content {
    struct Issue: Content {
        let field: String
        let message: String
    }
    let error: Bool
    let reason: String
    var issues: [Issue]?
}
