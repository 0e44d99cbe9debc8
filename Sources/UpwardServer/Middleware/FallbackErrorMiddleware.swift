import Vapor

/// The last line: any error that escapes the inner middleware becomes a response that says only
/// what the status says. Internal error descriptions are logged, never sent, in every environment.
struct FallbackErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let status: HTTPResponseStatus
            let reason: String
            if let abort = error as? any AbortError {
                status = abort.status
                reason = abort.reason
            } else {
                request.logger.report(error: error)
                status = .internalServerError
                reason = "Something went wrong on our side. The error has been logged."
            }
            let response = Response(status: status)
            try response.content.encode(PageErrorMiddleware.ErrorBody(error: true, reason: reason))
            return response
        }
    }
}
