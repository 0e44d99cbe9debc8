/// Starting from a previous solution.
///
/// Each row's dual starts at the smallest of its previous dual, its cheapest candidate under
/// the kept column duals, and 0 (staying unmatched), so every candidate's reduced cost is
/// non-negative. A row keeps its previous place when that place is still tight and the column
/// has room; the others become free, and the usual shortest paths place them afterwards.
///
/// What the rows-first search can't mend is a column left with room but a negative dual (a
/// mentor whose mentee was locked elsewhere or excluded): optimality wants its dual at 0.
/// Raising it outright would make it cheaper than some rows' own places and unseat them,
/// cascading through the program. Instead a shortest-path search runs from the column's side
/// (``refill(_:u:v:placement:index:scratch:)``): it raises that column's dual only until a row
/// can move into it, that row's column then has room and is searched on, and so on until a
/// free or unmatched row fills the gap or a column with room reaches a zero dual. Only the
/// rows and columns on that search change.
extension SparseAssignmentSolver {
    /// Rows by candidate column: column j's are `entries[start[j]..<start[j+1]]`, each with its candidate entry.
    struct ColumnIndex {
        var start: [Int]
        var entries: [(row: Int32, entry: Int32)]
    }

    /// Working arrays for column-side searches, reset through the touched lists.
    struct RefillScratch {
        var rowDistance: [Double]
        var reachedFrom: [Int]
        var rowDone: [Bool]
        var columnDistance: [Double]
        var via: [Int]
        var touchedRows: [Int] = []
        var scannedColumns: [Int] = []
        var heap = MinHeap()

        init(rows: Int, columns: Int) {
            rowDistance = [Double](repeating: .infinity, count: rows)
            reachedFrom = [Int](repeating: -1, count: rows)
            rowDone = [Bool](repeating: false, count: rows)
            columnDistance = [Double](repeating: .infinity, count: columns)
            via = [Int](repeating: -1, count: columns)
        }

        mutating func reset() {
            for r in touchedRows {
                rowDistance[r] = .infinity
                rowDone[r] = false
            }
            for k in scannedColumns { columnDistance[k] = .infinity }
            touchedRows.removeAll(keepingCapacity: true)
            scannedColumns.removeAll(keepingCapacity: true)
            heap.removeAll()
        }
    }

    /// Keeps what it can of `previous`; returns how many column-side searches it ran.
    func warmStart(_ previous: Start, u: inout [Double], v: inout [Double], placement: inout Placement) -> Int {
        for j in 0..<min(columnCount, previous.columnDuals.count) { v[j] = min(0, previous.columnDuals[j]) }
        for i in 0..<rowCount {
            let place = i < previous.columnOfRow.count ? previous.columnOfRow[i] : -1
            var cheapest = 0.0
            var placeCost = place == -2 ? 0 : Double.infinity
            for k in start[i]..<start[i + 1] {
                let j = Int(columns[k])
                let cost = -scores[k] - bonus - v[j]
                cheapest = min(cheapest, cost)
                if j == place { placeCost = cost }
            }
            let known = i < previous.rowDuals.count ? previous.rowDuals[i] : nil
            u[i] = min(cheapest, known ?? cheapest)
            guard placeCost - u[i] <= previous.tightness else { continue }
            if place == -2 {
                placement.columnOfRow[i] = -2
            } else if place >= 0, placement.hasRoom(place) {
                placement.place(i, in: place)
            }
        }
        let index = columnIndex()
        var scratch = RefillScratch(rows: rowCount, columns: columnCount)
        var searches = 0
        for j in 0..<columnCount {
            while placement.hasRoom(j), v[j] < 0 {
                refill(j, u: &u, v: &v, placement: &placement, index: index, scratch: &scratch)
                searches += 1
            }
        }
        return searches
    }

