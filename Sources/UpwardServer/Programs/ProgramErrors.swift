import Foundation
import UpwardCore
import Vapor

extension ValidationFailure: AbortError {
    public var status: HTTPResponseStatus { .unprocessableEntity }
    public var reason: String {
        issues.count == 1 ? "\(issues[0].field): \(issues[0].message)" : "\(issues.count) problems: " + description
    }
}

extension ProgramLifecycle.Refusal: AbortError {
    public var status: HTTPResponseStatus { .conflict }
    public var reason: String { message }
}

/// Parsing ids from URLs: a malformed id is a 400 that names the parameter, an unknown one a 404.
enum IDParameter {
    static func parse(_ req: Request, _ name: String) throws -> UUID {
        let raw = req.parameters.get(name) ?? ""
        guard let id = UUID(uuidString: raw) else {
            throw Abort(.badRequest, reason: "\(name): \"\(raw.prefix(60))\" is not a valid id.")
        }
        return id
    }

    static func parse(_ raw: String?, field: String) throws -> UUID {
        guard let raw, let id = UUID(uuidString: raw.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationFailure(field, raw == nil || raw!.isEmpty ? "is required" : "\"\(raw!.prefix(60))\" is not a valid id")
        }
        return id
    }
}

/// Who is asking, and what they may do.
struct Viewer: Sendable {
    let user: User
    var id: UUID { user.id! }
    var isAdmin: Bool { user.isAdmin }
    var isOrganizationAdmin: Bool { user.isAdmin && user.organizationAdmin }
    var personID: UUID? { user.$person.id }
    var name: String { user.name }

    init(_ user: User) { self.user = user }
}

extension Request {
    var viewer: Viewer {
        get throws { Viewer(try auth.require(User.self)) }
    }
}
