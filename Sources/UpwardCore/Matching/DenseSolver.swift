/// The dense shortest-augmenting-path solver behind ``AssignmentSolver``, generic over the matrix
/// element type. Internally it minimizes costs (`-score` when maximizing); duals `u` (rows) and
/// `v` (columns) keep every reduced cost `cost - u - v` non-negative and zero on placed pairs.
///
/// Two phases:
/// 1. **Start** (square, one row per column, nothing forbidden): Jonker and Volgenant's column
///    reduction and reduction transfer, then an auction with ε-scaling (their augmenting row
///    reduction when most free rows have exact ties), then an exact repair that leaves only rows
///    at their exact minimum reduced cost placed (see `DenseSolver+Initialization.swift`).
/// 2. **Shortest augmenting paths**: for every row still unplaced, Dijkstra over the columns with
///    reduced costs until it reaches a column with room (or, when rows may stay unmatched, the
///    row's own "unmatched" column), then flips the path and reprices what it scanned.
///
/// Both phases read matrix rows in order, eight columns at a time (`DenseSolver+Kernels.swift`).
/// A column Dijkstra has scanned is fenced off by pricing it at `-inf` until the path is found,
/// so no list of remaining columns is kept and no row is read out of order.
struct DenseSolver<Element: DenseMatrixElement> {
    let matrix: UnsafeBufferPointer<Element>
    let rows: Int
    let columns: Int
    let maximize: Bool
    let capacity: [Int]
    /// Each row may go to a private "unmatched" column of cost 0; real pairs cost `cost - bonus`.
    let useDummies: Bool
    let bonus: Double
    /// The spread and the largest magnitude of the allowed costs (they scale the start's ε).
    let costRange: Double
    let costMagnitude: Double
    /// Bids the start's auction may make per row before the shortest paths take over (tests
    /// lower it to exercise the hand-over).
    var auctionBidsPerRow = 64

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
        for index in 0..<(rows * columns) {
            let cost = maximize ? -Double(matrix[index]) : Double(matrix[index])
            if cost.isNaN || cost == .infinity {
                // NaN, and infinity in the worsening direction, are forbidden pairs.
                hasForbidden = true
            } else {
                low = Swift.min(low, cost)
                high = Swift.max(high, cost)
            }
        }
        costRange = high - low
        costMagnitude = Swift.max(abs(low), abs(high))
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

    var sign: Double { maximize ? -1 : 1 }

    func row(_ i: Int) -> UnsafePointer<Element> { matrix.baseAddress! + i * columns }

    func run() -> AssignmentSolver.Solution {
        let rows = self.rows
        let columns = self.columns
        let width = Swift.max(columns, 1)
        var u = [Double](repeating: 0, count: rows)
        var placement = Placement(rows: rows, capacity: capacity)

        // Column state lives in raw buffers the kernels read eight at a time.
        let v = UnsafeMutablePointer<Double>.allocate(capacity: width)
        let distance = UnsafeMutablePointer<Double>.allocate(capacity: width)
        let predecessor = UnsafeMutablePointer<Int64>.allocate(capacity: width)
        let room = UnsafeMutablePointer<Bool>.allocate(capacity: width)
        defer {
            v.deallocate()
            distance.deallocate()
            predecessor.deallocate()
            room.deallocate()
        }
        v.initialize(repeating: 0, count: width)
        distance.initialize(repeating: .infinity, count: width)
        predecessor.initialize(repeating: -1, count: width)
        for j in 0..<columns { room[j] = capacity[j] > 0 }

        if !useDummies, rows == columns, rows > 1, capacity.allSatisfy({ $0 == 1 }) {
            var initial = [Int](repeating: -1, count: rows)
            initialize(u: &u, v: v, rowColumn: &initial)
            for (row, column) in initial.enumerated() where column >= 0 {
                placement.place(row, in: column)
                room[column] = false
            }
        }

        // Per search: the columns scanned (with their distance and price when scanned) and the rows.
        var scanned: [(column: Int, distance: Double, price: Double)] = []
        var scannedRows: [Int] = []
        var rowDistance = [Double](repeating: 0, count: rows)
        var queue: [Int] = []
        let sign = self.sign
        let bonus = self.bonus

        for source in 0..<rows where placement.columnOfRow[source] == -1 {
            scanned.removeAll(keepingCapacity: true)
            scannedRows.removeAll(keepingCapacity: true)
            queue.append(source)
            var minValue = 0.0
            var sinkColumn = -1
            var sinkDummyRow = -1
            var bestDummy = Double.infinity
            var bestDummyRow = -1

            while true {
                var lowest = Double.infinity
                var searched = false
                while let i = queue.popLast() {
                    scannedRows.append(i)
                    rowDistance[i] = minValue
                    if useDummies, minValue - u[i] < bestDummy {
                        // The row's own unmatched column costs 0 and is never repriced.
                        bestDummy = minValue - u[i]
                        bestDummyRow = i
                    }
                    // The last row of the queue also finds the nearest column in the same pass.
                    let last = queue.isEmpty
                    lowest = DenseKernels.relax(
                        row(i), count: columns, sign: sign, base: minValue - u[i] - bonus, row: i,
                        price: v, distance: distance, predecessor: predecessor, findMinimum: last)
                    searched = searched || last
                }
                if !searched {
                    // Reached through a column that holds no rows (capacity 0): search on its own.
                    lowest = DenseKernels.minimum(distance, count: columns)
                }
                if useDummies, bestDummy <= lowest, bestDummyRow >= 0 {
                    minValue = bestDummy
                    sinkDummyRow = bestDummyRow
                    break
                }
                guard lowest < .infinity else { break }  // no way to place `source`
                minValue = lowest
                // Among columns at the same distance, one with room ends the search soonest.
                let j = DenseKernels.firstColumn(at: lowest, in: distance, count: columns) { room[$0] }
                if room[j] {
                    sinkColumn = j
                    break
                }
                // Column j is full: fence it off and continue through every row it holds.
                scanned.append((j, lowest, v[j]))
                distance[j] = .infinity
                v[j] = -.infinity
                queue.append(contentsOf: placement.rows(of: j))
            }
            distance.update(repeating: .infinity, count: columns)
            guard sinkColumn >= 0 || sinkDummyRow >= 0 else {
                for (j, _, price) in scanned { v[j] = price }
                placement.columnOfRow[source] = -2  // cannot be placed at all (only without dummies)
                continue
            }
            // Reprice: reduced costs stay non-negative and become zero along the new path.
            for (j, reached, price) in scanned { v[j] = price - (minValue - reached) }
            for i in scannedRows { u[i] += minValue - rowDistance[i] }
            placement.augment(source: source, sinkColumn: sinkColumn, sinkDummyRow: sinkDummyRow) { Int(predecessor[$0]) }
            // Only the sink column gains a row; every other column on the path swaps one for another.
            if sinkColumn >= 0 { room[sinkColumn] = placement.hasRoom(sinkColumn) }
        }

        var total = 0.0
        let assignment: [Int?] = placement.columnOfRow.enumerated().map { row, column in
            guard column >= 0 else { return nil }
            total += Double(matrix[row * columns + column])
            return column
        }
        return AssignmentSolver.Solution(
            columnOfRow: assignment, total: total, rowDuals: u, columnDuals: Array(UnsafeBufferPointer(start: v, count: columns)),
            bonus: bonus, unmatchedAllowed: useDummies)
    }
}
