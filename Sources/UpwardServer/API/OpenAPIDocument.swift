import Foundation
import UpwardCore

/// The OpenAPI 3.1 document, generated from ``APIRoute/all`` and the schemas below.
/// `Sources/UpwardServer/Resources/openapi.json` is this output, committed; a test keeps them equal.
enum OpenAPIDocument {
    /// A JSON Schema, as nested dictionaries.
    struct Schema: @unchecked Sendable {
        let value: [String: Any]

        static func string(minLength: Int? = nil, maxLength: Int? = nil, format: String? = nil, pattern: String? = nil) -> Schema {
            var v: [String: Any] = ["type": "string"]
            if let pattern { v["pattern"] = pattern }
            if let minLength { v["minLength"] = minLength }
            if let maxLength { v["maxLength"] = maxLength }
            if let format { v["format"] = format }
            return Schema(value: v)
        }
        static func integer(_ min: Int? = nil, _ max: Int? = nil) -> Schema {
            var v: [String: Any] = ["type": "integer"]
            if let min { v["minimum"] = min }
            if let max { v["maximum"] = max }
            return Schema(value: v)
        }
        static func number(_ min: Double? = nil, _ max: Double? = nil) -> Schema {
            var v: [String: Any] = ["type": "number"]
            if let min { v["minimum"] = min }
            if let max { v["maximum"] = max }
            return Schema(value: v)
        }
        static let boolean = Schema(value: ["type": "boolean"])
        static let uuid = string(format: "uuid")
        static func enumeration(_ values: [String]) -> Schema { Schema(value: ["type": "string", "enum": values]) }
        static func array(_ items: Schema, maxItems: Int? = nil) -> Schema {
            var v: [String: Any] = ["type": "array", "items": items.value]
            if let maxItems { v["maxItems"] = maxItems }
            return Schema(value: v)
        }
        static func ref(_ name: String) -> Schema { Schema(value: ["$ref": "#/components/schemas/\(name)"]) }
        var isNullable: Bool {
            if let types = value["type"] as? [String] { return types.contains("null") }
            if let any = value["anyOf"] as? [[String: Any]] { return any.contains { ($0["type"] as? String) == "null" } }
            return false
        }

        /// The schema or null.
        var orNull: Schema {
            if let type = value["type"] as? String {
                var v = value
                v["type"] = [type, "null"]
                if var values = v["enum"] as? [Any] {
                    values.append(NSNull())
                    v["enum"] = values
                }
                return Schema(value: v)
            }
            return Schema(value: ["anyOf": [value, ["type": "null"]]])
        }
        static func object(_ properties: [String: Schema], required: [String]? = nil, additional: Schema? = nil, closed: Bool = false) -> Schema {
            var v: [String: Any] = ["type": "object", "properties": properties.mapValues(\.value)]
            // Nullable properties may be left out (the encoder omits nil); the rest are always present.
            let required = required ?? properties.filter { !$0.value.isNullable }.keys.sorted()
            if !required.isEmpty { v["required"] = required.sorted() }
            if let additional { v["additionalProperties"] = additional.value }
            if closed { v["additionalProperties"] = false }
            return Schema(value: v)
        }
    }

    /// Text without control characters (search filters; PostgreSQL refuses NUL).
    static let plainText = "^[^\\u0000-\\u001F\\u007F]*$"
    static let generations = Generation.allCases.map(\.rawValue)
    static let statuses = ["draft", "enrolling", "matching", "active", "completed", "cancelled"]
    static let pairStatuses = Pair.Status.allCases.map(\.rawValue)

