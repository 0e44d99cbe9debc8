import Foundation
import UpwardCore

/// Small random programs for matching tests: people with a reporting tree, and enrollments.
public enum MatchingFixtures {
    static let skills = ["ai tools", "social media", "collaboration tools", "leadership", "strategy", "tiktok"]
    static let interests = ["chess", "hiking", "music", "gaming", "film", "running"]
    static let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London"]

    /// A random program; `managerChance` makes reporting lines dense so chain rules bite.
    public static func randomModel(
        mentees: Int, mentors: Int, seed: UInt64, rules: MatchingRules = .init(), capacities: ClosedRange<Int> = 1...2,
        avoidChance: Double = 0.05
    ) -> CompatibilityModel {
        var random = SeededGenerator(seed: seed)
        var people: [PersonRecord] = []
        var entries: [EnrollmentsFile.Entry] = []
        let generations: [Generation] = [.boomer, .genX, .millennial, .genZ]
        // Seniors first (mentees), then juniors (mentors); each reports to an earlier person, often a senior.
        for index in 0..<(mentees + mentors) {
            let isMentee = index < mentees
            let level = isMentee ? Int.random(in: 6...15, using: &random) : Int.random(in: 1...8, using: &random)
            let manager: String? = index == 0 ? nil : "E\(Int.random(in: 0..<index, using: &random))"
            people.append(
                PersonRecord(
                    employeeID: "E\(index)", email: "p\(index)@example.com", name: "P\(index)",
                    department: ["Eng", "Sales", "Ops"].randomElement(using: &random)!,
                    businessUnit: ["Tech", "Commercial"].randomElement(using: &random)!, timeZone: zones.randomElement(using: &random)!, managerID: manager,
                    level: level,
                    generation: generations.randomElement(using: &random)!))
        }
        for index in 0..<(mentees + mentors) {
            let isMentee = index < mentees
            var offers: [String: Int] = [:]
            for skill in skills.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) { offers[skill] = Int.random(in: 1...5, using: &random) }
            var wants: [Enrollment.Goal] = []
            for skill in skills.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) {
                let current = Int.random(in: 0...3, using: &random)
                wants.append(.init(skill: skill, current: current, target: Int.random(in: (current + 1)...5, using: &random)))
            }
            var avoid: Set<String> = []
            if Double.random(in: 0..<1, using: &random) < avoidChance {
                let other = isMentee ? mentees + Int.random(in: 0..<max(1, mentors), using: &random) : Int.random(in: 0..<max(1, mentees), using: &random)
                avoid.insert("p\(other)@example.com")
            }
            let enrollment = Enrollment(
                email: "p\(index)@example.com", role: isMentee ? .mentee : .mentor, offers: offers, wants: wants,
                interests: Set(interests.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random))),
                style: ["direct", "reflective", nil].randomElement(using: &random)!, capacity: isMentee ? 1 : Int.random(in: capacities, using: &random),
                avoid: avoid)
            entries.append(EnrollmentsFile.Entry(line: index + 2, enrollment: enrollment))
        }
        return try! MatchingInput.build(directory: people, entries: entries, rules: rules).model
    }
}
