import Foundation

/// Which figures may be shown without exposing anyone: a group under the threshold is hidden
/// ("too few answers to show"), and so many more of its siblings that neither one hidden group
/// nor the hidden groups together can be worked out by subtracting the visible ones from the total.
public struct AnonymityRule: Sendable, Equatable {
    /// Respondents a figure needs (5 by default).
    public let minimum: Int
    /// Respondents a free-text comment list needs (10 by default).
    public let minimumForComments: Int

    public static let floor = AnonymityRule(uncheckedMinimum: 5, comments: 10)

    init(uncheckedMinimum: Int, comments: Int) {
        minimum = uncheckedMinimum
        minimumForComments = comments
    }

    /// Thresholds may be raised, never lowered below 5 and 10.
    public init(minimum: Int = 5, minimumForComments: Int = 10) {
        self.minimum = max(5, minimum)
        self.minimumForComments = max(10, minimumForComments, self.minimum)
    }

    public struct Table<Key: Hashable & Sendable>: Sendable {
        /// Groups that may be shown.
        public let visible: Set<Key>
        /// Whether the total over every group may be shown.
        public let totalVisible: Bool
    }

    /// The groups of one breakdown (for example respondents by department) and their total.
    /// Small groups are hidden; if any is hidden, further groups are hidden smallest first until
    /// at least two are hidden and together reach the threshold, so `total − visible` reveals
    /// neither one of them nor anything under the threshold. If that is impossible, everything is hidden.
    public func table<Key: Hashable & Sendable>(_ counts: [Key: Int], comments: Bool = false) -> Table<Key> {
        let threshold = comments ? minimumForComments : minimum
        let total = counts.values.reduce(0, +)
        guard total >= threshold else { return Table(visible: [], totalVisible: false) }
        let ordered = counts.sorted { ($0.value, "\($0.key)") < ($1.value, "\($1.key)") }
        var hidden = Set(ordered.filter { $0.value < threshold }.map(\.key))
        if hidden.isEmpty { return Table(visible: Set(counts.keys), totalVisible: true) }
        for (key, _) in ordered where !hidden.contains(key) {
            let hiddenSum = ordered.filter { hidden.contains($0.key) }.map(\.value).reduce(0, +)
            if hidden.count >= 2 && hiddenSum >= threshold { break }
            hidden.insert(key)
        }
        let hiddenSum = ordered.filter { hidden.contains($0.key) }.map(\.value).reduce(0, +)
        if hidden.count < 2 || hiddenSum < threshold { return Table(visible: [], totalVisible: true) }
        return Table(visible: Set(counts.keys).subtracting(hidden), totalVisible: true)
    }

    /// Whether one figure over `respondents` may be shown (a combination of filters counts together).
    public func shows(respondents: Int, comments: Bool = false) -> Bool {
        respondents >= (comments ? minimumForComments : minimum)
    }
}
