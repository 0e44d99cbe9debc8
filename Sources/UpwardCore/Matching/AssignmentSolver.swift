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

/// The dense shortest-augmenting-path solver, generic over the matrix element type.
struct DenseSolver<Element: BinaryFloatingPoint> {
    let matrix: UnsafeBufferPointer<Element>
    let rows: Int
    let columns: Int
    let maximize: Bool
    let capacity: [Int]
    /// Each row may go to a private "unmatched" column of cost 0; real pairs cost `cost - bonus`.
    let useDummies: Bool
    let bonus: Double

    init(matrix: UnsafeBufferPointer<Element>, rows: Int, columns: Int, options: AssignmentSolver.Options) {
        precondition(matrix.count >= rows * columns, "matrix is smaller than rows × columns")
        self.matrix = matrix
        self.rows = rows
        self.columns = columns
        self.maximize = options.maximize
        let caps = options.capacities.count == columns ? options.capacities : Array(repeating: options.capacities.first ?? 1, count: columns)
        self.capacity = caps.map { max(0, $0) }
        let totalCapacity = capacity.reduce(0, +)

        var hasForbidden = false
        var low = Double.infinity
        var high = -Double.infinity
        for value in matrix.prefix(rows * columns) {
            let cost = maximize ? -Double(value) : Double(value)
            if cost.isNaN || cost == .infinity {
                // NaN, and infinity in the worsening direction, are forbidden pairs.
                hasForbidden = true
            } else {
                low = Swift.min(low, cost)
                high = Swift.max(high, cost)
            }
        }
        switch options.priority {
        case .cardinalityFirst:
            // Without forbidden pairs and with room for every row, every optimum matches every row.
            useDummies = hasForbidden || rows > totalCapacity || capacity.contains(0)
            if useDummies, low.isFinite {
                // One more matched row must outweigh any difference in total cost.
                let range = Swift.max(high - low, 0)
                bonus = range * Double(Swift.min(rows, totalCapacity) + 1) + Swift.max(high, 0) + 1
            } else {
                bonus = 0
            }
        case .totalOnly:
            // Unmatched costs 0; a pair is taken only when its cost helps (is negative).
            useDummies = true
            bonus = 0
        }
    }

