import Fluent
import Foundation
import UpwardCore
import Vapor

// The pair's work in the JSON API: goals, meetings, notes, concerns, calendars and delivery
// settings. Every handler calls the same services as the pair page.

extension APIRoute {
    static let pairRoutes: [APIRoute] = [
        APIRoute(
            method: .GET, path: "/api/v1/pairs/{pairId}/goals", access: .signedIn, operationId: "listGoals",
            summary: "The pair's goals (its two people and its program's managers).", tag: "pairs", success: (200, "GoalList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/goals", access: .signedIn, operationId: "createGoal",
            summary: "Add a goal (either person in a live or paused pair).", tag: "pairs", body: .json("GoalInput"), success: (201, "Goal")),
        APIRoute(
            method: .PATCH, path: "/api/v1/pairs/{pairId}/goals/{goalId}", access: .signedIn, operationId: "updateGoal",
            summary: "Change a goal; absent fields keep their value.", tag: "pairs", body: .json("GoalPatch"), success: (200, "Goal")),
        APIRoute(
            method: .GET, path: "/api/v1/pairs/{pairId}/meetings", access: .signedIn, operationId: "listMeetings",
            summary: "The pair's meetings, earliest first.", tag: "pairs", success: (200, "MeetingList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/meetings", access: .signedIn, operationId: "createMeeting",
            summary: "Add a meeting (local start in a named time zone); the partner is told.", tag: "pairs", body: .json("MeetingInput"),
            success: (201, "Meeting")),
        APIRoute(
            method: .PATCH, path: "/api/v1/pairs/{pairId}/meetings/{meetingId}", access: .signedIn, operationId: "updateMeeting",
            summary: "Move or change a scheduled meeting; its SEQUENCE goes up.", tag: "pairs", body: .json("MeetingPatch"), success: (200, "Meeting")),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/meetings/{meetingId}/cancel", access: .signedIn, operationId: "cancelMeeting",
            summary: "Cancel a scheduled meeting (calendars show it cancelled).", tag: "pairs", success: (200, "Meeting")),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/meetings/{meetingId}/log", access: .signedIn, operationId: "logMeeting",
            summary: "Log a meeting as held or missed, with a shared summary and follow-ups.", tag: "pairs", body: .json("MeetingLogInput"),
            success: (200, "Meeting")),
        APIRoute(
            method: .GET, path: "/api/v1/meetings/{meetingId}.ics", access: .signedIn, operationId: "getMeetingCalendar",
            summary: "One meeting as an iCalendar file.", tag: "calendars", success: (200, "Calendar"), conflicts: false, contentType: "text/calendar"),
        APIRoute(
            method: .GET, path: "/calendar/{token}.ics", access: .anyone, operationId: "getCalendarFeed",
            summary: "A person's subscription feed behind its secret token (create one with createCalendarFeed).", tag: "calendars",
            success: (200, "Calendar"), conflicts: false, contentType: "text/calendar", registeredBySite: true),
        APIRoute(
            method: .POST, path: "/api/v1/me/calendar", access: .signedIn, operationId: "createCalendarFeed",
            summary: "A new secret calendar address; the previous one stops working.", tag: "calendars", success: (201, "CalendarFeed"), conflicts: false),
        APIRoute(
            method: .DELETE, path: "/api/v1/me/calendar", access: .signedIn, operationId: "revokeCalendarFeed",
            summary: "Revoke the calendar address.", tag: "calendars", success: (204, nil), conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/pairs/{pairId}/notes", access: .signedIn, operationId: "listNotes",
            summary: "Shared notes plus the caller's own private notes; nothing else. Only the pair's two people.", tag: "pairs",
            success: (200, "PairNoteList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/notes", access: .signedIn, operationId: "createNote",
            summary: "Write a shared note or a private one (encrypted, readable by its author only).", tag: "pairs", body: .json("PairNoteInput"),
            success: (201, "PairNote")),
        APIRoute(
            method: .DELETE, path: "/api/v1/pairs/{pairId}/notes/{noteId}", access: .signedIn, operationId: "deleteNote",
            summary: "Delete one of the caller's own notes.", tag: "pairs", success: (204, nil), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/concerns", access: .signedIn, operationId: "raiseConcern",
            summary: "Raise a concern with the program manager; the partner never sees it.", tag: "concerns", body: .json("ConcernInput"),
            success: (201, "OwnConcern")),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/pause", access: .signedIn, operationId: "pausePair",
            summary: "Pause a live pair; upcoming meetings are cancelled.", tag: "pairs", success: (200, "Pair")),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/resume", access: .signedIn, operationId: "resumePair",
            summary: "Resume a paused pair; a new meeting series is planned.", tag: "pairs", success: (200, "Pair")),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/end", access: .signedIn, operationId: "endPair",
            summary: "End the pair: a no-fault exit.", tag: "pairs", success: (200, "Pair")),
        APIRoute(
            method: .GET, path: "/api/v1/concerns", access: .programManager, operationId: "listConcerns",
            summary: "The concerns queue of the programs the caller manages.", tag: "concerns", success: (200, "ConcernList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/concerns/{concernId}", access: .programManager, operationId: "handleConcern",
            summary: "Move a concern along and add a private handling note.", tag: "concerns", body: .json("ConcernHandleInput"),
            success: (200, "Concern")),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/circles", access: .programManager, operationId: "scheduleCircle",
            summary: "Schedule a mentor circle for one side only and invite them.", tag: "concerns", body: .json("CircleInput"), success: (201, "Circle")),
        APIRoute(
            method: .GET, path: "/api/v1/me/delivery", access: .signedIn, operationId: "getDeliverySettings",
            summary: "Which channels the caller wants per topic, and their chat webhooks.", tag: "account", success: (200, "DeliverySettings"),
            conflicts: false),
        APIRoute(
            method: .PUT, path: "/api/v1/me/delivery", access: .signedIn, operationId: "putDeliverySettings",
            summary: "Set the channels per topic; invitations and security always include email.", tag: "account", body: .json("DeliverySettings"),
            success: (200, "DeliverySettings")),
    ]
}

