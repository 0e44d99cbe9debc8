import Fluent
import Foundation
import UpwardCore

/// A reverse mentoring program (one cohort), with its settings and where it is in its lifecycle.
final class Program: Model, @unchecked Sendable {
    // See Person: Fluent models are @unchecked Sendable by convention.
    static let schema = "programs"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    /// JSON array of strings.
    @Field(key: "focus_areas") var focusAreasJSON: String
    @Field(key: "cadence_days") var cadenceDays: Int
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "is_pilot") var isPilot: Bool
    @Field(key: "minimum_level_gap") var minimumLevelGap: Int
    @Field(key: "maximum_mentees_per_mentor") var maximumMenteesPerMentor: Int
    @Field(key: "different_department_only") var differentDepartmentOnly: Bool
    @Field(key: "objective") var objective: String
    /// JSON object of weights.
    @Field(key: "weights") var weightsJSON: String
    @Field(key: "selection_mode") var selectionMode: String
    @Field(key: "review_threshold") var reviewThreshold: Double
    @Field(key: "request_timeout_days") var requestTimeoutDays: Int
    @Field(key: "code_of_conduct") var codeOfConduct: String
    @Field(key: "status") var status: String
    @OptionalField(key: "cloned_from") var clonedFrom: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var programStatus: ProgramStatus { ProgramStatus(rawValue: status) ?? .draft }

    var settings: ProgramSettings {
        let areas = (try? JSONDecoder().decode([String].self, from: Data(focusAreasJSON.utf8))) ?? []
        var weights = ScoringWeights()
        if let stored = try? JSONDecoder().decode([String: Double].self, from: Data(weightsJSON.utf8)) {
            for (key, value) in stored { _ = weights.set(key, value) }
        }
        return ProgramSettings(
            name: name, description: description, focusAreas: areas, cadenceDays: cadenceDays,
            startsOn: CalendarDate(startsOn) ?? CalendarDate(year: 2026, month: 1, day: 1)!,
            endsOn: CalendarDate(endsOn) ?? CalendarDate(year: 2026, month: 12, day: 31)!, isPilot: isPilot,
            minimumLevelGap: minimumLevelGap, maximumMenteesPerMentor: maximumMenteesPerMentor,
            differentDepartmentOnly: differentDepartmentOnly, objective: MatchingObjective(rawValue: objective) ?? .participation,
            weights: weights, selectionMode: SelectionMode(rawValue: selectionMode) ?? .manager, reviewThreshold: reviewThreshold,
            requestTimeoutDays: requestTimeoutDays, codeOfConduct: codeOfConduct)
    }

    func apply(_ settings: ProgramSettings) {
        name = settings.name
        description = settings.description
        focusAreasJSON = JSONText.encode(settings.focusAreas)
        cadenceDays = settings.cadenceDays
        startsOn = settings.startsOn.description
        endsOn = settings.endsOn.description
        isPilot = settings.isPilot
        minimumLevelGap = settings.minimumLevelGap
        maximumMenteesPerMentor = settings.maximumMenteesPerMentor
        differentDepartmentOnly = settings.differentDepartmentOnly
        objective = settings.objective.rawValue
        weightsJSON = JSONText.encode(settings.weights.dictionary)
        selectionMode = settings.selectionMode.rawValue
        reviewThreshold = settings.reviewThreshold
        requestTimeoutDays = settings.requestTimeoutDays
        codeOfConduct = settings.codeOfConduct
    }
}

/// An admin assigned to run a program.
final class ProgramManager: Model, @unchecked Sendable {
    static let schema = "program_managers"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "user_id") var user: User
    init() {}
    init(programID: UUID, userID: UUID) {
        self.$program.id = programID
        self.$user.id = userID
    }
}