    func run() -> AssignmentSolver.Solution {
        let rows = self.rows
        let columns = self.columns
        var u = [Double](repeating: 0, count: rows)
        let vDummy = [Double](repeating: 0, count: useDummies ? rows : 0)  // unmatched columns are never scanned, so never repriced
        var placement = Placement(rows: rows, capacity: capacity)

        // Hot-loop state lives in raw buffers: no bounds or exclusivity checks in the inner loop.
        let shortestBuffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(columns, 1))
        let predecessorBuffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(columns, 1))
        let remainingBuffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(columns, 1))
        let vBuffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(columns, 1))
        let roomBuffer = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(columns, 1))
        defer {
            shortestBuffer.deallocate()
            predecessorBuffer.deallocate()
            remainingBuffer.deallocate()
            vBuffer.deallocate()
            roomBuffer.deallocate()
        }
        _ = vBuffer.initialize(from: repeatElement(0.0, count: columns))
        _ = predecessorBuffer.initialize(from: repeatElement(-1, count: columns))
        for j in 0..<columns { roomBuffer[j] = capacity[j] > 0 }
        var scannedColumns: [Int] = []
        var scannedRows: [Int] = []
        var rowDistance = [Double](repeating: 0, count: rows)
        var queue: [Int] = []
        scannedColumns.reserveCapacity(columns)
        scannedRows.reserveCapacity(rows)

        let bonus = self.bonus
        let maximize = self.maximize
        let matrix = self.matrix

        // Square, one row per column, nothing forbidden: Jonker-Volgenant's initialization places
        // most rows cheaply; the augmenting paths below then place only the rest.
        if !useDummies, rows == columns, rows > 1, capacity.allSatisfy({ $0 == 1 }) {
            var initial = [Int](repeating: -1, count: rows)
            initialize(u: &u, v: vBuffer, rowColumn: &initial)
            for (row, column) in initial.enumerated() where column >= 0 {
                placement.place(row, in: column)
                roomBuffer[column] = false
            }
        }

        for source in 0..<rows where placement.columnOfRow[source] == -1 {
            // Dijkstra from `source` over columns, with reduced costs.
            for j in 0..<columns {
                shortestBuffer[j] = .infinity
                remainingBuffer[j] = columns - 1 - j
            }
            var remainingCount = columns
            scannedColumns.removeAll(keepingCapacity: true)
            scannedRows.removeAll(keepingCapacity: true)
            queue.removeAll(keepingCapacity: true)
            queue.append(source)
            rowDistance[source] = 0
            var minValue = 0.0
            var sinkColumn = -1
            var sinkDummyRow = -1
            var bestDummy = Double.infinity
            var bestDummyRow = -1

            while true {
                var lowest = Double.infinity
                var lowestIndex = -1
                var searched = false
                while let i = queue.popLast() {
                    scannedRows.append(i)
                    rowDistance[i] = minValue
                    if useDummies {
                        let distance = minValue - u[i] - vDummy[i]
                        if distance < bestDummy {
                            bestDummy = distance
                            bestDummyRow = i
                        }
                    }
                    // Relax every remaining column from row i; the last row of the queue also
                    // finds the nearest column in the same pass (preferring one with room on ties).
                    let base = minValue - u[i] - bonus
                    let row = matrix.baseAddress! + i * columns
                    let sign: Double = maximize ? -1 : 1
                    let last = queue.isEmpty
                    let shortest = shortestBuffer
                    let predecessor = predecessorBuffer
                    let v = vBuffer
                    let remaining = remainingBuffer
                    let room = roomBuffer
                    if last {
                        for k in 0..<remainingCount {
                            let j = remaining[k]
                            let distance = base + sign * Double(row[j]) - v[j]
                            var current = shortest[j]
                            if distance < current {
                                shortest[j] = distance
                                predecessor[j] = i
                                current = distance
                            }
                            if current < lowest || (current == lowest && room[j] && current < .infinity) {
                                lowest = current
                                lowestIndex = k
                            }
                        }
                        searched = true
                    } else {
                        for k in 0..<remainingCount {
                            let j = remaining[k]
                            let distance = base + sign * Double(row[j]) - v[j]
                            if distance < shortest[j] {
                                shortest[j] = distance
                                predecessor[j] = i
                            }
                        }
                    }
                }
                if !searched {
                    // Reached through a column that holds no rows (capacity 0): search on its own.
                    for k in 0..<remainingCount {
                        let j = remainingBuffer[k]
                        let distance = shortestBuffer[j]
                        if distance < lowest || (distance == lowest && roomBuffer[j] && distance < .infinity) {
                            lowest = distance
                            lowestIndex = k
                        }
                    }
                }
                if useDummies, bestDummy <= lowest, bestDummyRow >= 0 {
                    minValue = bestDummy
                    sinkDummyRow = bestDummyRow
                    break
                }
                guard lowestIndex >= 0, lowest < .infinity else { break }  // no way to place `source`
                minValue = lowest
                let j = remainingBuffer[lowestIndex]
                if placement.hasRoom(j) {
                    sinkColumn = j
                    break
                }
                // Column j is full: continue through every row it holds.
                remainingCount -= 1
                remainingBuffer[lowestIndex] = remainingBuffer[remainingCount]
                scannedColumns.append(j)
                queue.append(contentsOf: placement.rows(of: j))
            }

            guard sinkColumn >= 0 || sinkDummyRow >= 0 else {
                placement.columnOfRow[source] = -2  // cannot be placed at all (only without dummies)
                continue
            }
            // Update potentials so reduced costs stay non-negative and are zero on the new path.
            for i in scannedRows {
                u[i] += minValue - rowDistance[i]
            }
            for j in scannedColumns {
                vBuffer[j] -= minValue - shortestBuffer[j]
            }
            placement.augment(source: source, sinkColumn: sinkColumn, sinkDummyRow: sinkDummyRow) { predecessorBuffer[$0] }
            // Only the sink column gains a row; every other column on the path swaps one for another.
            if sinkColumn >= 0 { roomBuffer[sinkColumn] = placement.hasRoom(sinkColumn) }
        }

        var total = 0.0
        let assignment: [Int?] = placement.columnOfRow.enumerated().map { row, column in
            guard column >= 0 else { return nil }
            total += Double(matrix[row * columns + column])
            return column
        }
        return AssignmentSolver.Solution(
            columnOfRow: assignment, total: total, rowDuals: u, columnDuals: Array(vBuffer), bonus: bonus, unmatchedAllowed: useDummies)
    }
}
