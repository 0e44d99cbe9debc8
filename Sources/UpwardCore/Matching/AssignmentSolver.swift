/// Optimal assignment of rows to columns on a dense score or cost matrix:
/// a shortest-augmenting-path solver (Jonker-Volgenant family) written for Upward.
///
/// - Rectangular matrices of any shape; a column may take up to its capacity of rows.
/// - Forbidden pairs are NaN in the matrix and are never assigned; so is an infinity in the
///   worsening direction (`-inf` when maximizing, `+inf` when minimizing), as scipy users write them.
///   An infinity in the improving direction has no meaningful optimum: check for one with
///   ``firstUnboundedEntry(_:rows:columns:maximize:)`` and refuse the matrix.
/// - `maximize` reads the matrix as scores; the matrix is never copied or negated.
/// - ``Priority/cardinalityFirst`` matches as many rows as the forbidden pairs and
///   capacities allow and, among those assignments, finds the best total;
///   ``Priority/totalOnly`` finds the best total, leaving a row unmatched when that helps.
///
/// Memory beyond the matrix is O(rows + columns + total capacity).
public enum AssignmentSolver {
    public enum Priority: Sendable {
        case cardinalityFirst
        case totalOnly
    }

    public struct Options: Sendable {
        public var maximize: Bool
        public var priority: Priority
        /// Rows each column may take; one entry per column, or a single entry for all.
        public var capacities: [Int]

        public init(maximize: Bool = true, priority: Priority = .cardinalityFirst, capacities: [Int] = [1]) {
            self.maximize = maximize
            self.priority = priority
            self.capacities = capacities
        }
    }

    public struct Solution: Sendable, Equatable {
        /// The column of each row, or nil when the row is unmatched.
        public var columnOfRow: [Int?]
        /// The sum of the matrix entries of the assigned pairs.
        public var total: Double
        /// Dual values proving optimality: for every allowed pair, cost - u[row] - v[column] >= 0
        /// in the solver's internal cost scale (see ``AssignmentSolver``); equality on assigned pairs.
        public var rowDuals: [Double]
        public var columnDuals: [Double]
        /// Internally a pair costs `cost - bonus` (cost = -score when maximizing) and staying
        /// unmatched costs 0; the bonus makes one more matched row outweigh any total.
        public var bonus: Double = 0
        /// Whether a row may stay unmatched (at cost 0) in the solver's internal problem.
        public var unmatchedAllowed = false

        public var pairs: [(row: Int, column: Int)] {
            columnOfRow.enumerated().compactMap { row, column in column.map { (row, $0) } }
        }

        public var matchedCount: Int { columnOfRow.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

        public static func == (lhs: Solution, rhs: Solution) -> Bool {
            lhs.columnOfRow == rhs.columnOfRow && lhs.total == rhs.total
        }
    }

    public static func solve(_ matrix: UnsafeBufferPointer<Double>, rows: Int, columns: Int, options: Options = .init()) -> Solution {
        DenseSolver(matrix: matrix, rows: rows, columns: columns, options: options).run()
    }

    public static func solve(_ matrix: UnsafeBufferPointer<Float>, rows: Int, columns: Int, options: Options = .init()) -> Solution {
        DenseSolver(matrix: matrix, rows: rows, columns: columns, options: options).run()
    }

    /// The first entry that would make any total infinite (`+inf` when maximizing, `-inf` when
    /// minimizing), as (row, column), or nil when there is none.
    /// Inlinable so that callers get a loop specialized to their element type: run generically,
    /// the scan of a 4,000 × 4,000 matrix took longer than solving it.
    @inlinable
    public static func firstUnboundedEntry<Element: BinaryFloatingPoint>(
        _ matrix: UnsafeBufferPointer<Element>, rows: Int, columns: Int, maximize: Bool
    ) -> (row: Int, column: Int)? {
        let bad: Element = maximize ? .infinity : -.infinity
        guard columns > 0 else { return nil }
        for index in 0..<Swift.min(rows * columns, matrix.count) where matrix[index] == bad {
            return (index / columns, index % columns)
        }
        return nil
    }

    /// Convenience for small matrices held as arrays of rows.
    public static func solve(_ matrix: [[Double]], options: Options = .init()) -> Solution {
        let rows = matrix.count
        let columns = matrix.first?.count ?? 0
        let flat = matrix.flatMap { $0 }
        return flat.withUnsafeBufferPointer { solve($0, rows: rows, columns: columns, options: options) }
    }
}
