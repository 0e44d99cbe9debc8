import Foundation

/// When a pair is asked how its pairing works: after its first held meeting, at day 30, then
/// every `every` days (60 by default). Only the latest window due is asked, so a pair that was
/// quiet for months gets one question, not a backlog.
public enum PulseSchedule {
    public static func latestWindow(liveSince: Date, firstHeld: Date?, now: Date, every: Int = 60) -> String? {
        let days = Int(now.timeIntervalSince(liveSince) / 86_400)
        if days >= 30 {
            let step = max(every, 7)
            let extra = (days - 30) / step
            return extra == 0 ? "day-30" : "day-\(30 + extra * step)"
        }
        return firstHeld.map { $0 <= now ? "first-meeting" : nil } ?? nil
    }
}

/// Pairing-fit answers (1-5) of both sides, oldest first, as health signals.
public enum PulseSignals {
    public struct Answer: Sendable, Equatable {
        public let mentee: Int?
        public let mentor: Int?
        public init(mentee: Int?, mentor: Int?) {
            self.mentee = mentee
            self.mentor = mentor
        }
    }

    public static func reasons(_ pulses: [Answer]) -> [String] {
        guard let latest = pulses.last else { return [] }
        var reasons: [String] = []
        let values = [latest.mentee, latest.mentor].compactMap { $0 }
        if values.contains(where: { $0 <= 2 }) { reasons.append("a low pairing-fit answer in the latest pulse") }
        if let mentee = latest.mentee, let mentor = latest.mentor, abs(mentee - mentor) >= 2 {
            reasons.append("the two sides see the pairing differently (\(mentee) and \(mentor) of 5)")
        }
        if pulses.count >= 2 {
            let before = pulses[pulses.count - 2]
            for (now, then) in [(latest.mentee, before.mentee), (latest.mentor, before.mentor)] {
                if let now, let then, then - now >= 2 {
                    reasons.append("pairing fit is falling (\(then) to \(now) of 5)")
                    break
                }
            }
        }
        return reasons
    }
}