    func columnIndex() -> ColumnIndex {
        var start = [Int](repeating: 0, count: columnCount + 1)
        for k in 0..<columns.count { start[Int(columns[k]) + 1] += 1 }
        for j in 0..<columnCount { start[j + 1] += start[j] }
        var fill = start
        var entries = [(row: Int32, entry: Int32)](repeating: (0, 0), count: columns.count)
        for i in 0..<rowCount {
            for k in self.start[i]..<self.start[i + 1] {
                let j = Int(columns[k])
                entries[fill[j]] = (Int32(i), Int32(k))
                fill[j] += 1
            }
        }
        return ColumnIndex(start: start, entries: entries)
    }

    /// One shortest-path search from column `source` (room, negative dual) over rows that have it
    /// as a candidate. It ends at a free or unmatched row, which moves in along the path, or at
    /// a reached column whose dual can rise to 0, which the path leaves with room.
    func refill(_ source: Int, u: inout [Double], v: inout [Double], placement: inout Placement, index: ColumnIndex, scratch: inout RefillScratch) {
        scratch.reset()
        scratch.columnDistance[source] = 0
        scratch.scannedColumns.append(source)
        var queue = [source]
        // Raising a reached column's dual to 0 ends the search at its distance minus its dual.
        var bestRaise = -v[source]
        var raiseColumn = source
        var sinkRow = -1
        var total = 0.0
        while true {
            while let k = queue.popLast() {
                let base = scratch.columnDistance[k] - bonus - v[k]
                for (row, entry) in index.entries[index.start[k]..<index.start[k + 1]] {
                    let r = Int(row)
                    if scratch.rowDone[r] { continue }
                    let distance = base - scores[Int(entry)] - u[r]
                    if distance < scratch.rowDistance[r] {
                        if scratch.rowDistance[r] == .infinity { scratch.touchedRows.append(r) }
                        scratch.rowDistance[r] = distance
                        scratch.reachedFrom[r] = k
                        scratch.heap.push(distance, r)
                    }
                }
            }
            var nearest = Double.infinity
            var row = -1
            while let (distance, r) = scratch.heap.peek() {
                if scratch.rowDone[r] || distance > scratch.rowDistance[r] {
                    scratch.heap.pop()
                    continue
                }
                nearest = distance
                row = r
                break
            }
            if bestRaise <= nearest {
                total = bestRaise
                break
            }
            scratch.heap.pop()
            scratch.rowDone[row] = true
            let place = placement.columnOfRow[row]
            if place < 0 {
                // Free, or unmatched (its own slot is tight, so moving costs nothing more).
                sinkRow = row
                total = nearest
                break
            }
            guard scratch.columnDistance[place] == .infinity else { continue }
            scratch.columnDistance[place] = nearest
            scratch.via[place] = row
            scratch.scannedColumns.append(place)
            queue.append(place)
            if nearest - v[place] < bestRaise {
                bestRaise = nearest - v[place]
                raiseColumn = place
            }
        }

        // Duals: reached columns rise and reached rows fall by how much nearer than the end they were.
        for k in scratch.scannedColumns where scratch.columnDistance[k] < total { v[k] = min(0, v[k] + (total - scratch.columnDistance[k])) }
        for r in scratch.touchedRows where scratch.rowDone[r] && scratch.rowDistance[r] < total { u[r] -= total - scratch.rowDistance[r] }
        // The path, from its far end back to the source: each row moves into the column it was reached from.
        var moves: [(row: Int, from: Int, to: Int)] = []
        var column: Int
        if sinkRow >= 0 {
            moves.append((sinkRow, placement.columnOfRow[sinkRow], scratch.reachedFrom[sinkRow]))
            column = scratch.reachedFrom[sinkRow]
        } else {
            v[raiseColumn] = 0
            column = raiseColumn
        }
        while column != source {
            let row = scratch.via[column]
            moves.append((row, column, scratch.reachedFrom[row]))
            column = scratch.reachedFrom[row]
        }
        // Applied from the source's end, so each column has room when a row moves in.
        for move in moves.reversed() {
            if move.from >= 0 { placement.remove(move.row, from: move.from) }
            placement.place(move.row, in: move.to)
        }
    }
}
