import Foundation
import UpwardCore
import Vapor

/// Gives every request an id of our own (Vapor would take the client's `X-Request-Id`, which
/// anyone can set to anything), puts it on the request's log lines and in the `X-Request-Id`
/// response header, and writes one access line per request: method, path, status, duration.
/// It is the outermost middleware, so errors and static files carry the id too.
struct RequestIDMiddleware: AsyncMiddleware {
    static let header = "X-Request-Id"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let id = UUID().text
        request.logger[metadataKey: "request-id"] = .string(id)
        request.storage[Key.self] = id
        let started = ContinuousClock.now
        let metrics = request.application.metrics
        metrics.started()
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            metrics.answered(route: Self.route(request), method: request.method.rawValue, status: 500, duration: ContinuousClock.now - started)
            request.logger.info("\(request.method) \(request.url.path) failed: \(String(reflecting: type(of: error)))")
            throw error
        }
        response.headers.replaceOrAdd(name: Self.header, value: id)
        let elapsed = ContinuousClock.now - started
        metrics.answered(route: Self.route(request), method: request.method.rawValue, status: response.status.code, duration: elapsed)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        request.logger.info("\(request.method) \(request.url.path) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms")
        return response
    }

    struct Key: StorageKey { typealias Value = String }

    /// The matched route's pattern (bounded: one label value per route), static files as one, or "unmatched".
    static func route(_ request: Request) -> String {
        if let route = request.route { return "/" + route.path.map(\.description).joined(separator: "/") }
        return SitePath.staticPrefixes.contains { request.url.path.hasPrefix($0) } ? "static" : "unmatched"
    }
}

extension Request {
    /// This request's id, as logged and returned in `X-Request-Id`.
    var requestID: String { storage[RequestIDMiddleware.Key.self] ?? id }
}
