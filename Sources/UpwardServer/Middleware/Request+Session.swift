import Foundation
import Vapor

/// What Upward keeps in a session (stored in the database by Fluent's session driver).
enum SessionKeys {
    static let userID = "userID"
    static let signedInAt = "signedInAt"
    static let csrf = "csrf"
    static let flash = "flash"
}

extension Request {
    /// The signed-in user, if any (set by `SessionUserMiddleware`).
    var currentUser: User? { auth.get(User.self) }

    /// The CSRF token for forms on this page, created the first time a page needs it.
    func csrfToken() -> String {
        if let token = session.data[SessionKeys.csrf] { return token }
        let token = Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        session.data[SessionKeys.csrf] = token
        return token
    }

    /// Signs `user` in on a fresh session id, so an id planted before sign-in is useless after it.
    func signIn(_ user: User) async throws {
        let previous = session.id
        session.id = nil  // SessionsMiddleware issues a new id when it writes the response.
        session.data = SessionData()
        session.data[SessionKeys.userID] = try user.requireID().uuidString
        session.data[SessionKeys.signedInAt] = String(upward.clock.now.timeIntervalSince1970)
        if let previous {
            try await application.sessions.driver.deleteSession(previous, for: self).get()
        }
        auth.login(user)
    }

    func signOut() {
        auth.logout(User.self)
        session.destroy()
    }

    /// The client's address for rate limiting; the proxy's word is taken only when configured.
    var clientAddress: String {
        if upward.configuration.trustProxy, let forwarded = headers.first(name: "X-Forwarded-For") {
            return forwarded.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return peerAddress?.ipAddress ?? remoteAddress?.ipAddress ?? "unknown"
    }

    /// Whether the client asked for JSON rather than a page (API clients, scripts).
    var wantsJSON: Bool {
        // Compare strings: HTTPMediaType's == treats */* as matching JSON.
        if url.path.hasPrefix("/api/") { return true }
        guard let first = headers.accept.first?.mediaType else { return false }
        return first.type == "application" && first.subType == "json"
    }
}