extension OpenAPIDocument {
    static var pairSchemas: [String: Schema] {
        let milestone = Schema.object(["title": .string(minLength: 1, maxLength: 200), "done": .boolean])
        let goalFields: [String: Schema] = [
            "title": .string(minLength: 1, maxLength: 140, pattern: plainText), "why": Schema.string(maxLength: 2000).orNull,
            "measure": Schema.string(maxLength: 1000).orNull, "targetDate": Schema.string(format: "date").orNull,
            "focusArea": Schema.string(maxLength: 100).orNull,
            "owner": .enumeration(GoalOwner.allCases.map(\.rawValue)), "milestones": Schema.array(milestone, maxItems: 20).orNull,
            "progress": Schema.integer(0, 100).orNull, "status": Schema.enumeration(GoalStatus.allCases.map(\.rawValue)).orNull,
        ]
        let meetingFields: [String: Schema] = [
            "start": .string(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$"), "timeZone": .string(minLength: 1, maxLength: 64),
            "durationMinutes": .integer(15, 480), "location": Schema.string(maxLength: 500).orNull, "agenda": Schema.string(maxLength: 4000).orNull,
        ]
        return [
            "Goal": .object([
                "id": .uuid, "pairId": .uuid, "owner": .enumeration(GoalOwner.allCases.map(\.rawValue)), "title": .string(), "why": .string(),
                "measure": .string(), "targetDate": Schema.string(format: "date").orNull, "focusArea": Schema.string().orNull, "milestones": .array(milestone),
                "progress": .integer(0, 100), "manualProgress": Schema.integer(0, 100).orNull, "status": .enumeration(GoalStatus.allCases.map(\.rawValue)),
            ]),
            "GoalList": .array(.ref("Goal")),
            "GoalInput": .object(goalFields, required: ["title", "owner"]),
            "GoalPatch": .object(goalFields.mapValues { $0.isNullable ? $0 : $0.orNull }, required: []),
            "Meeting": .object([
                "id": .uuid, "pairId": .uuid, "start": .string(format: "date-time"), "end": .string(format: "date-time"), "timeZone": .string(),
                "localStart": .string(), "durationMinutes": .integer(), "location": .string(), "agenda": .string(),
                "status": .enumeration(MeetingStatus.allCases.map(\.rawValue)), "summary": Schema.string().orNull, "followUps": Schema.string().orNull,
                "sequence": .integer(0), "icsPath": .string(),
            ]),
            "MeetingList": .array(.ref("Meeting")),
            "MeetingInput": .object(meetingFields, required: ["start", "timeZone", "durationMinutes"]),
            "MeetingPatch": .object(meetingFields.mapValues { $0.isNullable ? $0 : $0.orNull }, required: []),
            "MeetingLogInput": .object(
                [
                    "outcome": .enumeration(["held", "missed"]), "summary": Schema.string(maxLength: 2000).orNull,
                    "followUps": Schema.string(maxLength: 2000).orNull,
                ], required: ["outcome"]),
            "Calendar": .string(),
            "CalendarFeed": .object(["url": .string()]),
            "PairNote": .object([
                "id": .uuid, "author": .string(), "private": .boolean, "mine": .boolean, "body": Schema.string().orNull, "tampered": .boolean,
                "createdAt": .string(format: "date-time"),
            ]),
            "PairNoteList": .array(.ref("PairNote")),
            "PairNoteInput": .object(
                ["body": .string(minLength: 1, maxLength: 5000), "visibility": Schema.enumeration(["shared", "private"]).orNull], required: ["body"]),
            "ConcernInput": .object(
                ["category": .enumeration(ConcernCategory.allCases.map(\.rawValue)), "body": .string(minLength: 1, maxLength: 5000)],
                required: ["category", "body"]),
            "OwnConcern": .object([
                "id": .uuid, "category": .enumeration(ConcernCategory.allCases.map(\.rawValue)),
                "status": .enumeration(ConcernStatus.allCases.map(\.rawValue)), "createdAt": .string(format: "date-time"),
            ]),
            "Concern": .object([
                "id": .uuid, "programId": .uuid, "pairId": .uuid, "category": .enumeration(ConcernCategory.allCases.map(\.rawValue)),
                "status": .enumeration(ConcernStatus.allCases.map(\.rawValue)), "body": .string(), "raisedBy": .string(),
                "createdAt": .string(format: "date-time"),
                "notes": .array(.object(["author": .string(), "body": .string(), "createdAt": .string(format: "date-time")])),
            ]),
            "ConcernList": .array(.ref("Concern")),
            "ConcernHandleInput": .object(
                ["status": Schema.enumeration(ConcernStatus.allCases.map(\.rawValue)).orNull, "note": Schema.string(maxLength: 5000).orNull], required: []),
            "CircleInput": .object(
                meetingFields.merging(["audience": .enumeration(["mentor", "mentee"]), "title": .string(minLength: 1, maxLength: 140, pattern: plainText)]) {
                    a, _ in a
                }, required: ["audience", "title", "start", "timeZone", "durationMinutes"]),
            "Circle": .object([
                "id": .uuid, "programId": .uuid, "audience": .enumeration(["mentor", "mentee"]), "title": .string(), "meetingId": .uuid, "invited": .integer(0),
            ]),
            "DeliverySettings": .object(
                [
                    "channels": .object(
                        Dictionary(
                            uniqueKeysWithValues: MessageTopic.allCases.map {
                                ($0.rawValue, Schema.array(.enumeration(DeliveryChannel.allCases.map(\.rawValue))))
                            }),
                        required: [], closed: true),
                    "slackUrl": Schema.string(maxLength: 2000).orNull, "teamsUrl": Schema.string(maxLength: 2000).orNull,
                ], required: ["channels"]),
        ]
    }
}

extension APIModel {
    struct GoalOut: Content {
        let id: UUID
        let pairId: UUID
        let owner: String
        let title: String
        let why: String
        let measure: String
        let targetDate: String?
        let focusArea: String?
        let milestones: [Milestone]
        let progress: Int
        let manualProgress: Int?
        let status: String
        init(_ goal: Goal) {
            id = goal.id!
            pairId = goal.$pair.id
            owner = goal.owner
            title = goal.title
            why = goal.why
            measure = goal.measure
            targetDate = goal.targetDate
            focusArea = goal.focusArea
            milestones = goal.milestones
            progress = goal.progress
            manualProgress = goal.manualProgress
            status = goal.status
        }
    }

