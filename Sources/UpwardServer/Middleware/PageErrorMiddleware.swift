import Vapor

/// Renders errors as a page for browsers and as JSON for API clients.
/// Unexpected errors are logged and shown without internal detail.
struct PageErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let (status, reason, headers) = Self.describe(error)
            if status == .internalServerError {
                request.logger.report(error: error)
            }
            if request.wantsJSON {
                let response = Response(status: status, headers: headers)
                try response.content.encode(ErrorBody(error: true, reason: reason))
                return response
            }
            let page = ErrorPage(
                layout: LayoutContext(request, title: status.reasonPhrase), status: Int(status.code), heading: status.reasonPhrase, reason: reason)
            let response = try await request.view.render("error", page).encodeResponse(status: status, for: request)
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
    }

    struct ErrorBody: Content {
        let error: Bool
        let reason: String
    }

    static func describe(_ error: any Error) -> (HTTPResponseStatus, String, HTTPHeaders) {
        switch error {
        case let abort as any AbortError:
            return (abort.status, abort.reason, abort.headers)
        case let decoding as DecodingError:
            return (.badRequest, "The request is not valid: \(DecodingErrorText.describe(decoding))", [:])
        default:
            return (.internalServerError, "Something went wrong on our side. The error has been logged.", [:])
        }
    }
}
