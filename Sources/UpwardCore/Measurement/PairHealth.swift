import Foundation

/// How a pair is doing, from what it logs: on track, needs a check-in (with the reasons), or
/// too early to tell. Pure: the caller gathers the facts.
public enum PairHealth {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case onTrack = "on_track"
        case needsCheckIn = "needs_check_in"
        case tooEarly = "too_early"

        public var label: String {
            switch self {
            case .onTrack: "On track"
            case .needsCheckIn: "Needs a check-in"
            case .tooEarly: "Too early to tell"
            }
        }
    }

    public struct Facts: Sendable {
        public var liveSince: Date
        public var cadenceDays: Int
        /// Starts of meetings logged as held, and as missed.
        public var held: [Date]
        public var missed: [Date]
        /// Scheduled meetings that ended more than a week ago without a log.
        public var unloggedPast: Int
        public var goals: Int
        public var openConcerns: Int
        /// The latest sign of life: a meeting logged, a goal or a note written.
        public var lastActivity: Date?
        /// Pairing-fit pulses, oldest first.
        public var pulses: [PulseSignals.Answer] = []

        public init(
            liveSince: Date, cadenceDays: Int, held: [Date] = [], missed: [Date] = [], unloggedPast: Int = 0, goals: Int = 0, openConcerns: Int = 0,
            lastActivity: Date? = nil
        ) {
            self.liveSince = liveSince
            self.cadenceDays = cadenceDays
            self.held = held
            self.missed = missed
            self.unloggedPast = unloggedPast
            self.goals = goals
            self.openConcerns = openConcerns
            self.lastActivity = lastActivity
        }
    }

    public struct Assessment: Sendable, Equatable {
        public let status: Status
        public let reasons: [String]
        /// No activity for 90 days: propose closing the pair, with notice to both.
        public let proposeClosing: Bool
    }

    static let day: TimeInterval = 86_400

    public static func assess(_ facts: Facts, now: Date) -> Assessment {
        let age = now.timeIntervalSince(facts.liveSince) / day
        var reasons: [String] = []
        let lastHeld = facts.held.max()
        if facts.held.isEmpty && age >= 28 {
            reasons.append("no meeting logged in the 28 days since matching")
        } else if facts.held.isEmpty && age >= 14 {
            reasons.append("no meeting logged in the 14 days since matching")
        }
        if let lastHeld {
            let since = now.timeIntervalSince(lastHeld) / day
            if since > Double(facts.cadenceDays + 7) {
                reasons.append("the last meeting was \(Int(since)) days ago; the cadence is every \(facts.cadenceDays) days")
            }
        }
        let recentMissed = facts.missed.filter { now.timeIntervalSince($0) <= 60 * day }.count
        if recentMissed >= 2 { reasons.append("\(recentMissed) meetings missed in the last 60 days") }
        if facts.unloggedPast > 0 {
            reasons.append("\(facts.unloggedPast) past meeting\(facts.unloggedPast == 1 ? "" : "s") not logged by either side")
        }
        if facts.goals == 0 && age >= 21 { reasons.append("no goals after three weeks") }
        reasons += PulseSignals.reasons(facts.pulses)
        if facts.openConcerns > 0 { reasons.append("\(facts.openConcerns) open concern\(facts.openConcerns == 1 ? "" : "s")") }
        let idleSince = facts.lastActivity ?? facts.liveSince
        let proposeClosing = now.timeIntervalSince(idleSince) >= 90 * day
        if proposeClosing { reasons.append("no activity for \(Int(now.timeIntervalSince(idleSince) / day)) days") }
        if !reasons.isEmpty { return Assessment(status: .needsCheckIn, reasons: reasons, proposeClosing: proposeClosing) }
        if age < 14 { return Assessment(status: .tooEarly, reasons: ["live for \(Int(age)) days"], proposeClosing: false) }
        return Assessment(status: .onTrack, reasons: [], proposeClosing: false)
    }
}