    struct GoalIn: Content {
        var title: String?
        var why: String?
        var measure: String?
        var targetDate: String?
        var focusArea: String?
        var owner: String?
        var milestones: [Milestone]?
        var progress: Int?
        var status: String?
        var input: GoalDraft.Input {
            GoalDraft.Input(
                title: title, why: why, measure: measure, targetDate: targetDate, focusArea: focusArea, owner: owner, milestones: milestones,
                progress: progress,
                status: status)
        }
    }

    struct MeetingOut: Content {
        let id: UUID
        let pairId: UUID
        let start: String
        let end: String
        let timeZone: String
        let localStart: String
        let durationMinutes: Int
        let location: String
        let agenda: String
        let status: String
        let summary: String?
        let followUps: String?
        let sequence: Int
        let icsPath: String
        init(_ meeting: Meeting) {
            id = meeting.id!
            pairId = meeting.$pair.id ?? UUID()
            start = ISO.string(from: meeting.startsAt)
            end = ISO.string(from: meeting.endsAt)
            timeZone = meeting.timeZone
            localStart = Meetings.localText(meeting.startsAt, in: TimeZone(identifier: meeting.timeZone) ?? TimeZone(identifier: "UTC")!)
            durationMinutes = meeting.durationMinutes
            location = meeting.location
            agenda = meeting.agenda
            status = meeting.status
            summary = meeting.summary
            followUps = meeting.followUps
            sequence = meeting.sequence
            icsPath = APIRoute.prefix + "/meetings/\(meeting.id!.text).ics"
        }
    }

