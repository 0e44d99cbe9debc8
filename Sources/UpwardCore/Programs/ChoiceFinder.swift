import Foundation

/// Narrows a long list of choices (a select of people or pairs) to those whose label holds some
/// text, ignoring case and accents, and keeps at most `limit` of them: a program may have
/// thousands of candidates, and a select of thousands is neither usable nor small.
public struct ChoiceFinder: Sendable, Equatable {
    /// The text looked for, trimmed; empty finds everything.
    public let text: String
    public let limit: Int

    /// The longest text accepted.
    public static let maximumLength = 100

    /// `nil` when `text` is longer than ``maximumLength`` characters.
    public init?(_ text: String?, limit: Int) {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= Self.maximumLength else { return nil }
        self.text = trimmed
        self.limit = max(0, limit)
    }

    /// Finds everything, up to `limit`.
    public static func everything(limit: Int) -> ChoiceFinder {
        ChoiceFinder(text: "", limit: max(0, limit))
    }

    private init(text: String, limit: Int) {
        self.text = text
        self.limit = limit
    }

    /// The choices found: the first `limit` of those that match, in their order, and how many matched.
    public struct Found<Item> {
        public let shown: [Item]
        public let matched: Int
        public let total: Int

        /// True when some that matched are not shown.
        public var isCut: Bool { shown.count < matched }
    }

    public func find<Item>(_ items: [Item], label: (Item) -> String) -> Found<Item> {
        let matching = text.isEmpty ? items : items.filter { label($0).range(of: text, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
        return Found(shown: Array(matching.prefix(limit)), matched: matching.count, total: items.count)
    }
}
