import Foundation

/// A realistic, deterministic organization for demos and tests: a CEO, seven
/// departments, each several levels deep, people of every working generation.
public enum DemoOrganization {
    public static let departments: [(name: String, unit: String)] = [
        ("Engineering", "Technology"), ("Product", "Technology"), ("Data & AI", "Technology"),
        ("Marketing", "Commercial"), ("Sales", "Commercial"), ("Finance", "Corporate"),
        ("People & Culture", "Corporate"),
    ]

    static let locations: [(city: String, zone: String)] = [
        ("Berlin", "Europe/Berlin"), ("London", "Europe/London"), ("New York", "America/New_York"),
        ("Toronto", "America/Toronto"), ("Singapore", "Asia/Singapore"), ("Lisbon", "Europe/Lisbon"),
    ]

    static let firstNames = [
        "Ada", "Amara", "Ben", "Carla", "Chen", "Dana", "Diego", "Elif", "Emma", "Farah", "Felix", "Grace",
        "Hana", "Ivan", "Jonas", "Kai", "Kemi", "Lena", "Liam", "Lucia", "Maya", "Mateo", "Nadia", "Noah",
        "Omar", "Priya", "Quinn", "Rafael", "Sara", "Sofia", "Tariq", "Uma", "Victor", "Wen", "Yara", "Zoe",
    ]
    static let lastNames = [
        "Abebe", "Becker", "Costa", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ito", "Jansen",
        "Kowalski", "Larsen", "Müller", "Nakamura", "Okafor", "Patel", "Rossi", "Santos", "Tanaka",
        "Nguyen", "Weber", "Yilmaz", "Zhang", "Silva", "Kim", "Moreau",
    ]

    /// Titles by level band, most senior first.
    static func title(level: Int, department: String) -> String {
        switch level {
        case 15: "Chief Executive Officer"
        case 13...14: "Head of \(department)"
        case 11...12: "Director, \(department)"
        case 8...10: "\(department) Manager"
        case 5...7: "Senior \(department) Specialist"
        default: "\(department) Associate"
        }
    }

    /// The generation that fits a level, with some spread so every generation appears at several levels.
    static func generation(level: Int, using random: inout SeededGenerator) -> Generation {
        let roll = Int.random(in: 0..<10, using: &random)
        switch level {
        case 13...15: return roll < 6 ? .genX : (roll < 9 ? .boomer : .millennial)
        case 10...12: return roll < 5 ? .genX : (roll < 8 ? .millennial : .boomer)
        case 7...9: return roll < 6 ? .millennial : (roll < 8 ? .genX : .genZ)
        default: return roll < 6 ? .genZ : (roll < 9 ? .millennial : .genX)
        }
    }

    static func birthYearRange(_ generation: Generation) -> ClosedRange<Int> {
        switch generation {
        case .silent: 1930...1945
        case .boomer: 1958...1964
        case .genX: 1965...1980
        case .millennial: 1981...1996
        case .genZ: 1997...2003
        }
    }

    /// How many people each level leads, per department.
    public struct Shape: Sendable {
        public var directorsPerHead: Int
        public var managersPerDirector: Int
        public var leadsPerManager: Int
        public var juniorsPerLead: Int

        /// About 330 people: the demo.
        public static let standard = Shape(directorsPerHead: 2, managersPerDirector: 2, leadsPerManager: 2, juniorsPerLead: 4)
        /// 10,333 people (2,772 at level 5 and above): `upward demo --size large`, for load tests.
        public static let large = Shape(directorsPerHead: 5, managersPerDirector: 6, leadsPerManager: 12, juniorsPerLead: 3)
    }

    /// The same people on every call for the same seed and shape.
    public static func people(seed: UInt64 = 2026, shape: Shape = .standard) -> [PersonRecord] {
        var random = SeededGenerator(seed: seed)
        var people: [PersonRecord] = []
        var usedEmails: Set<String> = []

        func add(level: Int, department: String, unit: String, manager: String?) -> String {
            let id = String(format: "E%04d", people.count + 1)
            let first = firstNames.randomElement(using: &random)!
            let last = lastNames.randomElement(using: &random)!
            var local = "\(first).\(last)".lowercased().folding(options: .diacriticInsensitive, locale: nil)
            if usedEmails.contains(local) { local += String(people.count + 1) }
            usedEmails.insert(local)
            let place = locations.randomElement(using: &random)!
            let generation = generation(level: level, using: &random)
            let birthYear = Int.random(in: birthYearRange(generation), using: &random)
            let hireYear = Swift.min(2026, Swift.max(birthYear + 22, 2026 - Int.random(in: 0...25, using: &random)))
            let hire = CalendarDate(year: hireYear, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))
            // A few people have left; they stay in the directory, marked.
            var left: CalendarDate?
            if level <= 4, Int.random(in: 0..<40, using: &random) == 0, let hire, hire.year < 2026 {
                left = CalendarDate(year: 2026, month: Int.random(in: 1...10, using: &random), day: 15)
            }
            people.append(
                PersonRecord(
                    employeeID: id, email: "\(local)@upward.example", name: "\(first) \(last)",
                    title: title(level: level, department: department), department: department,
                    businessUnit: unit, location: place.city, timeZone: place.zone, managerID: manager,
                    level: level, hireDate: hire, generation: generation, terminationDate: left))
            return id
        }

        let ceo = add(level: 15, department: "Executive Office", unit: "Corporate", manager: nil)
        for (department, unit) in departments {
            let head = add(level: Int.random(in: 13...14, using: &random), department: department, unit: unit, manager: ceo)
            for _ in 0..<shape.directorsPerHead {
                let director = add(level: Int.random(in: 11...12, using: &random), department: department, unit: unit, manager: head)
                for _ in 0..<shape.managersPerDirector {
                    let manager = add(level: Int.random(in: 8...10, using: &random), department: department, unit: unit, manager: director)
                    for _ in 0..<shape.leadsPerManager {
                        let lead = add(level: Int.random(in: 5...7, using: &random), department: department, unit: unit, manager: manager)
                        for _ in 0..<shape.juniorsPerLead {
                            _ = add(level: Int.random(in: 1...4, using: &random), department: department, unit: unit, manager: lead)
                        }
                    }
                }
            }
        }
        return people
    }
}
