import Vapor

/// Browser security headers on every response, static files and errors included (this middleware
/// is the outermost). Pages depend on who is signed in, so nothing but static files may be cached.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
            ("Content-Security-Policy", Self.contentSecurityPolicy),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        let isStatic = response.status == .ok && SitePath.staticPrefixes.contains { request.url.path.hasPrefix($0) }
        response.headers.replaceOrAdd(name: .cacheControl, value: isStatic ? "no-cache" : "no-store")
        return response
    }
}
