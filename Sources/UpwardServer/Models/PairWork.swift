import Fluent
import Foundation
import UpwardCore

/// A goal of a pair: whose it is, why, how success is measured, milestones and progress.
final class Goal: Model, @unchecked Sendable {
    static let schema = "goals"
    @ID(key: .id) var id: UUID?
    @Parent(key: "pair_id") var pair: Pair
    @Field(key: "owner") var owner: String
    @Field(key: "title") var title: String
    @Field(key: "why") var why: String
    @Field(key: "measure") var measure: String
    @OptionalField(key: "target_date") var targetDate: String?
    @OptionalField(key: "focus_area") var focusArea: String?
    /// JSON array of ``Milestone``.
    @Field(key: "milestones") var milestonesJSON: String
    @OptionalField(key: "manual_progress") var manualProgress: Int?
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var milestones: [Milestone] { JSONText.decode(milestonesJSON) ?? [] }
    var goalStatus: GoalStatus { GoalStatus(rawValue: status) ?? .open }
    var progress: Int { Self.progress(milestonesJSON: milestonesJSON, manual: manualProgress, status: status) }

    /// A goal's progress from its stored columns, for pages that read goals as plain rows.
    static func progress(milestonesJSON: String, manual: Int?, status: String) -> Int {
        GoalDraft.progress(milestones: JSONText.decode(milestonesJSON) ?? [], manual: manual, status: GoalStatus(rawValue: status) ?? .open)
    }

    func apply(_ draft: GoalDraft) {
        owner = draft.owner.rawValue
        title = draft.title
        why = draft.why
        measure = draft.measure
        targetDate = draft.targetDate?.description
        focusArea = draft.focusArea
        milestonesJSON = JSONText.encode(draft.milestones)
        manualProgress = draft.manualProgress
        status = draft.status.rawValue
    }
}

/// A meeting of a pair, or of a mentor circle (then `pair` is nil and `circle` is set).
final class Meeting: Model, @unchecked Sendable {
    static let schema = "meetings"
    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "pair_id") var pair: Pair?
    @OptionalParent(key: "circle_id") var circle: Circle?
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "location") var location: String
    @Field(key: "agenda") var agenda: String
    @Field(key: "status") var status: String
    @OptionalField(key: "summary") var summary: String?
    @OptionalField(key: "follow_ups") var followUps: String?
    /// RFC 5545 SEQUENCE: raised on every change calendar apps must see.
    @Field(key: "sequence") var sequence: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "reminder_sent_at") var reminderSentAt: Date?
    @OptionalField(key: "unlogged_sent_at") var unloggedSentAt: Date?
    init() {}

    var meetingStatus: MeetingStatus { MeetingStatus(rawValue: status) ?? .scheduled }

    /// A scheduled meeting from a checked draft; an empty place or agenda takes the given default.
    init(draft: MeetingDraft, defaultAgenda: String, at now: Date) {
        startsAt = draft.start
        durationMinutes = draft.durationMinutes
        timeZone = draft.timeZone
        location = draft.location.isEmpty ? Meetings.defaultLocation : draft.location
        agenda = draft.agenda.isEmpty ? defaultAgenda : draft.agenda
        status = MeetingStatus.scheduled.rawValue
        sequence = 0
        createdAt = now
        updatedAt = now
    }
    var endsAt: Date { startsAt.addingTimeInterval(TimeInterval(durationMinutes * 60)) }
}

/// A note of a pair: shared (both see it) or private (its author only; the body is sealed).
final class PairNote: Model, @unchecked Sendable {
    static let schema = "pair_notes"
    @ID(key: .id) var id: UUID?
    @Parent(key: "pair_id") var pair: Pair
    @Parent(key: "author_person_id") var author: Person
    /// shared or private.
    @Field(key: "visibility") var visibility: String
    /// Plain text when shared; `v1.` + AES-GCM when private.
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
    var isPrivate: Bool { visibility == "private" }
}

/// A person's calendar subscription: only the token's hash is kept.
final class CalendarFeed: Model, @unchecked Sendable {
    static let schema = "calendar_feeds"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A concern raised to the program manager. The partner never sees it.
final class Concern: Model, @unchecked Sendable {
    static let schema = "concerns"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "pair_id") var pair: Pair
    @Parent(key: "raised_by_participant_id") var raisedBy: Participant
    @Field(key: "category") var category: String
    @Field(key: "body") var body: String
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
    var concernStatus: ConcernStatus { ConcernStatus(rawValue: status) ?? .open }
    var concernCategory: ConcernCategory { ConcernCategory(rawValue: category) ?? .other }
}

/// A program manager's private handling note on a concern.
final class ConcernNote: Model, @unchecked Sendable {
    static let schema = "concern_notes"
    @ID(key: .id) var id: UUID?
    @Parent(key: "concern_id") var concern: Concern
    @Field(key: "author_user_id") var authorUserID: UUID
    @Field(key: "author_name") var authorName: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A mentor circle: group check-ins for the junior mentors only, or the senior mentees only.
final class Circle: Model, @unchecked Sendable {
    static let schema = "circles"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    /// mentor or mentee: who is invited.
    @Field(key: "audience") var audience: String
    @Field(key: "title") var title: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// How a person wants messages delivered, and their chat webhooks.
final class DeliverySetting: Model, @unchecked Sendable {
    static let schema = "delivery_settings"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    /// JSON ``DeliveryPreferences``.
    @Field(key: "preferences") var preferencesJSON: String
    @OptionalField(key: "slack_url") var slackURL: String?
    @OptionalField(key: "teams_url") var teamsURL: String?
    @OptionalField(key: "last_digest_at") var lastDigestAt: Date?
    init() {}
    var preferences: DeliveryPreferences { JSONText.decode(preferencesJSON) ?? .defaults }

    static func forUser(_ id: UUID?, on db: any Database) async throws -> DeliverySetting? {
        guard let id else { return nil }
        return try await DeliverySetting.query(on: db).filter(\.$user.$id == id).first()
    }
}

/// One message on one channel to one address: the outbox row the delivery worker claims.
final class Delivery: Model, @unchecked Sendable {
    static let schema = "deliveries"

    enum Status: String, Sendable {
        /// Waiting for its next attempt.
        case pending
        /// Claimed: an attempt is under way (recorded before sending).
        case sending
        case sent
        /// Given up after the last attempt, or refused for good.
        case failed
        /// A crash or restart interrupted the attempt: it may have arrived, so it is never sent again.
        case interrupted
    }

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "notification_id") var notificationID: UUID?
    @Field(key: "channel") var channel: String
    @Field(key: "address") var address: String
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "link") var link: String?
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claimed_at") var claimedAt: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    init() {}
    var deliveryStatus: Status { Status(rawValue: status) ?? .pending }

    /// A pending delivery due now. Channel `user` means "to this account's chosen channels", expanded when routed.
    init(channel: String, address: String, kind: String, message: OutgoingMessage, notification: UUID? = nil, at now: Date) {
        notificationID = notification
        self.channel = channel
        self.address = address
        self.kind = kind
        title = message.title
        body = message.body
        link = message.link
        status = Status.pending.rawValue
        attempts = 0
        nextAttemptAt = now
        createdAt = now
    }
}