/// Someone invited into a program as mentor or mentee: invitation, enrollment and agreement.
final class Participant: Model, @unchecked Sendable {
    static let schema = "participants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "person_id") var person: Person
    @OptionalParent(key: "user_id") var user: User?
    @Field(key: "role") var role: String
    /// SHA-256 of the one-time invitation token; cleared once used.
    @OptionalField(key: "invitation_hash") var invitationHash: String?
    @Field(key: "invitation_expires_at") var invitationExpiresAt: Date
    @Field(key: "invited_at") var invitedAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    /// JSON ``EnrollmentAnswers``.
    @OptionalField(key: "answers") var answersJSON: String?
    @OptionalField(key: "enrolled_at") var enrolledAt: Date?
    @OptionalField(key: "agreed_at") var agreedAt: Date?

    init() {}

    var enrollmentRole: Enrollment.Role { Enrollment.Role(rawValue: role) ?? .mentee }
    var answers: EnrollmentAnswers? { answersJSON.flatMap { JSONText.decode($0) } }
}

/// One training module of a program.
final class TrainingModule: Model, @unchecked Sendable {
    static let schema = "training_modules"

    enum Audience: String, Codable, CaseIterable, Sendable {
        case mentors, mentees, both
        func applies(to role: Enrollment.Role) -> Bool {
            self == .both || (self == .mentors && role == .mentor) || (self == .mentees && role == .mentee)
        }
        var label: String {
            switch self {
            case .mentors: "Mentors"
            case .mentees: "Mentees"
            case .both: "Mentors and mentees"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Field(key: "title") var title: String
    @Field(key: "content") var content: String
    @Field(key: "audience") var audience: String
    @Field(key: "position") var position: Int

    init() {}
    var moduleAudience: Audience { Audience(rawValue: audience) ?? .both }
}

final class TrainingCompletion: Model, @unchecked Sendable {
    static let schema = "training_completions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participant_id") var participant: Participant
    @Parent(key: "module_id") var module: TrainingModule
    @Field(key: "completed_at") var completedAt: Date
    init() {}
}

/// One run of the matching engine on a program.
final class MatchingRun: Model, @unchecked Sendable {
    static let schema = "matching_runs"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Field(key: "objective") var objective: String
    @Field(key: "total_score") var totalScore: Double
    @Field(key: "matched") var matched: Int
    /// JSON array of ``MatchingRunSummary.Unmatched``.
    @Field(key: "unmatched") var unmatchedJSON: String
    @Field(key: "proof") var proof: String
    @Field(key: "solver_seconds") var solverSeconds: Double
    @Field(key: "created_at") var createdAt: Date
    /// JSON of ``MatchingState``: what the next run starts from (the latest run only).
    @OptionalField(key: "solver_state") var solverState: String?
    init() {}
}

/// A mentee and a mentor in a program: proposed by a run or by hand, then published, then live.
final class Pair: Model, @unchecked Sendable {
    static let schema = "pairs"

    enum Status: String, Codable, CaseIterable, Sendable {
        /// In review: only the program manager sees it.
        case proposed
        /// Approved; waiting for both sides to finish training and accept the agreement.
        case waiting
        case live
        /// Either side paused it; it can resume.
        case paused
        /// A participant declined it before it went live.
        case declined
        /// A participant asked for a rematch of the live pair.
        case rematched
        /// The program ended or was cancelled.
        case ended

        var label: String {
            switch self {
            case .proposed: "Proposed"
            case .waiting: "Waiting for training"
            case .live: "Live"
            case .paused: "Paused"
            case .declined: "Declined"
            case .rematched: "Rematch requested"
            case .ended: "Ended"
            }
        }
        /// Holds its people: counts against capacity in the next run.
        var isPublished: Bool { self == .waiting || self == .live || self == .paused }
        /// The pair works together (or paused): goals, meetings and notes are open to it.
        var isWorking: Bool { self == .live || self == .paused }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "mentee_id") var mentee: Participant
    @Parent(key: "mentor_id") var mentor: Participant
    @Field(key: "score") var score: Double
    /// JSON array of strings.
    @Field(key: "reasons") var reasonsJSON: String
    @Field(key: "warnings") var warningsJSON: String
    @Field(key: "status") var status: String
    @Field(key: "locked") var locked: Bool
    /// engine, manual or request.
    @Field(key: "source") var source: String
    @OptionalField(key: "manual_reason") var manualReason: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "live_at") var liveAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    /// The last health assessment (``PairHealth/Status``).
    @OptionalField(key: "health") var health: String?
    @OptionalField(key: "closing_proposed_at") var closingProposedAt: Date?

