/// The generational cohort an employee belongs to, as HR exports name it.
public enum Generation: String, CaseIterable, Codable, Sendable, Comparable {
    case silent = "Silent"
    case boomer = "Boomer"
    case genX = "Gen X"
    case millennial = "Millennial"
    case genZ = "Gen Z"

    /// Reads a generation name case-insensitively, tolerating `GenX`, `Gen-Z` and similar spellings.
    public init?(parsing text: String) {
        let key = text.lowercased().filter { $0.isLetter }
        guard let match = Generation.allCases.first(where: { $0.rawValue.lowercased().filter(\.isLetter) == key })
        else { return nil }
        self = match
    }

    /// Oldest first.
    public var order: Int { Generation.allCases.firstIndex(of: self)! }

    public static func < (lhs: Generation, rhs: Generation) -> Bool { lhs.order < rhs.order }
}
