extension DenseSolver {
    /// Jonker-Volgenant initialization for a square matrix: column reduction, reduction transfer
    /// and two rounds of augmenting row reduction. Leaves every placed row at its minimum reduced
    /// cost (so `u[i] = cost - v[column]` is dual feasible) and unplaced rows at -1.
    func initialize(u: inout [Double], v: UnsafeMutablePointer<Double>, rowColumn: inout [Int]) {
        let n = rows
        let sign = self.sign
        @inline(__always) func cost(_ i: Int, _ j: Int) -> Double { sign * Double(row(i)[j]) }

        // Column reduction, read row by row to stay cache-friendly: v[j] = min over rows.
        let columnArgument = UnsafeMutablePointer<Int64>.allocate(capacity: n)
        let zeroPrices = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer {
            columnArgument.deallocate()
            zeroPrices.deallocate()
        }
        columnArgument.initialize(repeating: 0, count: n)
        zeroPrices.initialize(repeating: 0, count: n)
        v.update(repeating: .infinity, count: n)
        for i in 0..<n {
            // Relaxing from "row i" with base 0 against zero prices is exactly a running minimum.
            _ = DenseKernels.relax(
                row(i), count: n, sign: sign, base: 0, row: i, price: zeroPrices, distance: v, predecessor: columnArgument, findMinimum: false)
        }
        var columnRow = [Int](repeating: -1, count: n)
        for j in (0..<n).reversed() {
            let i = Int(columnArgument[j])
            if rowColumn[i] == -1 {
                rowColumn[i] = j
                columnRow[j] = i
            }
        }
        // Reduction transfer: give each placed row the slack to its second-best column.
        for i in 0..<n where rowColumn[i] >= 0 {
            let j1 = rowColumn[i]
            let best = DenseKernels.twoSmallest(row(i), count: n, sign: sign, price: v)
            let second = best.column == j1 ? best.second : best.smallest
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
                let (u1, j1, u2) = DenseKernels.twoSmallest(row(i), count: n, sign: sign, price: v)
                var target = j1
                var displaced = columnRow[j1]
                if u1 < u2 {
                    v[j1] -= u2 - u1
                } else if displaced >= 0, let j2 = secondColumn(row: i, at: u1, besides: j1, price: v) {
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

    /// Another column than `column` where row `i`'s reduced cost is `value` (a tie for its best).
    private func secondColumn(row i: Int, at value: Double, besides column: Int, price v: UnsafeMutablePointer<Double>) -> Int? {
        let entries = row(i)
        for j in 0..<columns where j != column && sign * Double(entries[j]) - v[j] == value { return j }
        return nil
    }
}