    struct MeetingIn: Content {
        var start: String?
        var timeZone: String?
        var durationMinutes: Int?
        var location: String?
        var agenda: String?
        var input: MeetingDraft.Input {
            MeetingDraft.Input(start: start, timeZone: timeZone, durationMinutes: durationMinutes, location: location, agenda: agenda)
        }
    }

    struct MeetingLogIn: Content {
        var outcome: String?
        var summary: String?
        var followUps: String?
    }

    struct NoteOut: Content {
        let id: UUID
        let author: String
        let `private`: Bool
        let mine: Bool
        let body: String?
        let tampered: Bool
        let createdAt: String
        init(_ note: NoteView) {
            id = note.id
            author = note.authorName
            `private` = note.isPrivate
            mine = note.mine
            body = note.body
            tampered = note.body == nil
            createdAt = ISO.string(from: note.createdAt)
        }
    }

    struct NoteCreateIn: Content {
        var body: String?
        var visibility: String?
    }

    struct ConcernIn: Content {
        var category: String?
        var body: String?
    }

    struct OwnConcernOut: Content {
        let id: UUID
        let category: String
        let status: String
        let createdAt: String
    }

    struct ConcernOut: Content {
        struct Note: Content {
            let author: String
            let body: String
            let createdAt: String
        }
        let id: UUID
        let programId: UUID
        let pairId: UUID
        let category: String
        let status: String
        let body: String
        let raisedBy: String
        let createdAt: String
        let notes: [Note]
    }

    struct ConcernHandleIn: Content {
        var status: String?
        var note: String?
    }

    struct CircleIn: Content {
        var audience: String?
        var title: String?
        var start: String?
        var timeZone: String?
        var durationMinutes: Int?
        var location: String?
        var agenda: String?
    }

