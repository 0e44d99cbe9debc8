import Vapor

/// Serves the public folder, but only under ``SitePath/staticPrefixes``: Vapor's `FileMiddleware`
/// asks the file system about every request path (a hop to its thread pool), which on a signed-in
/// API read cost more than the hash of the bearer token. Everything else goes straight on.
struct StaticFilesMiddleware: AsyncMiddleware {
    let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard SitePath.staticPrefixes.contains(where: { path.hasPrefix($0) }) else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