    init() {}
    var pairStatus: Status { Status(rawValue: status) ?? .proposed }
    var reasons: [String] { JSONText.decode(reasonsJSON) ?? [] }
    var warnings: [String] { JSONText.decode(warningsJSON) ?? [] }
}

extension Pair {
    /// `FROM pairs p` with both sides' people as `me` (the mentee) and `mo` (the mentor), for
    /// lists that show each pair by its two names.
    static let withNames =
        "FROM pairs p JOIN participants a ON a.id = p.mentee_id JOIN people me ON me.id = a.person_id "
        + "JOIN participants b ON b.id = p.mentor_id JOIN people mo ON mo.id = b.person_id"

    /// A pair with both people loaded, or nil.
    static func loaded(_ id: UUID, on db: any Database) async throws -> Pair? {
        try await loadedWithProgram(id, on: db)?.pair
    }

    /// A pair with both people and its program, read in one query (joins, not five eager loads:
    /// every pair page and pair API call starts here). The query's text is written once, from the
    /// models' own field lists, and each model is filled from its columns (see ``PrefixedOutput``):
    /// through Fluent's query builder, serializing the 80 columns' names took more time than the
    /// query itself, on every pair write.
    static func loadedWithProgram(_ id: UUID, on db: any Database) async throws -> (pair: Pair, program: Program)? {
        guard let row = try await db.sql().raw("\(unsafeRaw: Self.withProgramQuery) WHERE pa.id = \(bind: id)").first() else { return nil }
        let pair: Pair = try PrefixedOutput.model(row, "pa_")
        let program: Program = try PrefixedOutput.model(row, "pr_")
        let mentee: Participant = try PrefixedOutput.model(row, "ms_")
        let mentor: Participant = try PrefixedOutput.model(row, "ts_")
        mentee.$person.value = try PrefixedOutput.model(row, "mp_") as Person
        mentor.$person.value = try PrefixedOutput.model(row, "tp_") as Person
        pair.$mentee.value = mentee
        pair.$mentor.value = mentor
        pair.$program.value = program
        return (pair, program)
    }

    private static let withProgramQuery =
        "SELECT \(PrefixedOutput.columns(Pair.self, "pa")), \(PrefixedOutput.columns(Program.self, "pr")), "
        + "\(PrefixedOutput.columns(Participant.self, "ms")), \(PrefixedOutput.columns(Person.self, "mp")), "
        + "\(PrefixedOutput.columns(Participant.self, "ts")), \(PrefixedOutput.columns(Person.self, "tp")) "
        + "FROM pairs pa JOIN programs pr ON pr.id = pa.program_id "
        + "JOIN participants ms ON ms.id = pa.mentee_id JOIN people mp ON mp.id = ms.person_id "
        + "JOIN participants ts ON ts.id = pa.mentor_id JOIN people tp ON tp.id = ts.person_id"

    /// After a query with ``FluentKit/QueryBuilder/joiningSides()``: both sides and their people in place,
    /// as `with(\.$mentee) { $0.with(\.$person) }` would have loaded them in four more queries.
    func takeJoinedSides() throws {
        let mentee = try joined(MenteeSide.self).model
        mentee.$person.value = try joined(MenteePerson.self).model
        let mentor = try joined(MentorSide.self).model
        mentor.$person.value = try joined(MentorPerson.self).model
        $mentee.value = mentee
        $mentor.value = mentor
    }

    /// The two sides of a pair and their people, as joined in one query.
    final class MenteeSide: ModelAlias, @unchecked Sendable {
        static let name = "mentee_side"
        let model = Participant()
    }

    final class MentorSide: ModelAlias, @unchecked Sendable {
        static let name = "mentor_side"
        let model = Participant()
    }