    struct CircleOut: Content {
        let id: UUID
        let programId: UUID
        let audience: String
        let title: String
        let meetingId: UUID
        let invited: Int
    }

    struct CalendarFeedOut: Content { let url: String }

    struct DeliveryOut: Content {
        var channels: [String: [String]]
        var slackUrl: String?
        var teamsUrl: String?
    }
}

extension APIController {
    static func concernOut(_ req: Request, _ concern: Concern) async throws -> APIModel.ConcernOut {
        let notes = try await req.concerns.notes(concern).map {
            APIModel.ConcernOut.Note(author: $0.authorName, body: $0.body, createdAt: APIModel.ISO.string(from: $0.createdAt))
        }
        return APIModel.ConcernOut(
            id: concern.id!, programId: concern.$program.id, pairId: concern.$pair.id, category: concern.category, status: concern.status, body: concern.body,
            raisedBy: "\(concern.raisedBy.person.name) (\(concern.raisedBy.role))", createdAt: APIModel.ISO.string(from: concern.createdAt), notes: notes)
    }

    static func deliveryOut(_ choice: DeliverySettings.Choice) -> APIModel.DeliveryOut {
        var channels: [String: [String]] = [:]
        for topic in MessageTopic.allCases { channels[topic.rawValue] = choice.preferences.channels(for: topic).map(\.rawValue) }
        return APIModel.DeliveryOut(channels: channels, slackUrl: choice.slackURL, teamsUrl: choice.teamsURL)
    }

