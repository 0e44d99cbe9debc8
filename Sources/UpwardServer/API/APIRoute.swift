import Vapor

/// One operation of the JSON API. Routes are registered from these values and the OpenAPI
/// document is generated from them, so the two cannot disagree.
struct APIRoute: Sendable {
    enum Body: Sendable { case none, json(String) }

    struct QueryParameter: Sendable {
        let name: String
        let schema: OpenAPIDocument.Schema
        let description: String
    }

    let method: HTTPMethod
    /// `/api/v1/programs/{programId}`
    let path: String
    let access: Access
    let operationId: String
    let summary: String
    let tag: String
    var body: Body = .none
    /// The success status and its schema (nil: no content).
    let success: (status: Int, schema: String?)
    var query: [QueryParameter] = []
    /// Statuses besides success, 400, 401, 403, 404 and 405 that this operation can return.
    var conflicts = true
    /// The success body's media type.
    var contentType = "application/json"
    /// Documented here but registered by the site (the calendar feed outside /api/v1).
    var registeredBySite = false

    /// A segment's parameter name: `{meetingId}.ics` → meetingId.
    static func parameterName(_ part: Substring) -> String? {
        guard part.hasPrefix("{"), let close = part.firstIndex(of: "}") else { return nil }
        return String(part[part.index(after: part.startIndex)..<close])
    }

    /// What follows a parameter in its segment: `.ics` for `{meetingId}.ics`.
    static func suffix(_ part: Substring) -> String {
        guard let close = part.firstIndex(of: "}") else { return "" }
        return String(part[part.index(after: close)...])
    }

    var parameters: [String] {
        path.split(separator: "/").compactMap(Self.parameterName)
    }

    /// Vapor's components; a parameter with a suffix is one parameter whose value keeps the suffix.
    var components: [PathComponent] {
        path.split(separator: "/").map { part in
            Self.parameterName(part).map { .parameter(Self.suffix(part).isEmpty ? $0 : $0 + "File") } ?? .constant(String(part))
        }
    }

    /// Whether a concrete path (no query) matches this route's pattern.
    func matches(path concrete: String) -> Bool {
        let pattern = path.split(separator: "/")
        let parts = concrete.split(separator: "/")
        guard pattern.count == parts.count else { return false }
        return zip(pattern, parts).allSatisfy { Self.parameterName($0) != nil ? $1.hasSuffix(Self.suffix($0)) : $0 == $1 }
    }

    static let prefix = "/api/v1"
    static let documentPath = "/api/v1/openapi.json"

    static let people: [QueryParameter] = [
        .init(name: "q", schema: .string(maxLength: 200, pattern: OpenAPIDocument.plainText), description: "Text in name, email, employee id or title."),
        .init(name: "department", schema: .string(maxLength: 200, pattern: OpenAPIDocument.plainText), description: "Exact department."),
        .init(name: "level", schema: .integer(1, 15), description: "Level 1-15."),
        .init(name: "generation", schema: .enumeration(OpenAPIDocument.generations), description: "Generation."),
        .init(name: "page", schema: .integer(1, Int.max), description: "Page, 1 first; past the end shows the last page."),
        .init(name: "per_page", schema: .integer(1, 100), description: "People per page, 1-100 (50 when left out)."),
    ]

    static let all: [APIRoute] = programRoutes + pairRoutes + measurementRoutes

