/// Optimal assignment of rows to columns on a dense score or cost matrix:
/// a shortest-augmenting-path solver (Jonker-Volgenant family) written for Upward.
///
/// - Rectangular matrices of any shape; a column may take up to its capacity of rows.
/// - Forbidden pairs are NaN in the matrix and are never assigned.
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
            if value.isNaN {
                hasForbidden = true
            } else {
                let cost = maximize ? -Double(value) : Double(value)
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
        var vDummy = [Double](repeating: 0, count: useDummies ? rows : 0)
        // Where each row is: a column, -1 (not yet placed) or -2 (its own unmatched column).
        var rowColumn = [Int](repeating: -1, count: rows)
        // Rows held by each column, in slots [slotStart[j], slotStart[j] + count[j]).
        var slotStart = [Int](repeating: 0, count: columns + 1)
        for j in 0..<columns { slotStart[j + 1] = slotStart[j] + capacity[j] }
        var slots = [Int](repeating: -1, count: slotStart[columns])
        var count = [Int](repeating: 0, count: columns)

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
            initialize(u: &u, v: vBuffer, rowColumn: &rowColumn)
            for (row, column) in rowColumn.enumerated() where column >= 0 {
                slots[slotStart[column]] = row
                count[column] = 1
                roomBuffer[column] = false
            }
        }

        for source in 0..<rows where rowColumn[source] == -1 {
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
                if count[j] < capacity[j] {
                    sinkColumn = j
                    break
                }
                // Column j is full: continue through every row it holds.
                remainingCount -= 1
                remainingBuffer[lowestIndex] = remainingBuffer[remainingCount]
                scannedColumns.append(j)
                for slot in slotStart[j]..<(slotStart[j] + count[j]) { queue.append(slots[slot]) }
            }

            guard sinkColumn >= 0 || sinkDummyRow >= 0 else {
                rowColumn[source] = -2  // cannot be placed at all (only without dummies)
                continue
            }
            // Update potentials so reduced costs stay non-negative and are zero on the new path.
            for i in scannedRows {
                u[i] += minValue - rowDistance[i]
            }
            for j in scannedColumns {
                vBuffer[j] -= minValue - shortestBuffer[j]
            }
            // Augment along the path back to `source`.
            var column = sinkColumn
            var row = sinkDummyRow
            if row >= 0 {
                // The path ends in `row`'s own unmatched column.
                let previous = rowColumn[row]
                rowColumn[row] = -2
                // The rest of the path refills `previous`, so no column's count changes on this path.
                if previous >= 0 { Self.remove(row, from: previous, slots: &slots, slotStart: slotStart, count: &count) }
                if row == source { continue }
                column = previous
            }
            while true {
                row = predecessorBuffer[column]
                let previous = rowColumn[row]
                rowColumn[row] = column
                slots[slotStart[column] + count[column]] = row
                count[column] += 1
                if previous >= 0 { Self.remove(row, from: previous, slots: &slots, slotStart: slotStart, count: &count) }
                if row == source { break }
                column = previous
            }
            // Only the sink column gains a row; every other column on the path swaps one for another.
            if sinkColumn >= 0 { roomBuffer[sinkColumn] = count[sinkColumn] < capacity[sinkColumn] }
        }

        var total = 0.0
        let assignment: [Int?] = rowColumn.enumerated().map { row, column in
            guard column >= 0 else { return nil }
            total += Double(matrix[row * columns + column])
            return column
        }
        return AssignmentSolver.Solution(columnOfRow: assignment, total: total, rowDuals: u, columnDuals: Array(vBuffer), bonus: bonus)
    }

    /// Jonker-Volgenant initialization for a square matrix: column reduction, reduction transfer
    /// and two rounds of augmenting row reduction. Leaves every placed row at its minimum reduced
    /// cost (so `u[i] = cost - v[column]` is dual feasible) and unplaced rows at -1.
    func initialize(u: inout [Double], v: UnsafeMutableBufferPointer<Double>, rowColumn: inout [Int]) {
        let n = rows
        let sign: Double = maximize ? -1 : 1
        let base = matrix.baseAddress!
        @inline(__always) func cost(_ i: Int, _ j: Int) -> Double { sign * Double(base[i * n + j]) }

        // Column reduction, read row by row to stay cache-friendly.
        var columnArgument = [Int](repeating: 0, count: n)
        for j in 0..<n { v[j] = cost(0, j) }
        for i in 1..<n {
            let row = base + i * n
            for j in 0..<n {
                let c = sign * Double(row[j])
                if c < v[j] {
                    v[j] = c
                    columnArgument[j] = i
                }
            }
        }
        var columnRow = [Int](repeating: -1, count: n)
        for j in (0..<n).reversed() {
            let i = columnArgument[j]
            if rowColumn[i] == -1 {
                rowColumn[i] = j
                columnRow[j] = i
            }
        }
        // Reduction transfer: give each placed row the slack to its second-best column.
        for i in 0..<n where rowColumn[i] >= 0 {
            let j1 = rowColumn[i]
            var second = Double.infinity
            for j in 0..<n where j != j1 { second = Swift.min(second, cost(i, j) - v[j]) }
            if second < .infinity { v[j1] -= second - (cost(i, j1) - v[j1]) }
        }
        // Augmenting row reduction: free rows take their best column, pricing it down so that
        // a displaced row may move on; two rounds, each bounded.
        var free = (0..<n).filter { rowColumn[$0] == -1 }
        for _ in 0..<2 where !free.isEmpty {
            var next: [Int] = []
            var k = 0
            var steps = 0
            while k < free.count, steps < 4 * n {
                steps += 1
                let i = free[k]
                k += 1
                var u1 = Double.infinity
                var u2 = Double.infinity
                var j1 = -1
                var j2 = -1
                let row = base + i * n
                for j in 0..<n {
                    let h = sign * Double(row[j]) - v[j]
                    if h < u2 {
                        if h >= u1 {
                            u2 = h
                            j2 = j
                        } else {
                            u2 = u1
                            j2 = j1
                            u1 = h
                            j1 = j
                        }
                    }
                }
                var target = j1
                var displaced = columnRow[j1]
                if u1 < u2 {
                    v[j1] -= u2 - u1
                } else if displaced >= 0, j2 >= 0 {
                    target = j2
                    displaced = columnRow[j2]
                }
                if displaced >= 0 {
                    rowColumn[displaced] = -1
                    if u1 < u2 {
                        k -= 1
                        free[k] = displaced  // try the displaced row again straight away
                    } else {
                        next.append(displaced)
                    }
                }
                rowColumn[i] = target
                columnRow[target] = i
            }
            next += free[k...]
            free = next
        }
        for i in 0..<n where rowColumn[i] >= 0 { u[i] = cost(i, rowColumn[i]) - v[rowColumn[i]] }
    }

    static func remove(_ row: Int, from column: Int, slots: inout [Int], slotStart: [Int], count: inout [Int]) {
        let start = slotStart[column]
        let end = start + count[column]
        for slot in start..<end where slots[slot] == row {
            slots[slot] = slots[end - 1]
            slots[end - 1] = -1
            count[column] -= 1
            return
        }
    }
}