    static var schemas: [String: Schema] {
        let side = Schema.object(["participantId": .uuid, "name": .string(), "title": Schema.string().orNull, "department": .string()])
        let weightProperties = Dictionary(uniqueKeysWithValues: ScoringWeights.componentNames.map { ($0, Schema.number(0, 100)) })
        let weights = Schema.object(weightProperties)
        let weightsIn = Schema.object(weightProperties, required: [], closed: true)
        let skill = Schema.object(["skill": .string(minLength: 1, maxLength: 60), "level": .integer(1, 5)])
        let goal = Schema.object(["skill": .string(minLength: 1, maxLength: 60), "current": .integer(0, 4), "target": .integer(1, 5)])
        let answers = Schema.object(
            [
                "offers": .array(skill, maxItems: 20), "goals": .array(goal, maxItems: 20), "interests": .array(.string(maxLength: 60), maxItems: 20),
                "style": Schema.string().orNull, "capacity": .integer(1, 10), "avoid": .array(.string(maxLength: 40), maxItems: 20),
                "diversity": .object([:], required: [], additional: .string(maxLength: 60)),
            ], required: ["offers", "goals", "interests", "capacity", "avoid", "diversity"])
        return [
            "Error": .object(
                ["error": .boolean, "reason": .string(), "issues": .array(.object(["field": .string(), "message": .string()]))], required: ["error", "reason"]),
            "Me": .object([
                "id": .uuid, "name": .string(), "email": .string(), "role": .enumeration(["admin", "participant"]), "organizationAdmin": .boolean,
                "personId": Schema.uuid.orNull,
            ]),
            "Person": .object([
                "id": .uuid, "employeeId": .string(), "name": .string(), "email": .string(), "title": Schema.string().orNull, "department": .string(),
                "businessUnit": Schema.string().orNull, "location": Schema.string().orNull, "timeZone": Schema.string().orNull, "level": .integer(1, 15),
                "generation": Schema.string().orNull, "hasLeft": .boolean,
            ]),
            "PeoplePage": .object(["items": .array(.ref("Person")), "page": .integer(1), "perPage": .integer(1), "total": .integer(0)]),
            "Program": .object([
                "id": .uuid, "status": .enumeration(statuses), "name": .string(), "description": .string(), "focusAreas": .array(.string()),
                "cadenceDays": .integer(1, 90), "startsOn": .string(format: "date"), "endsOn": .string(format: "date"), "isPilot": .boolean,
                "minimumLevelGap": .integer(0, 14), "maximumMenteesPerMentor": .integer(1, 10), "differentDepartmentOnly": .boolean,
                "objective": .enumeration(MatchingObjective.allCases.map(\.rawValue)), "weights": weights,
                "selectionMode": .enumeration(SelectionMode.allCases.map(\.rawValue)), "reviewThreshold": .number(0, 100),
                "requestTimeoutDays": .integer(1, 30), "codeOfConduct": .string(), "myRole": .enumeration(["manager", "mentor", "mentee"]),
            ]),
            "ProgramList": .array(.ref("Program")),
            "ProgramInput": .object(
                [
                    "name": .string(minLength: 1, maxLength: ProgramSettings.nameLimit),
                    "description": Schema.string(maxLength: ProgramSettings.descriptionLimit).orNull,
                    "focusAreas": .array(.string(minLength: 1, maxLength: ProgramSettings.focusAreaLimit), maxItems: 20),
                    "cadenceDays": Schema.integer(1, 90).orNull, "startsOn": .string(format: "date"), "endsOn": .string(format: "date"),
                    "isPilot": Schema.boolean.orNull, "minimumLevelGap": Schema.integer(0, 14).orNull,
                    "maximumMenteesPerMentor": Schema.integer(1, 10).orNull, "differentDepartmentOnly": Schema.boolean.orNull,
                    "objective": Schema.enumeration(MatchingObjective.allCases.map(\.rawValue)).orNull, "weights": weightsIn.orNull,
                    "selectionMode": Schema.enumeration(SelectionMode.allCases.map(\.rawValue)).orNull, "reviewThreshold": Schema.number(0, 100).orNull,
                    "requestTimeoutDays": Schema.integer(1, 30).orNull, "codeOfConduct": Schema.string(maxLength: ProgramSettings.codeLimit).orNull,
                ], required: ["name", "focusAreas", "startsOn", "endsOn"]),
            "TransitionInput": .object(["to": .enumeration(statuses)]),
            "Participant": .object([
                "id": .uuid, "personId": .uuid, "name": .string(), "email": .string(), "department": .string(), "level": .integer(1, 15),
                "role": .enumeration(["mentor", "mentee"]), "accepted": .boolean, "enrolled": .boolean, "agreed": .boolean,
                "missing": .array(.string()), "ready": .boolean,
            ]),
            "ParticipantList": .array(.ref("Participant")),
            "InvitationInput": .object(
                [
                    "role": .enumeration(["mentor", "mentee"]), "people": Schema.array(.uuid, maxItems: Invitations.bulkLimit).orNull,
                    "filters": Schema.object(
                        [
                            "q": Schema.string(maxLength: 200, pattern: plainText).orNull,
                            "department": Schema.string(maxLength: 200, pattern: plainText).orNull,
                            "level": Schema.integer(1, 15).orNull,
                            "generation": Schema.enumeration(generations).orNull,
                        ], required: []
                    ).orNull,
                ], required: ["role"]),
            "InvitationResult": .object([
                "invitations": .array(.ref("InvitationLink")),
                "skipped": .array(.object(["name": .string(), "reason": .string()])),
            ]),
            "InvitationLink": .object(["participantId": .uuid, "personId": .uuid, "name": .string(), "email": .string(), "url": .string()]),
            "ManagerInput": .object(["email": .string(maxLength: 254)]),
            "Module": .object(
                [
                    "id": .uuid, "title": .string(), "audience": .enumeration(["mentors", "mentees", "both"]), "content": .string(), "html": .string(),
                    "completed": Schema.boolean.orNull,
                ], required: ["id", "title", "audience", "content", "html"]),
            "ModuleList": .array(.ref("Module")),
            "ModuleInput": .object(
                [
                    "title": .string(minLength: 1, maxLength: 120), "content": .string(minLength: 1, maxLength: 50_000),
                    "audience": Schema.enumeration(["mentors", "mentees", "both"]).orNull,
                ],
                required: ["title", "content"]),
            "EnrollmentInput": .object(
                [
                    "offers": Schema.array(skill, maxItems: 20).orNull, "goals": .array(goal, maxItems: 20),
                    "interests": Schema.array(.string(maxLength: 60), maxItems: 20).orNull, "style": Schema.enumeration(EnrollmentForm.styles).orNull,
                    "capacity": Schema.integer(1, 10).orNull, "avoid": Schema.array(.string(maxLength: 40), maxItems: 20).orNull,
                    "diversityConsent": Schema.boolean.orNull,
                    "diversity": Schema.object(
                        Dictionary(uniqueKeysWithValues: EnrollmentForm.diversityAttributes.map { ($0, Schema.string(maxLength: 60)) }), required: [],
                        closed: true
                    ).orNull,
                ], required: ["goals"]),
            "Enrollment": .object(
                [
                    "participantId": .uuid, "role": .enumeration(["mentor", "mentee"]), "enrolledAt": Schema.string(format: "date-time").orNull,
                    "answers": answers.orNull,
                ],
                required: ["participantId", "role"]),
            "MatchingRun": .object([
                "id": .uuid, "objective": .enumeration(MatchingObjective.allCases.map(\.rawValue)), "matched": .integer(0), "totalScore": .number(),
                "proof": .string(), "solverSeconds": .number(),
                "unmatched": .array(.object(["participantID": .uuid, "name": .string(), "role": .enumeration(["mentor", "mentee"]), "reason": .string()])),
            ]),
            "Pair": .object(
                [
                    "id": .uuid, "programId": .uuid, "status": .enumeration(pairStatuses), "score": .number(), "reasons": .array(.string()),
                    "warnings": .array(.string()), "locked": .boolean, "source": .enumeration(["engine", "manual", "request"]),
                    "manualReason": Schema.string().orNull, "mentee": side, "mentor": side,
                ], required: ["id", "programId", "status", "score", "reasons", "warnings", "locked", "source", "mentee", "mentor"]),
            "PairList": .array(.ref("Pair")),
            "AssignInput": .object(
                ["menteeId": .uuid, "mentorId": .uuid, "reason": Schema.string(maxLength: 1000).orNull], required: ["menteeId", "mentorId"]),
            "SwapInput": .object(["pair": .uuid, "with": .uuid, "reason": Schema.string(maxLength: 1000).orNull], required: ["pair", "with"]),
            "LockInput": .object(["locked": .boolean]),
            "ApproveResult": .object(["published": .integer(0)]),
            "NoteInput": .object(["note": Schema.string(maxLength: 2000).orNull], required: []),
            "AuditList": .array(
                .object(
                    [
                        "time": .string(format: "date-time"), "actor": .string(), "action": .string(), "objectType": .string(),
                        "objectId": Schema.string().orNull,
                        "detail": .string(),
                    ], required: ["time", "actor", "action", "objectType", "detail"])),
            "AcceptInput": .object(
                ["token": .string(maxLength: 200), "password": Schema.string(maxLength: 1000).orNull, "name": Schema.string(maxLength: 120).orNull],
                required: ["token"]),
            "SuggestionList": .array(
                .object(
                    [
                        "mentorId": .uuid, "name": .string(), "title": Schema.string().orNull, "department": .string(), "score": .number(),
                        "reasons": .array(.string()),
                    ],
                    required: ["mentorId", "name", "department", "score", "reasons"])),
            "RequestInput": .object(["mentorId": .uuid]),
            "MatchRequest": .object([
                "id": .uuid, "mentorId": .uuid, "status": .enumeration(["pending", "accepted", "exhausted", "withdrawn"]),
                "dueAt": .string(format: "date-time"),
            ]),
            "AnswerInput": .object(["accept": .boolean]),
            "AnswerResult": .object(["pair": Schema.ref("Pair").orNull], required: []),
            "NotificationList": .array(
                .object(
                    [
                        "id": .uuid, "kind": .string(), "title": .string(), "body": .string(), "link": Schema.string().orNull,
                        "createdAt": .string(format: "date-time"), "read": .boolean,
                    ],
                    required: ["id", "kind", "title", "body", "createdAt", "read"])),
        ]
    }