    static let programRoutes: [APIRoute] = [
        APIRoute(
            method: .GET, path: "/api/v1/me", access: .signedIn, operationId: "getMe", summary: "The account behind the token.", tag: "account",
            success: (200, "Me"), conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/notifications", access: .signedIn, operationId: "listNotifications",
            summary: "The caller's in-app notifications, newest first.", tag: "account", success: (200, "NotificationList"), conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/people", access: .programManager, operationId: "listPeople",
            summary: "The people directory, 50 per page, with its filters.", tag: "people", success: (200, "PeoplePage"), query: people, conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/programs", access: .signedIn, operationId: "listPrograms", summary: "Programs the caller manages or takes part in.",
            tag: "programs", success: (200, "ProgramList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/programs", access: .programManager, operationId: "createProgram",
            summary: "Create a program (a draft); the caller manages it.", tag: "programs", body: .json("ProgramInput"), success: (201, "Program")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}", access: .signedIn, operationId: "getProgram", summary: "One program.", tag: "programs",
            success: (200, "Program"), conflicts: false),
        APIRoute(
            method: .PUT, path: "/api/v1/programs/{programId}", access: .programManager, operationId: "updateProgram", summary: "Replace a program's settings.",
            tag: "programs", body: .json("ProgramInput"), success: (200, "Program")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/transition", access: .programManager, operationId: "transitionProgram",
            summary: "Move a program along its lifecycle; an illegal step is a 409 saying why.", tag: "programs", body: .json("TransitionInput"),
            success: (200, "Program")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/clone", access: .programManager, operationId: "cloneProgram",
            summary: "Clone settings, focus areas and training into a new draft.", tag: "programs", success: (201, "Program")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/participants", access: .programManager, operationId: "listParticipants",
            summary: "Participants with what each still has to do, in invitation order; with page or per_page, one page (X-Total-Count, Link rel=next).",
            tag: "enrollment", success: (200, "ParticipantList"), query: APIPaging.parameters, conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/invitations", access: .programManager, operationId: "invite",
            summary: "Invite people by id or by directory filters; returns one-time links.", tag: "enrollment", body: .json("InvitationInput"),
            success: (201, "InvitationResult")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/participants/{participantId}/reissue", access: .programManager,
            operationId: "reissueInvitation", summary: "A new one-time link for someone who has not accepted; the old link stops working.",
            tag: "enrollment", success: (201, "InvitationLink")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/managers", access: .programManager, operationId: "addManager",
            summary: "Assign another program-manager account to the program.", tag: "programs", body: .json("ManagerInput"), success: (204, nil)),
        APIRoute(
            method: .DELETE, path: "/api/v1/programs/{programId}/managers/{userId}", access: .programManager, operationId: "removeManager",
            summary: "Unassign a program manager; a program keeps at least one.", tag: "programs", success: (204, nil)),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/training", access: .signedIn, operationId: "listTraining",
            summary: "Training modules (a participant sees those required of them, with completion).", tag: "enrollment", success: (200, "ModuleList"),
            conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/training", access: .programManager, operationId: "addTraining",
            summary: "Add a training module (Markdown).", tag: "enrollment", body: .json("ModuleInput"), success: (201, "Module")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/training/{moduleId}/complete", access: .signedIn, operationId: "completeTraining",
            summary: "Mark a module completed (participants).", tag: "enrollment", success: (204, nil)),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/agreement", access: .signedIn, operationId: "acceptAgreement",
            summary: "Accept the code of conduct (participants).", tag: "enrollment", success: (204, nil)),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/enrollment", access: .signedIn, operationId: "getEnrollment",
            summary: "The caller's enrollment answers.", tag: "enrollment", success: (200, "Enrollment"), conflicts: false),
        APIRoute(
            method: .PUT, path: "/api/v1/programs/{programId}/enrollment", access: .signedIn, operationId: "enroll",
            summary: "Enroll or change the answers (participants).", tag: "enrollment", body: .json("EnrollmentInput"), success: (200, "Enrollment")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/matching-runs", access: .programManager, operationId: "runMatching",
            summary: "Run the engine; locked and published pairs are kept.", tag: "matching", success: (201, "MatchingRun")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/pairs", access: .signedIn, operationId: "listPairs",
            summary:
                "Pairs, oldest first: all for managers, the caller's published pairs for participants; with page or per_page, one page (X-Total-Count, Link rel=next).",
            tag: "matching", success: (200, "PairList"), query: APIPaging.parameters, conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/pairs", access: .programManager, operationId: "assignPair",
            summary: "Pair by hand; a hard-rule break is a 422 naming the rule.", tag: "matching", body: .json("AssignInput"), success: (201, "Pair")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/pairs/swap", access: .programManager, operationId: "swapPairs",
            summary: "Exchange the mentors of two proposed pairs.", tag: "matching", body: .json("SwapInput"), success: (204, nil)),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/approve", access: .programManager, operationId: "approveMatching",
            summary: "Publish every proposed pair.", tag: "matching", success: (200, "ApproveResult")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/suggestions", access: .signedIn, operationId: "listSuggestions",
            summary: "A mentee's top mentors with room, with reasons.", tag: "matching", success: (200, "SuggestionList")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/requests", access: .signedIn, operationId: "requestMentor",
            summary: "A mentee requests one of their suggestions.", tag: "matching", body: .json("RequestInput"), success: (201, "MatchRequest")),
        APIRoute(
            method: .POST, path: "/api/v1/requests/{requestId}/answer", access: .signedIn, operationId: "answerRequest",
            summary: "The mentor accepts or declines a request.", tag: "matching", body: .json("AnswerInput"), success: (200, "AnswerResult")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/audit", access: .programManager, operationId: "listAudit",
            summary: "The program's audit log, newest first.", tag: "programs", success: (200, "AuditList"), conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/pairs/{pairId}", access: .signedIn, operationId: "getPair",
            summary: "One pair: 404 unless the caller is in it or manages its program.", tag: "matching", success: (200, "Pair"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/lock", access: .programManager, operationId: "lockPair", summary: "Lock or unlock a proposed pair.",
            tag: "matching", body: .json("LockInput"), success: (200, "Pair")),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/decline", access: .signedIn, operationId: "declinePair",
            summary: "Decline a waiting pair or ask to rematch a live one; the partner is not told why.", tag: "matching", body: .json("NoteInput"),
            success: (200, "Pair")),
        APIRoute(
            method: .POST, path: "/api/v1/invitations/accept", access: .anyone, operationId: "acceptInvitation",
            summary: "Accept an invitation: set a password, or join with the token's account.", tag: "enrollment", body: .json("AcceptInput"),
            success: (200, "Me")),
    ]
}
