import Vapor

/// Reads the signed-in session from its cookie and stores what changed after the response.
/// Unlike Vapor's sessions middleware it stores nothing for anonymous visitors, ignores unknown
/// cookies without creating a row, and writes back only when the values changed.
struct BrowserSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let store = request.sessionStore
        let sentToken = request.cookies[SessionCookie.name]?.string
        if let token = sentToken, let loaded = try await store.read(token: token) {
            request.browserSession = BrowserSession(token: token, values: loaded.values, loaded: loaded.values, account: loaded.user)
        }
        let response = try await next.respond(to: request)
        let session = request.browserSession
        let secure = request.cameOverTLS
        if session.ended || (session.token != nil && session.values.isEmpty) {
            if let token = session.token { try await store.delete(token: token) }
            if sentToken != nil { response.cookies[SessionCookie.name] = .expired }
        } else if let token = session.token {
            if session.values != session.loaded { try await store.update(token: token, session.values) }
        } else if !session.values.isEmpty {
            let lifetime = request.upward.configuration.sessionLifetime
            let token = try await store.create(session.values, lifetime: lifetime)
            response.cookies[SessionCookie.name] = Self.cookie(token, maxAge: Int(lifetime), secure: secure)
        } else if sentToken != nil {
            // An unknown or expired token: clear it rather than look it up on every request.
            response.cookies[SessionCookie.name] = .expired
        }
        if let csrf = session.newCSRFCookie {
            response.cookies[SessionCookie.csrf] = Self.cookie(csrf, maxAge: Int(request.upward.configuration.sessionLifetime), secure: secure)
        }
        return response
    }

    static func cookie(_ value: String, maxAge: Int, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}
