import Foundation

/// Where a message can go besides the in-app list, which always has it.
public enum DeliveryChannel: String, CaseIterable, Sendable, Codable {
    case email, slack, teams
}

/// What a person chooses channels for. Each message kind belongs to one topic.
public enum MessageTopic: String, CaseIterable, Sendable, Codable {
    case invitation, security, matching, meetings, concerns, digest

    public var label: String {
        switch self {
        case .invitation: "Invitations to programs"
        case .security: "Security (sign-in, tokens)"
        case .matching: "Matches, requests and pair changes"
        case .meetings: "Meeting reminders and changes"
        case .concerns: "Concerns (program managers)"
        case .digest: "Weekly digest"
        }
    }

    /// Essential topics are always sent by email when email is configured; they cannot be switched off.
    public var isEssential: Bool { self == .invitation || self == .security }

    /// The topic of a message kind: `meeting.reminder` → meetings.
    public static func of(kind: String) -> MessageTopic {
        let head = kind.split(separator: ".").first.map(String.init) ?? kind
        switch head {
        case "invitation": return .invitation
        case "security", "token": return .security
        case "meeting", "circle": return .meetings
        case "concern": return .concerns
        case "digest": return .digest
        default: return .matching
        }
    }
}

/// Per topic, the channels a person wants a message on straight away. Topics without an
/// immediate channel still reach the in-app list and the weekly digest.
public struct DeliveryPreferences: Sendable, Codable, Equatable {
    public var channels: [String: [DeliveryChannel]]

    public init(channels: [String: [DeliveryChannel]]) { self.channels = channels }

    /// Email straight away for what is time-sensitive; the rest waits for the digest.
    public static let defaults = DeliveryPreferences(channels: [
        MessageTopic.invitation.rawValue: [.email], MessageTopic.security.rawValue: [.email], MessageTopic.matching.rawValue: [.email],
        MessageTopic.meetings.rawValue: [.email], MessageTopic.concerns.rawValue: [.email], MessageTopic.digest.rawValue: [.email],
    ])

    /// The channels for a topic; essential topics always include email.
    public func channels(for topic: MessageTopic) -> [DeliveryChannel] {
        var chosen = channels[topic.rawValue] ?? []
        if topic.isEssential && !chosen.contains(.email) { chosen.insert(.email, at: 0) }
        return chosen
    }

    /// Whether a kind goes out straight away on some channel; otherwise it waits for the digest.
    public func isImmediate(kind: String) -> Bool { !channels(for: MessageTopic.of(kind: kind)).isEmpty }
}

/// When deliveries are retried and when scheduled messages fall due.
public enum DeliverySchedule {
    /// Attempts before a message is given up.
    public static let maximumAttempts = 8

    /// The wait after failed attempt `n` (1-based): 1, 4, 16, 64 minutes… capped at 6 hours.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = max(0, min(attempt - 1, 10))
        return min(60 * pow(4, Double(exponent)), 6 * 3600)
    }

    /// A reminder is due once the meeting is at most `lead` away and has not started.
    public static func reminderDue(start: Date, now: Date, lead: TimeInterval) -> Bool {
        now < start && start.timeIntervalSince(now) <= lead
    }

    /// A "not logged yet" nudge is due `grace` after a meeting ended without an outcome.
    public static func unloggedDue(end: Date, now: Date, grace: TimeInterval) -> Bool {
        now.timeIntervalSince(end) >= grace
    }

    /// The first Monday 08:00 in `zone` strictly after `date`: when a weekly digest goes out.
    public static func nextDigest(after date: Date, zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let monday = DateComponents(hour: 8, minute: 0, second: 0, weekday: 2)
        return calendar.nextDate(after: date, matching: monday, matchingPolicy: .nextTime) ?? date.addingTimeInterval(7 * 86_400)
    }
}
