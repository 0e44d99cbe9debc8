/// Where every row sits during a shortest-augmenting-path solve, and the rows each column holds
/// (up to its capacity). Shared by the dense and the sparse solver.
struct Placement {
    /// A column, -1 (not placed yet) or -2 (the row's own "unmatched" column).
    var columnOfRow: [Int]
    /// Rows held by column j are `slots[slotStart[j] ..< slotStart[j] + count[j]]`.
    let slotStart: [Int]
    var slots: [Int]
    var count: [Int]
    let capacity: [Int]

    init(rows: Int, capacity: [Int]) {
        self.capacity = capacity
        columnOfRow = [Int](repeating: -1, count: rows)
        var start = [Int](repeating: 0, count: capacity.count + 1)
        for j in capacity.indices { start[j + 1] = start[j] + capacity[j] }
        slotStart = start
        slots = [Int](repeating: -1, count: start[capacity.count])
        count = [Int](repeating: 0, count: capacity.count)
    }

    func hasRoom(_ column: Int) -> Bool { count[column] < capacity[column] }

    func rows(of column: Int) -> ArraySlice<Int> { slots[slotStart[column]..<(slotStart[column] + count[column])] }

    mutating func place(_ row: Int, in column: Int) {
        columnOfRow[row] = column
        slots[slotStart[column] + count[column]] = row
        count[column] += 1
    }

    mutating func remove(_ row: Int, from column: Int) {
        let start = slotStart[column]
        let end = start + count[column]
        for slot in start..<end where slots[slot] == row {
            slots[slot] = slots[end - 1]
            slots[end - 1] = -1
            count[column] -= 1
            return
        }
    }

    /// Flips the augmenting path that ends in `sinkColumn` (a column with room) or in the
    /// unmatched column of `sinkDummyRow`, back to `source`; `predecessor(j)` is the row the
    /// path reached column j from. Only a sink column gains a row.
    mutating func augment(source: Int, sinkColumn: Int, sinkDummyRow: Int, predecessor: (Int) -> Int) {
        var column = sinkColumn
        if sinkDummyRow >= 0 {
            let previous = columnOfRow[sinkDummyRow]
            columnOfRow[sinkDummyRow] = -2
            // The rest of the path refills `previous`, so no column's count changes.
            if previous >= 0 { remove(sinkDummyRow, from: previous) }
            if sinkDummyRow == source { return }
            column = previous
        }
        while true {
            let row = predecessor(column)
            let previous = columnOfRow[row]
            place(row, in: column)
            if previous >= 0 { remove(row, from: previous) }
            if row == source { return }
            column = previous
        }
    }
}
