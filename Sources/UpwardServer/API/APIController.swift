import Fluent
import Foundation
import UpwardCore
import Vapor

/// The JSON API under `/api/v1`: every handler calls the same services as the pages.
struct APIController {
    typealias Handler = @Sendable (Request) async throws -> Response

    func register(on app: Application) throws {
        let handlers = self.handlers.merging(self.pairHandlers) { a, _ in a }.merging(self.measurementHandlers) { a, _ in a }
            .merging(self.recognitionHandlers) { a, _ in a }
        app.get("api", "v1", "openapi.json") { req -> Response in
            let response = Response(status: .ok, body: .init(data: OpenAPIDocument.served))
            response.headers.contentType = .json
            return response
        }
        for route in APIRoute.all where !route.registeredBySite {
            guard let handler = handlers[route.operationId] else { throw Abort(.internalServerError, reason: "no handler for \(route.operationId)") }
            let group = app.grouped(APIAuthMiddleware(access: route.access))
            group.on(route.method, route.components, body: .collect(maxSize: "1mb"), use: handler)
        }
    }

    static func json<T: Content>(_ value: T, _ status: HTTPStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, as: .json)
        return response
    }

    /// A list, whole or one page of it, with its paging headers (see ``APIPaging``).
    static func json<T: Content>(_ value: [T], paging: APIPaging?, total: Int, req: Request) throws -> Response {
        let response = try json(value)
        APIPaging.headers(response, req: req, paging: paging, total: total)
        return response
    }

    /// The models of a query, or only one page of them.
    static func page<M: Model>(_ query: QueryBuilder<M>, _ paging: APIPaging?, total: Int) async throws -> [M] {
        guard let paging else { return try await query.all() }
        let rows = paging.range(total: total)
        guard !rows.isEmpty else { return [] }
        return try await query.range(rows).all()
    }

    static func body<T: Decodable>(_ req: Request, _ type: T.Type) throws -> T {
        // Parsed once: each read of `contentType` parses the header again.
        guard let type = req.headers.contentType, type.type == "application", type.subType == "json" else {
            throw Abort(.unsupportedMediaType, reason: "The body must be JSON (Content-Type: application/json).")
        }
        do { return try req.content.decode(T.self, as: .json) } catch let error as DecodingError {
            throw Abort(.badRequest, reason: "The JSON body is not valid: \(DecodingErrorText.describe(error))")
        }
    }

    static func program(_ req: Request) async throws -> (Program, Participant?, Viewer) {
        let viewer = try req.viewer
        let (program, participant) = try await req.programs.visible(try IDParameter.parse(req, "programId"), to: viewer)
        return (program, participant, viewer)
    }

    static func managed(_ req: Request) async throws -> (Program, Viewer) {
        let viewer = try req.viewer
        return (try await req.programs.managed(try IDParameter.parse(req, "programId"), by: viewer), viewer)
    }

    static func joined(_ req: Request) async throws -> (Program, Participant, Viewer) {
        let (program, participant, viewer) = try await program(req)
        guard let participant else { throw Abort(.forbidden, reason: "Only participants of the program do this.") }
        return (program, participant, viewer)
    }

    static func loadedPair(_ req: Request, _ id: UUID) async throws -> Pair {
        guard let pair = try await Pair.loaded(id, on: req.database) else { throw Abort(.notFound, reason: "No pair with id \(id.text).") }
        return pair
    }

    var handlers: [String: Handler] {
        [
            "getMe": { req in try Self.json(APIModel.Me(try req.viewer.user)) },
            "listNotifications": { req in
                let viewer = try req.viewer
                guard let person = viewer.personID else { return try Self.json([APIModel.NotificationOut]()) }
                let items = try await req.notifications.list(for: person).map {
                    APIModel.NotificationOut(
                        id: $0.id!, kind: $0.kind, title: $0.title, body: $0.body, link: $0.link, createdAt: APIModel.ISO.string(from: $0.createdAt),
                        read: $0.readAt != nil)
                }
                return try Self.json(items)
            },
            "listPeople": { req in
                // One pass over the query string: each `req.query.get` parses all of it again.
                let input = try req.query.decode(APIModel.PeopleQuery.self)
                // The API is strict where the page's form is lenient: an empty number or generation is an error, not "any".
                let strict = [
                    ("page", input.filters.page), ("level", input.filters.level), ("generation", input.filters.generation), ("per_page", input.perPage),
                ]
                for (name, value) in strict where value?.isEmpty == true {
                    throw Abort(.badRequest, reason: "\(name) must not be empty; leave it out instead.")
                }
                var query = try PeopleListQuery.parse(input.filters).directoryQuery
                query.perPage = 50
                if let raw = input.perPage {
                    guard raw.count <= 3, let value = Int(raw), (1...100).contains(value) else {
                        throw Abort(.badRequest, reason: "per_page: \"\(raw.prefix(20))\" must be a whole number from 1 to 100.")
                    }
                    query.perPage = value
                }
                return try APIModel.PeoplePage.response(try await req.directory.search(query))
            },
            "listPrograms": { req in
                let viewer = try req.viewer
                let programs = try await req.programs.visible(to: viewer)
                let roles = Dictionary(try await req.programs.participations(of: viewer).map { ($0.$program.id, $0.role) }, uniquingKeysWith: { a, _ in a })
                return try Self.json(programs.map { APIModel.ProgramOut($0, myRole: viewer.isAdmin ? "manager" : roles[$0.id!] ?? "mentee") })
            },
            "createProgram": { req in
                let input = try Self.body(req, ProgramSettings.Input.self)
                let program = try await req.programs.create(try ProgramSettings.validate(input), by: try req.viewer)
                return try Self.json(APIModel.ProgramOut(program, myRole: "manager"), .created)
            },
            "getProgram": { req in
                let (program, participant, _) = try await Self.program(req)
                return try Self.json(APIModel.ProgramOut(program, myRole: participant?.role ?? "manager"))
            },
            "updateProgram": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, ProgramSettings.Input.self)
                try await req.programs.update(program, with: try ProgramSettings.validate(input), by: viewer)
                return try Self.json(APIModel.ProgramOut(program, myRole: "manager"))
            },
            "transitionProgram": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.TransitionIn.self)
                guard let target = ProgramStatus(rawValue: input.to) else {
                    throw ValidationFailure("to", "must be one of \(ProgramStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                try await req.programs.transition(program, to: target, by: viewer)
                return try Self.json(APIModel.ProgramOut(program, myRole: "manager"))
            },
            "cloneProgram": { req in
                let (program, viewer) = try await Self.managed(req)
                return try Self.json(APIModel.ProgramOut(try await req.programs.clone(program, by: viewer), myRole: "manager"), .created)
            },
            "listParticipants": { req in
                let (program, _) = try await Self.managed(req)
                let paging = try APIPaging.parse(req)
                let query = Participant.query(on: req.database).filter(\.$program.$id == program.id!)
                let total = try await query.copy().count()
                let participants = try await Self.page(query.with(\.$person).sort(\.$invitedAt).sort(\.$id), paging, total: total)
                let lists = try await req.enrollments.checklists(program.id!, participants: participants)
                return try Self.json(
                    participants.map { p in
                        let list = lists[p.id!]
                        return APIModel.ParticipantOut(
                            id: p.id!, personId: p.$person.id, name: p.person.name, email: p.person.email, department: p.person.department,
                            level: p.person.level,
                            role: p.role, accepted: p.acceptedAt != nil, enrolled: p.enrolledAt != nil, agreed: p.agreedAt != nil, missing: list?.missing ?? [],
                            ready: list?.isReady == true)
                    }, paging: paging, total: total, req: req)
            },
            "invite": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.InvitationIn.self)
                let role = try MatchingPages.role(input.role)
                var ids: [UUID]
                if let filters = input.filters, input.people?.isEmpty ?? true {
                    // Strict like the directory's query: an empty generation is an error, not "any".
                    if filters.generation?.isEmpty == true {
                        throw ValidationFailure("filters.generation", "must be one of \(OpenAPIDocument.generations.joined(separator: ", ")) or left out")
                    }
                    // The directory's own filter checks; in a body, a bad filter is a field problem (422).
                    let parsed: PeopleListQuery
                    do {
                        parsed = try PeopleListQuery.parse(
                            PeopleListQuery.Raw(
                                q: filters.q, department: filters.department, level: filters.level.map(String.init), generation: filters.generation))
                    } catch let abort as Abort {
                        throw ValidationFailure("filters", abort.reason)
                    }
                    ids = try await MatchingPages.everyone(req, matching: parsed)
                } else {
                    ids = try (input.people ?? []).enumerated().map { try IDParameter.parse($1, field: "people[\($0)]") }
                }
                let outcome = try await req.invitations.invite(ids, role: role, to: program, by: viewer)
                let base = req.upward.configuration.publicURL
                return try Self.json(
                    APIModel.InvitationsOut(
                        invitations: outcome.links.map {
                            APIModel.InvitationLinkOut(
                                participantId: $0.participant.id!, personId: $0.person.id!, name: $0.person.name, email: $0.person.email, url: base + $0.path)
                        },
                        skipped: outcome.skipped.map { APIModel.Skipped(name: $0.name, reason: $0.reason) }), .created)
            },
            "reissueInvitation": { req in
                let (program, viewer) = try await Self.managed(req)
                let participant = try await MatchingPages.participant(req, in: program, parameter: "participantId")
                let id = try participant.requireID()
                let token = try await req.invitations.reissue(participant, by: viewer)
                return try Self.json(
                    APIModel.InvitationLinkOut(
                        participantId: id, personId: participant.$person.id, name: participant.person.name, email: participant.person.email,
                        url: req.upward.configuration.publicURL + SitePath.invitation(token)), .created)
            },
            "addManager": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.ManagerIn.self)
                try await req.programs.addManager(program, email: input.email, by: viewer)
                return Response(status: .noContent)
            },
            "removeManager": { req in
                let (program, viewer) = try await Self.managed(req)
                try await req.programs.removeManager(program, userID: try IDParameter.parse(req, "userId"), by: viewer)
                return Response(status: .noContent)
            },
            "listTraining": { req in
                let (program, participant, _) = try await Self.program(req)
                var modules = try await req.enrollments.modules(of: program.id!)
                var done: Set<UUID> = []
                if let participant {
                    modules = modules.filter { $0.moduleAudience.applies(to: participant.enrollmentRole) }
                    done = Set(try await TrainingCompletion.query(on: req.database).filter(\.$participant.$id == participant.id!).all().map(\.$module.id))
                }
                return try Self.json(
                    modules.map {
                        APIModel.ModuleOut(
                            id: $0.id!, title: $0.title, audience: $0.audience, content: $0.content, html: TrainingMarkdown.html($0.content),
                            completed: participant == nil ? nil : done.contains($0.id!))
                    })
            },
            "addTraining": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, Enrollments.ModuleInput.self)
                let module = try await req.enrollments.addModule(input, to: program, by: viewer)
                return try Self.json(
                    APIModel.ModuleOut(
                        id: module.id!, title: module.title, audience: module.audience, content: module.content, html: TrainingMarkdown.html(module.content),
                        completed: nil),
                    .created)
            },
            "completeTraining": { req in
                let (program, participant, viewer) = try await Self.joined(req)
                try await req.enrollments.completeModule(try IDParameter.parse(req, "moduleId"), for: participant, in: program, by: viewer)
                return Response(status: .noContent)
            },
            "acceptAgreement": { req in
                let (program, participant, viewer) = try await Self.joined(req)
                try await req.enrollments.agree(participant, in: program, by: viewer)
                return Response(status: .noContent)
            },
            "getEnrollment": { req in
                let (_, participant, _) = try await Self.joined(req)
                return try Self.json(
                    APIModel.EnrollmentOut(
                        participantId: participant.id!, role: participant.role, enrolledAt: APIModel.time(participant.enrolledAt), answers: participant.answers)
                )
            },
            "enroll": { req in
                let (program, participant, viewer) = try await Self.joined(req)
                let input = try Self.body(req, EnrollmentForm.Input.self)
                try await req.enrollments.submit(input, for: participant, in: program, by: viewer)
                return try Self.json(
                    APIModel.EnrollmentOut(
                        participantId: participant.id!, role: participant.role, enrolledAt: APIModel.time(participant.enrolledAt), answers: participant.answers)
                )
            },
            "runMatching": { req in
                let (program, viewer) = try await Self.managed(req)
                let run = try await req.matchmaking.run(program, by: viewer)
                return try Self.json(
                    APIModel.RunOut(
                        id: run.id!, objective: run.objective, matched: run.matched, totalScore: run.totalScore, proof: run.proof,
                        solverSeconds: run.solverSeconds,
                        unmatched: JSONText.decode(run.unmatchedJSON) ?? []), .created)
            },
            "listPairs": { req in
                let (program, participant, _) = try await Self.program(req)
                let query = Pair.query(on: req.database).filter(\.$program.$id == program.id!).with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) {
                    $0.with(\.$person)
                }
                if let participant {
                    let id = participant.id!
                    query.group(.or) { $0.filter(\.$mentee.$id == id).filter(\.$mentor.$id == id) }.filter(\.$status != Pair.Status.proposed.rawValue)
                }
                let paging = try APIPaging.parse(req)
                let total = try await query.copy().count()
                let pairs = try await Self.page(query.sort(\.$createdAt).sort(\.$id), paging, total: total)
                return try Self.json(pairs.map { APIModel.PairOut($0, forManager: participant == nil) }, paging: paging, total: total, req: req)
            },
            "assignPair": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.AssignIn.self)
                let pair = try await req.matchmaking.assign(
                    program, mentee: try IDParameter.parse(input.menteeId, field: "menteeId"), mentor: try IDParameter.parse(input.mentorId, field: "mentorId"),
                    reason: input.reason, by: viewer)
                return try Self.json(APIModel.PairOut(try await Self.loadedPair(req, pair.id!), forManager: true), .created)
            },
            "swapPairs": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.SwapIn.self)
                try await req.matchmaking.swap(
                    program, try IDParameter.parse(input.pair, field: "pair"), try IDParameter.parse(input.with, field: "with"), reason: input.reason,
                    by: viewer)
                return Response(status: .noContent)
            },
            "approveMatching": { req in
                let (program, viewer) = try await Self.managed(req)
                return try Self.json(APIModel.ApproveOut(published: try await req.matchmaking.approve(program, by: viewer)))
            },
            "listSuggestions": { req in
                let (program, participant, _) = try await Self.joined(req)
                try Suggestions.requireChoosing(program)
                guard participant.enrollmentRole == .mentee else { throw Abort(.forbidden, reason: "Suggestions are for mentees.") }
                try await req.suggestions.passOverdue()
                return try Self.json(
                    try await req.suggestions.suggestions(for: participant, in: program).map {
                        APIModel.SuggestionOut(
                            mentorId: $0.mentor.id!, name: $0.person.name, title: $0.person.title, department: $0.person.department, score: $0.score,
                            reasons: $0.reasons)
                    })
            },
            "requestMentor": { req in
                let (program, participant, viewer) = try await Self.joined(req)
                let input = try Self.body(req, APIModel.RequestIn.self)
                try await req.suggestions.passOverdue()
                let request = try await req.suggestions.request(
                    try IDParameter.parse(input.mentorId, field: "mentorId"), by: participant, in: program, viewer: viewer)
                return try Self.json(
                    APIModel.RequestOut(id: request.id!, mentorId: request.$mentor.id, status: request.status, dueAt: APIModel.ISO.string(from: request.dueAt)),
                    .created)
            },
            "answerRequest": { req in
                let viewer = try req.viewer
                try await req.suggestions.passOverdue()
                let (request, program, mentor) = try await ParticipantPages.incomingRequest(req, viewer: viewer, parameter: "requestId")
                let input = try Self.body(req, APIModel.AnswerIn.self)
                let pair = try await req.suggestions.answer(request, accept: input.accept, by: mentor, in: program, viewer: viewer)
                var out: APIModel.PairOut?
                if let pair { out = APIModel.PairOut(try await Self.loadedPair(req, pair.id!), forManager: false) }
                return try Self.json(APIModel.AnswerOut(pair: out))
            },
            "listAudit": { req in
                let (program, _) = try await Self.managed(req)
                var filter = AuditLog.Filter()
                filter.program = program.id
                return try Self.json(
                    try await req.auditLog.entries(filter).map {
                        APIModel.AuditOut(
                            time: APIModel.ISO.string(from: $0.createdAt), actor: $0.actor, action: $0.action, objectType: $0.objectType, objectId: $0.objectID,
                            detail: $0.detail)
                    })
            },
            "getPair": { req in
                let (card, role) = try await req.pairSpace.card(try IDParameter.parse(req, "pairId"), viewer: try req.viewer)
                return try Self.json(APIModel.PairOut(card, forManager: role == .manager))
            },
            "lockPair": { req in
                let viewer = try req.viewer
                let (pair, program, _) = try await Self.pair(req)
                let input = try Self.body(req, APIModel.LockIn.self)
                try await req.matchmaking.setLocked(pair, input.locked, in: program, by: viewer)
                return try Self.json(APIModel.PairOut(pair, forManager: true))
            },
            "declinePair": { req in
                let viewer = try req.viewer
                let (pair, program, participant) = try await Self.pair(req)
                guard let participant else { throw Abort(.forbidden, reason: "Only the two people in a pair can decline it or ask for a rematch.") }
                let input = try Self.body(req, APIModel.NoteIn.self)
                try await req.matchmaking.stepBack(from: pair, participant: participant, note: input.note, in: program, by: viewer)
                return try Self.json(APIModel.PairOut(pair, forManager: false))
            },
            "acceptInvitation": { req in
                let input = try Self.body(req, APIModel.AcceptIn.self)
                let signedIn = req.auth.get(User.self).map(Viewer.init)
                let user = try await req.invitations.accept(
                    token: input.token, password: input.password, name: input.name, signedIn: signedIn, accounts: req.accounts)
                return try Self.json(APIModel.Me(user))
            },
        ]
    }
}

extension APIController {
    /// A pair the caller may see (`pairId`), as (pair, program, the caller's side).
    static func pair(_ req: Request) async throws -> (Pair, Program, Participant?) {
        let context = try await req.pairContext("pairId")
        return (context.pair, context.program, context.me)
    }
}
