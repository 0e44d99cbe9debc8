import UpwardCore
import Vapor

/// What Upward keeps for one browser between requests. A session is stored only once it holds
/// something (at sign-in): anonymous visits and unknown cookies never create a stored session.
struct BrowserSession: Sendable {
    /// The cookie token of a stored session; nil when none exists yet.
    var token: String?
    var values: [String: String] = [:]
    /// The values as read, to write back only what changed.
    var loaded: [String: String] = [:]
    /// Set at sign-out: the stored session is deleted and the cookie expired.
    var ended = false
    /// A token for the anonymous CSRF cookie, set on this response.
    var newCSRFCookie: String?
    /// The account the stored session names, read with it (nil for sessions stored before the
    /// column existed; `SessionUserMiddleware` then reads it by id).
    var account: User?

    enum Key {
        static let userID = "userID"
        static let signedInAt = "signedInAt"
        static let csrf = "csrf"
    }
}

/// The cookie names Upward sets.
enum SessionCookie {
    /// The signed-in session's token.
    static let name = "upward-session"
    /// Anonymous visitors' CSRF token (double-submit), so the sign-in form needs no stored session.
    static let csrf = "upward-csrf"
}

extension Request {
    private struct BrowserSessionKey: StorageKey {
        typealias Value = BrowserSession
    }

    var browserSession: BrowserSession {
        get { storage[BrowserSessionKey.self] ?? BrowserSession() }
        set { storage[BrowserSessionKey.self] = newValue }
    }

    /// The signed-in user, if any (set by `SessionUserMiddleware`).
    var currentUser: User? { auth.get(User.self) }

    /// The CSRF token forms on this page must carry: the session's once signed in, otherwise the
    /// anonymous cookie's (created on first use).
    func csrfToken() -> String {
        var session = browserSession
        if session.token != nil || !session.values.isEmpty {
            if let token = session.values[BrowserSession.Key.csrf] { return token }
            let token = SessionStore.newToken()
            session.values[BrowserSession.Key.csrf] = token
            browserSession = session
            return token
        }
        if let cookie = anonymousCSRFCookie { return cookie }
        if let pending = session.newCSRFCookie { return pending }
        let token = SessionStore.newToken()
        session.newCSRFCookie = token
        browserSession = session
        return token
    }

    /// The token a form must match: the session's, or for anonymous visitors the CSRF cookie's.
    var expectedCSRFToken: String? {
        let session = browserSession
        if session.token != nil { return session.values[BrowserSession.Key.csrf] }
        return anonymousCSRFCookie
    }

    private var anonymousCSRFCookie: String? {
        guard let value = cookies[SessionCookie.csrf]?.string, SessionStore.isWellFormed(value) else { return nil }
        return value
    }

    /// Signs `user` in on a new session token, so a token planted before sign-in is useless after it.
    func signIn(_ user: User) async throws {
        if let previous = browserSession.token { try await sessionStore.delete(token: previous) }
        browserSession = BrowserSession(
            token: nil,
            values: [
                BrowserSession.Key.userID: try user.requireID().text,
                BrowserSession.Key.signedInAt: String(upward.clock.now.timeIntervalSince1970),
            ])
        auth.login(user)
    }

    func signOut() {
        auth.logout(User.self)
        endSession()
    }

    func endSession() {
        var session = browserSession
        session.values = [:]
        session.ended = true
        browserSession = session
    }

    /// Whether the request came over TLS, directly or through a trusted proxy that says so.
    var cameOverTLS: Bool {
        application.http.server.configuration.tlsConfiguration != nil
            || (upward.configuration.trustProxy && headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https")
    }

    /// The client's address for rate limiting. Vapor's `peerAddress` believes the client's own
    /// `Forwarded` / `X-Forwarded-For` headers, so it is never used: without a trusted proxy the
    /// socket's address counts; behind one, the last `X-Forwarded-For` entry, the one the proxy added.
    var clientAddress: String {
        if upward.configuration.trustProxy {
            let entries = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            if let last = entries.last?.trimmingCharacters(in: .whitespaces), !last.isEmpty { return String(last.prefix(64)) }
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// Whether the client asked for JSON rather than a page (API clients, scripts).
    var wantsJSON: Bool {
        // Compare strings: HTTPMediaType's == treats */* as matching JSON.
        // The calendar feed is read by programs, documented in the OpenAPI document with JSON errors.
        if url.path.hasPrefix("/api/") || url.path.hasPrefix("/calendar/") { return true }
        guard let first = headers.accept.first?.mediaType else { return false }
        return first.type == "application" && first.subType == "json"
    }
}
