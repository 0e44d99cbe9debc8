/// A person's enrollment in a program: their role and what they offer and want to learn.
/// Learning runs both ways, so mentors and mentees may both offer and want skills.
public struct Enrollment: Hashable, Sendable {
    public enum Role: String, Sendable, CaseIterable {
        case mentor, mentee
    }

    /// A skill someone wants to grow, from the level they are at to the level they aim for (0-5).
    public struct Goal: Hashable, Sendable {
        public var skill: String
        public var current: Int
        public var target: Int

        public init(skill: String, current: Int, target: Int) {
            self.skill = skill
            self.current = current
            self.target = target
        }

        public var gap: Int { target - current }
    }

    public var email: String
    public var role: Role
    /// Skill name to the level offered (1-5).
    public var offers: [String: Int]
    public var wants: [Goal]
    public var interests: Set<String>
    public var style: String?
    /// How many mentees a mentor takes (mentees: 1).
    public var capacity: Int
    /// Emails of people this person should not be paired with.
    public var avoid: Set<String>
    /// Skill names as written in the file, by their normalized form, for explanations.
    public var displayNames: [String: String] = [:]

    public init(
        email: String, role: Role, offers: [String: Int] = [:], wants: [Goal] = [], interests: Set<String> = [],
        style: String? = nil, capacity: Int = 1, avoid: Set<String> = []
    ) {
        self.email = email
        self.role = role
        self.offers = offers
        self.wants = wants
        self.interests = interests
        self.style = style
        self.capacity = capacity
        self.avoid = avoid
    }
}