    var pairHandlers: [String: Handler] {
        [
            "listGoals": { req in
                let context = try await req.pairContext("pairId")
                return try Self.json(try await req.goals.list(context).map(APIModel.GoalOut.init))
            },
            "createGoal": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.GoalIn.self)
                return try Self.json(APIModel.GoalOut(try await req.goals.create(input.input, in: context, by: try req.viewer)), .created)
            },
            "updateGoal": { req in
                let context = try await req.pairContext("pairId")
                let goal = try await req.goals.find(try IDParameter.parse(req, "goalId"), in: context)
                let input = try Self.body(req, APIModel.GoalIn.self)
                return try Self.json(APIModel.GoalOut(try await req.goals.update(goal, with: input.input, in: context, by: try req.viewer)))
            },
            "listMeetings": { req in
                let context = try await req.pairContext("pairId")
                return try Self.json(try await req.meetings.list(pair: context.pairID).map(APIModel.MeetingOut.init))
            },
            "createMeeting": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.MeetingIn.self)
                return try Self.json(APIModel.MeetingOut(try await req.meetings.create(input.input, in: context, by: try req.viewer)), .created)
            },
            "updateMeeting": { req in
                let context = try await req.pairContext("pairId")
                let meeting = try await req.meetings.find(try IDParameter.parse(req, "meetingId"), in: context)
                let input = try Self.body(req, APIModel.MeetingIn.self)
                return try Self.json(APIModel.MeetingOut(try await req.meetings.update(meeting, with: input.input, in: context, by: try req.viewer)))
            },
            "cancelMeeting": { req in
                let context = try await req.pairContext("pairId")
                let meeting = try await req.meetings.find(try IDParameter.parse(req, "meetingId"), in: context)
                return try Self.json(APIModel.MeetingOut(try await req.meetings.cancel(meeting, in: context, by: try req.viewer)))
            },
            "logMeeting": { req in
                let context = try await req.pairContext("pairId")
                let meeting = try await req.meetings.find(try IDParameter.parse(req, "meetingId"), in: context)
                let input = try Self.body(req, APIModel.MeetingLogIn.self)
                return try Self.json(
                    APIModel.MeetingOut(
                        try await req.meetings.log(
                            meeting, outcome: input.outcome, summary: input.summary, followUps: input.followUps, in: context, by: try req.viewer)))
            },
            "getMeetingCalendar": { req in
                let (_, event) = try await req.calendars.meeting(try PairPages.meetingID(req, "meetingIdFile"), viewer: try req.viewer)
                return PairPages.icsResponse(ICalendar.document([event], method: "PUBLISH"), filename: "upward-meeting.ics")
            },
            "getCalendarFeed": { _ in throw Abort(.notFound) },
            "createCalendarFeed": { req in
                let token = try await req.calendars.regenerate(for: try req.viewer)
                return try Self.json(APIModel.CalendarFeedOut(url: req.upward.configuration.publicURL + Calendars.feedPath(token)), .created)
            },
            "revokeCalendarFeed": { req in
                try await req.calendars.revoke(for: try req.viewer)
                return Response(status: .noContent)
            },
            "listNotes": { req in
                let context = try await req.pairContext("pairId")
                return try Self.json(try await req.notes.list(context).map(APIModel.NoteOut.init))
            },
            "createNote": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.NoteCreateIn.self)
                return try Self.json(
                    APIModel.NoteOut(try await req.notes.create(text: input.body, visibility: input.visibility, in: context, by: try req.viewer)), .created)
            },
            "deleteNote": { req in
                let context = try await req.pairContext("pairId")
                try await req.notes.delete(try IDParameter.parse(req, "noteId"), in: context)
                return Response(status: .noContent)
            },
            "raiseConcern": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.ConcernIn.self)
                let concern = try await req.concerns.raise(category: input.category, body: input.body, in: context, by: try req.viewer)
                return try Self.json(
                    APIModel.OwnConcernOut(
                        id: concern.id!, category: concern.category, status: concern.status, createdAt: APIModel.ISO.string(from: concern.createdAt)), .created)
            },
            "pausePair": { req in
                let context = try await req.pairContext("pairId")
                try await req.concerns.pause(context, by: try req.viewer)
                return try Self.json(APIModel.PairOut(context.pair, forManager: false))
            },
            "resumePair": { req in
                let context = try await req.pairContext("pairId")
                try await req.concerns.resume(context, by: try req.viewer)
                return try Self.json(APIModel.PairOut(context.pair, forManager: false))
            },
            "endPair": { req in
                let context = try await req.pairContext("pairId")
                try await req.concerns.end(context, by: try req.viewer)
                return try Self.json(APIModel.PairOut(context.pair, forManager: false))
            },
            "listConcerns": { req in
                var out: [APIModel.ConcernOut] = []
                for concern in try await req.concerns.queue(for: try req.viewer, programs: req.programs) { out.append(try await Self.concernOut(req, concern)) }
                return try Self.json(out)
            },
            "handleConcern": { req in
                let viewer = try req.viewer
                let concern = try await req.concerns.find(try IDParameter.parse(req, "concernId"), viewer: viewer, programs: req.programs)
                let input = try Self.body(req, APIModel.ConcernHandleIn.self)
                try await req.concerns.handle(concern, status: input.status, note: input.note, by: viewer)
                return try Self.json(try await Self.concernOut(req, concern))
            },
            "scheduleCircle": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.CircleIn.self)
                let meeting = MeetingDraft.Input(
                    start: input.start, timeZone: input.timeZone, durationMinutes: input.durationMinutes, location: input.location, agenda: input.agenda)
                let (circle, made, invited) = try await req.circles.schedule(
                    in: program, audience: input.audience, title: input.title, meeting: meeting, by: viewer)
                return try Self.json(
                    APIModel.CircleOut(
                        id: circle.id!, programId: program.id!, audience: circle.audience, title: circle.title, meetingId: made.id!, invited: invited), .created
                )
            },
            "getDeliverySettings": { req in
                try Self.json(Self.deliveryOut(try await req.deliverySettings.load(try req.viewer)))
            },
            "putDeliverySettings": { req in
                let input = try Self.body(req, APIModel.DeliveryOut.self)
                let choice = try await req.deliverySettings.save(
                    channels: input.channels, slackURL: input.slackUrl, teamsURL: input.teamsUrl, by: try req.viewer)
                return try Self.json(Self.deliveryOut(choice))
            },
        ]
    }
}
