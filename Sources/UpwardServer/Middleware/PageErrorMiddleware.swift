import AsyncKit
import UpwardCore
import Vapor

/// Renders errors as a page for browsers and as JSON for API clients.
/// Unexpected errors are logged and shown without internal detail.
struct PageErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var (status, reason, headers) = Self.describe(error)
            if status == .internalServerError {
                request.logger.report(error: error)
            }
            // An API path that exists with other methods: 405 with Allow, not 404.
            if status == .notFound, request.route == nil, request.url.path.hasPrefix(APIRoute.prefix + "/") {
                let allowed = APIRoute.all.filter { $0.matches(path: request.url.path) }.map(\.method.rawValue)
                if !allowed.isEmpty {
                    status = .methodNotAllowed
                    reason = "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: " or "))."
                    headers.replaceOrAdd(name: .allow, value: allowed.joined(separator: ", "))
                }
            }
            if request.wantsJSON {
                let response = Response(status: status, headers: headers)
                let issues = (error as? ValidationFailure)?.issues.map { APIErrorBody.Issue(field: $0.field, message: $0.message) }
                try response.content.encode(APIErrorBody(error: true, reason: reason, issues: issues), as: .json)
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
        case is ConnectionPoolTimeoutError:
            // Every database connection stayed busy for the pool's whole wait: overload, not a fault.
            return (.serviceUnavailable, "Upward is busy right now. Try again in a few seconds.", ["Retry-After": "2"])
        case let error where DatabaseOutage.matches(error):
            return (.serviceUnavailable, "The database is unavailable right now. Try again in a few seconds.", ["Retry-After": "5"])
        default:
            return (.internalServerError, "Something went wrong on our side. The error has been logged.", [:])
        }
    }
}