    static let descriptions: [Int: String] = [
        200: "OK", 201: "Created", 204: "Done, no content", 400: "The request is malformed: a bad id, query value or JSON body; the reason names it.",
        401: "No valid bearer token.", 403: "The caller's role may not do this.", 404: "Not found, or not visible to the caller.",
        405: "The path exists with other methods.", 409: "The program's state does not allow this now; the reason says why.",
        413: "The body is too large.", 415: "The body must be application/json.", 422: "The body is well-formed but a field is wrong; issues name each field.",
        429: "Too many requests from this token or address; wait the seconds Retry-After names.",
    ]

    static func operation(_ route: APIRoute) -> [String: Any] {
        var op: [String: Any] = ["operationId": route.operationId, "summary": route.summary, "tags": [route.tag]]
        var parameters: [[String: Any]] = route.parameters.map {
            [
                "name": $0, "in": "path", "required": true,
                "schema": ($0 == "token" ? Schema.string(maxLength: 100, pattern: "^[A-Za-z0-9_-]+$") : Schema.uuid).value,
            ]
        }
        parameters += route.query.map { ["name": $0.name, "in": "query", "required": false, "schema": $0.schema.value, "description": $0.description] }
        if !parameters.isEmpty { op["parameters"] = parameters }
        if case .json(let name) = route.body {
            op["requestBody"] = ["required": true, "content": ["application/json": ["schema": Schema.ref(name).value]]]
        }
        op["security"] = route.access == .anyone ? [] : [["bearer": []]]
        var responses: [String: Any] = [:]
        var success: [String: Any] = ["description": descriptions[route.success.status] ?? "OK"]
        if let schema = route.success.schema {
            success["content"] = [route.contentType: ["schema": route.contentType == "application/json" ? Schema.ref(schema).value : Schema.string().value]]
        }
        responses[String(route.success.status)] = success
        var errors = [400, 404, 405]
        if route.access != .anyone { errors += [401, 403] }
        if case .json = route.body { errors += [413, 415, 422] }
        if route.conflicts { errors += [409, 422] }
        if route.access == .anyone { errors += [403, 409, 410] }
        if !route.registeredBySite { errors.append(429) }
        for status in Set(errors).sorted() {
            var response: [String: Any] = [
                "description": descriptions[status] ?? (status == 410 ? "The invitation expired." : "Error"),
                "content": ["application/json": ["schema": Schema.ref("Error").value]],
            ]
            if status == 429 {
                response["headers"] = ["Retry-After": ["description": "Seconds to wait.", "schema": ["type": "integer", "minimum": 1]]]
            }
            responses[String(status)] = response
        }
        op["responses"] = responses
        return op
    }

    static func document() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in APIRoute.all { paths[route.path, default: [:]][route.method.rawValue.lowercased()] = operation(route) }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Upward API", "version": "1.0.0",
                "description":
                    "Reverse mentoring programs: programs, enrollment, training, matching and pairs. Authenticate with a bearer token from the account page or `upward token create`.",
            ],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "schemas": schemas.merging(pairSchemas) { a, _ in a }.merging(measurementSchemas) { a, _ in a }.mapValues(\.value),
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "A token such as upw_…, from the account page or `upward token create`."]
                ],
            ],
        ]
    }

    /// Built once, on first request, not on every one.
    static let served = json()

    /// The document as committed: pretty-printed, keys sorted, a trailing newline.
    static func json() -> Data {
        var data = (try? JSONSerialization.data(withJSONObject: document(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(0x0A)
        return data
    }
}
