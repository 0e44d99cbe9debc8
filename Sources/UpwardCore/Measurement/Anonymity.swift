import Foundation

/// Which figures may be shown without exposing anyone: a group under the threshold shows "too few
/// answers to show", and no sum or difference of the figures that are shown may single it out.
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

    /// Whether one figure over `respondents` may be shown (a combination of filters counts together).
    public func shows(respondents: Int, comments: Bool = false) -> Bool {
        respondents >= (comments ? minimumForComments : minimum)
    }

    /// Which filtered views of a cross-tabulation may be shown. `counts` holds respondents per cell;
    /// a cell is one value per dimension (for example `["mentee", "Sales"]`), and a view is a filter
    /// that fixes some dimensions and leaves the others open (`["mentee", nil]`).
    ///
    /// The cells are grouped into blocks of at least the threshold: each block under it is merged
    /// with the block most like it (the same value in the first dimension counts most, so the
    /// breakdown named first stays visible longest), smallest first. A view is shown only when it
    /// is made of whole blocks. Then every sum or difference of visible figures is again made of
    /// whole blocks, so no combination of filters and totals singles out fewer people than the threshold.
    public func views(_ counts: [[String]: Int], comments: Bool = false) -> Views {
        let threshold = comments ? minimumForComments : minimum
        var blocks: [[[String]]] = counts.filter { $0.value > 0 }.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { [$0] }
        func size(_ block: [[String]]) -> Int { block.reduce(0) { $0 + (counts[$1] ?? 0) } }
        func likeness(_ a: [[String]], _ b: [[String]]) -> [Int] {
            // Per dimension, in order: 1 when some cells of the two blocks share that value.
            let width = a.first?.count ?? 0
            return (0..<width).map { dimension in
                a.contains { cell in b.contains { $0[dimension] == cell[dimension] } } ? 1 : 0
            }
        }
        while blocks.count > 1 {
            let sizes = blocks.map(size)
            guard let small = sizes.indices.filter({ sizes[$0] < threshold }).min(by: { (sizes[$0], $0) < (sizes[$1], $1) }) else { break }
            let partner = blocks.indices.filter { $0 != small }.max { a, b in
                let la = likeness(blocks[small], blocks[a])
                let lb = likeness(blocks[small], blocks[b])
                if la != lb { return la.lexicographicallyPrecedes(lb) }
                return (sizes[a], a) > (sizes[b], b)
            }!
            blocks[partner] += blocks[small]
            blocks.remove(at: small)
        }
        var blockOf: [[String]: Int] = [:]
        for (index, block) in blocks.enumerated() {
            for cell in block { blockOf[cell] = index }
        }
        return Views(threshold: threshold, counts: counts, blockOf: blockOf, blockSizes: blocks.map(size))
    }

    /// The answer of ``views(_:comments:)``.
    public struct Views: Sendable {
        public let threshold: Int
        let counts: [[String]: Int]
        let blockOf: [[String]: Int]
        let blockSizes: [Int]

        /// The cells a filter selects (`nil` leaves a dimension open).
        public func cells(_ filter: [String?]) -> [[String]] {
            counts.keys.filter { cell in
                cell.count == filter.count && zip(cell, filter).allSatisfy { value, wanted in wanted == nil || wanted == value }
            }
        }

        /// Respondents in a view, whether or not it may be shown.
        public func respondents(_ filter: [String?]) -> Int { cells(filter).reduce(0) { $0 + counts[$1]! } }

        /// Whether the view may be shown: it holds respondents, and only whole blocks of at least the threshold.
        public func shows(_ filter: [String?]) -> Bool {
            let selected = cells(filter).filter { counts[$0]! > 0 }
            guard !selected.isEmpty else { return false }
            let touched = Set(selected.compactMap { blockOf[$0] })
            let inside = selected.count
            let blockCells = blockOf.values.filter { touched.contains($0) }.count
            return blockCells == inside && touched.allSatisfy { blockSizes[$0] >= threshold }
        }
    }
}
