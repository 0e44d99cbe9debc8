import Vapor

/// The last line: any error that escapes the inner middleware becomes a response that says only
/// what the status says. Internal error descriptions are logged, never sent, in every environment.
struct FallbackErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            // The same wording as the page errors; an unexpected error's text is logged, never sent.
            let (status, reason, headers) = PageErrorMiddleware.describe(error)
            if status == .internalServerError { request.logger.report(error: error) }
            let response = Response(status: status, headers: headers)
            try response.content.encode(PageErrorMiddleware.ErrorBody(error: true, reason: reason))
            return response
        }
    }
}
