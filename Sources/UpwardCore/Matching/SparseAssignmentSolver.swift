/// The shortest-augmenting-path solver on candidate lists instead of a dense matrix, for large
/// programs. It maximizes scores with cardinality first (each row may stay unmatched at a
/// price no real pair beats), and returns duals so the caller can prove the answer optimal for
/// the full problem (see ``MatchingEngine``).
public struct SparseAssignmentSolver: Sendable {
    /// Candidate columns of each row, flattened: row i's are `columns[start[i]..<start[i+1]]`.
    public var start: [Int]
    public var columns: [Int32]
    public var scores: [Double]
    public let rowCount: Int
    public let columnCount: Int
    public let capacities: [Int]
    /// A matched pair costs `-score - bonus`; staying unmatched costs 0.
    public let bonus: Double

    public init(rowCount: Int, columnCount: Int, capacities: [Int], candidates: [[(column: Int, score: Double)]], bonus: Double) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.capacities = capacities
        self.bonus = bonus
        var start = [0]
        var columns: [Int32] = []
        var scores: [Double] = []
        for list in candidates {
            for candidate in list {
                columns.append(Int32(candidate.column))
                scores.append(candidate.score)
            }
            start.append(columns.count)
        }
        self.start = start
        self.columns = columns
        self.scores = scores
    }

    public struct Solution: Sendable {
        public var columnOfRow: [Int?]
        public var rowDuals: [Double]
        public var columnDuals: [Double]
        public var dummyDuals: [Double]
        /// Rows placed by a shortest augmenting path (all of them in a cold solve).
        public var augmentedRows: Int
        /// Columns a warm start found with room and a negative dual, and repaired.
        public var repairedColumns: Int
    }

    /// A previous solution to start from (see ``MatchingState``).
    public struct Start: Sendable {
        /// Column duals to keep (in this solver's internal costs).
        public var columnDuals: [Double]
        /// Each row's previous dual, or nil when unknown: a kept row never starts above it.
        public var rowDuals: [Double?]
        /// Each row's previous place: a column, -2 for unmatched, -1 for none.
        public var columnOfRow: [Int]
        /// How far from tight a previous pair may be, in float error, and still be kept.
        public var tightness: Double

        public init(columnDuals: [Double], rowDuals: [Double?], columnOfRow: [Int], tightness: Double) {
            self.columnDuals = columnDuals
            self.rowDuals = rowDuals
            self.columnOfRow = columnOfRow
            self.tightness = tightness
        }
    }

    /// Places every row along a shortest augmenting path; from `previous`, only the rows that
    /// solution can't keep (see `SparseAssignmentSolver+Warm.swift`).
    public func solve(from previous: Start? = nil) -> Solution {
        var u = [Double](repeating: 0, count: rowCount)
        var v = [Double](repeating: 0, count: columnCount)
        let vDummy = [Double](repeating: 0, count: rowCount)  // unmatched columns are never scanned, so never repriced
        var placement = Placement(rows: rowCount, capacity: capacities)
        var repaired = 0
        if let previous { repaired = warmStart(previous, u: &u, v: &v, placement: &placement) }

        var shortest = [Double](repeating: .infinity, count: columnCount)
        var predecessor = [Int](repeating: -1, count: columnCount)
        var scanned = [Bool](repeating: false, count: columnCount)
        var touched: [Int] = []
        var scannedColumns: [Int] = []
        var scannedRows: [Int] = []
        var rowDistance = [Double](repeating: 0, count: rowCount)
        var queue: [Int] = []
        var heap = MinHeap()

        var augmented = 0
        for source in 0..<rowCount where placement.columnOfRow[source] == -1 {
            augmented += 1
            for j in touched {
                shortest[j] = .infinity
                scanned[j] = false
            }
            touched.removeAll(keepingCapacity: true)
            scannedColumns.removeAll(keepingCapacity: true)
            scannedRows.removeAll(keepingCapacity: true)
            heap.removeAll()
            queue.append(source)
            var minValue = 0.0
            var bestDummy = Double.infinity
            var bestDummyRow = -1
            var sinkColumn = -1
            var sinkDummyRow = -1

            while true {
                while let i = queue.popLast() {
                    scannedRows.append(i)
                    rowDistance[i] = minValue
                    let dummy = minValue - u[i] - vDummy[i]
                    if dummy < bestDummy {
                        bestDummy = dummy
                        bestDummyRow = i
                    }
                    let base = minValue - u[i] - bonus
                    for k in start[i]..<start[i + 1] {
                        let j = Int(columns[k])
                        if scanned[j] { continue }
                        let distance = base - scores[k] - v[j]
                        if distance < shortest[j] {
                            if shortest[j] == .infinity { touched.append(j) }
                            shortest[j] = distance
                            predecessor[j] = i
                            heap.push(distance, j)
                        }
                    }
                }
                // The nearest unscanned column (skipping stale heap entries).
                var lowest = Double.infinity
                var column = -1
                while let (distance, j) = heap.peek() {
                    if scanned[j] || distance > shortest[j] {
                        heap.pop()
                        continue
                    }
                    lowest = distance
                    column = j
                    break
                }
                if bestDummy <= lowest {
                    minValue = bestDummy
                    sinkDummyRow = bestDummyRow
                    break
                }
                heap.pop()
                minValue = lowest
                if placement.hasRoom(column) {
                    sinkColumn = column
                    break
                }
                scanned[column] = true
                scannedColumns.append(column)
                queue.append(contentsOf: placement.rows(of: column))
            }

            for i in scannedRows { u[i] += minValue - rowDistance[i] }
            for j in scannedColumns { v[j] -= minValue - shortest[j] }

            placement.augment(source: source, sinkColumn: sinkColumn, sinkDummyRow: sinkDummyRow) { predecessor[$0] }
        }
        return Solution(
            columnOfRow: placement.columnOfRow.map { $0 >= 0 ? $0 : nil }, rowDuals: u, columnDuals: v, dummyDuals: vDummy,
            augmentedRows: augmented, repairedColumns: repaired)
    }
}

/// A binary min-heap of (distance, column), ties broken by column for determinism.
struct MinHeap {
    private var keys: [Double] = []
    private var values: [Int] = []

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    func peek() -> (Double, Int)? { keys.isEmpty ? nil : (keys[0], values[0]) }

    private func less(_ a: Int, _ b: Int) -> Bool { keys[a] < keys[b] || (keys[a] == keys[b] && values[a] < values[b]) }

    mutating func push(_ key: Double, _ value: Int) {
        keys.append(key)
        values.append(value)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            keys.swapAt(child, parent)
            values.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> (Double, Int)? {
        guard !keys.isEmpty else { return nil }
        let top = (keys[0], values[0])
        let last = keys.count - 1
        keys.swapAt(0, last)
        values.swapAt(0, last)
        keys.removeLast()
        values.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < keys.count, less(left, smallest) { smallest = left }
            if right < keys.count, less(right, smallest) { smallest = right }
            if smallest == parent { break }
            keys.swapAt(parent, smallest)
            values.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