    final class MenteePerson: ModelAlias, @unchecked Sendable {
        static let name = "mentee_person"
        let model = Person()
    }

    final class MentorPerson: ModelAlias, @unchecked Sendable {
        static let name = "mentor_person"
        let model = Person()
    }
}

/// A pair the next runs must not propose: excluded by the manager, declined or rematched.
final class Exclusion: Model, @unchecked Sendable {
    static let schema = "exclusions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "mentee_id") var mentee: Participant
    @Parent(key: "mentor_id") var mentor: Participant
    /// manager, declined, rematch, request-declined.
    @Field(key: "reason") var reason: String
    /// The participant's confidential words, for the program manager only.
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "by_participant_id") var byParticipantID: UUID?
    @Field(key: "created_at") var createdAt: Date
    init() {}

    /// An exclusion of (mentee, mentor) in a program, for `reason`, asked by a participant when given.
    init(programID: UUID, mentee: UUID, mentor: UUID, reason: String, note: String? = nil, by participant: UUID?, at date: Date) {
        self.$program.id = programID
        self.$mentee.id = mentee
        self.$mentor.id = mentor
        self.reason = reason
        self.note = note
        self.byParticipantID = participant
        self.createdAt = date
    }
}

/// A mentee's request to a suggested mentor, passing down their list of choices.
final class MatchRequest: Model, @unchecked Sendable {
    static let schema = "match_requests"
    enum Status: String, Codable, Sendable { case pending, accepted, exhausted, withdrawn }
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "mentee_id") var mentee: Participant
    /// The mentor asked now.
    @Parent(key: "mentor_id") var mentor: Participant
    /// JSON array of participant ids: the mentee's choices in order, the current one included.
    @Field(key: "choices") var choicesJSON: String
    @Field(key: "position") var position: Int
    @Field(key: "status") var status: String
    @Field(key: "requested_at") var requestedAt: Date
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    init() {}
    var choices: [UUID] { (JSONText.decode(choicesJSON) as [String]?)?.compactMap(UUID.init(uuidString:)) ?? [] }
}

/// The outbox: every message to a person, shown in-app; delivery channels come later.
final class Notification: Model, @unchecked Sendable {
    static let schema = "notifications"
    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "link") var link: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    /// When the delivery worker turned it into deliveries (or decided it waits for the digest).
    @OptionalField(key: "routed_at") var routedAt: Date?
    /// Waiting for the person's weekly digest.
    @Field(key: "in_digest") var inDigest: Bool
    init() {}
}

/// Who did what, when, to which object. Never updated or deleted by the app.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "program_id") var programID: UUID?
    @OptionalField(key: "actor_user_id") var actorUserID: UUID?
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "object_type") var objectType: String
    @OptionalField(key: "object_id") var objectID: String?
    @Field(key: "detail") var detail: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A bearer token for the JSON API; only its SHA-256 is stored.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    init() {}
}

/// Small JSON helpers for the text columns above.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decode<T: Decodable>(_ text: String) -> T? { try? JSONDecoder().decode(T.self, from: Data(text.utf8)) }
}

extension QueryBuilder where Model == Pair {
    /// Joins both sides of each pair and their people; call ``Pair/takeJoinedSides()`` on the results.
    func joiningSides() -> Self {
        let menteeSide: ComplexJoinFilter = \Pair.$mentee.$id == \Pair.MenteeSide.$id
        let mentorSide: ComplexJoinFilter = \Pair.$mentor.$id == \Pair.MentorSide.$id
        let menteePerson: ComplexJoinFilter = \Pair.MenteeSide.$person.$id == \Pair.MenteePerson.$id
        let mentorPerson: ComplexJoinFilter = \Pair.MentorSide.$person.$id == \Pair.MentorPerson.$id
        return join(Pair.MenteeSide.self, on: menteeSide).join(Pair.MentorSide.self, on: mentorSide)
            .join(Pair.MenteePerson.self, on: menteePerson).join(Pair.MentorPerson.self, on: mentorPerson)
    }
}
