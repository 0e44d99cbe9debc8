extension DenseSolver {
    /// The start for a square matrix with one row per column and nothing forbidden:
    ///
    /// 1. **Column reduction and reduction transfer** (Jonker and Volgenant): each column is priced
    ///    at its cheapest row, which takes it when free; a placed row then gives its column the
    ///    slack to its second-best column.
    /// 2. The rows still free are placed by one of two methods, chosen by their gaps:
    ///    - **Augmenting row reduction** (Jonker and Volgenant) when most free rows have an exact
    ///      tie for their best column (small integer scores): a tied row takes the other column
    ///      without moving a price.
    ///    - Otherwise an **auction with ε-scaling** (Bertsekas): a free row takes its best column
    ///      and lowers that column's price by the gap to its second best plus ε, so the row it
    ///      displaces bids on at once. The row reduction is this auction with ε = 0; on scores
    ///      full of near-ties (low-rank compatibility scores) it lowers prices by tiny steps for a
    ///      very long time (a price war: 473 row scans per row at 2,000 × 2,000, against 42 now),
    ///      which is why float32 solvers, whose prices cannot move by less than an ulp, ran it
    ///      faster. A positive ε ends the war. ε starts at the free rows' mean gap between their
    ///      two best columns; each phase divides it by 8, down to a thousandth, and a row more
    ///      than the new ε from its best column bids again. A budget of bids ends the auction
    ///      early on any matrix where it would not pay.
    /// 3. **Exact repair** after an auction: every row gets `u[i]` = its smallest reduced cost,
    ///    which makes the duals exactly feasible; a row whose column is not at that smallest cost
    ///    (the auction leaves it up to ε above) is freed, and the shortest augmenting paths place
    ///    it exactly. Those paths are short, because a freed row is within ε of its old column.
    ///
    /// Leaves every placed row tight at its exact minimum reduced cost and unplaced rows at -1.
    func initialize(u: inout [Double], v: UnsafeMutablePointer<Double>, rowColumn: inout [Int]) {
        let n = rows
        let sign = self.sign

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

        var free = (0..<n).filter { rowColumn[$0] == -1 }
        guard !free.isEmpty else { return setRowDuals(&u, v: v, rowColumn: rowColumn) }
        // Exact ties are Jonker and Volgenant's strength (a tied row takes the other column without
        // moving a price); near-ties are the auction's.
        var ties = 0
        var gaps = 0.0
        for i in free {
            let best = DenseKernels.twoSmallest(row(i), count: n, sign: sign, price: v)
            gaps += best.second - best.smallest
            if best.second == best.smallest { ties += 1 }
        }
        guard 2 * ties < free.count, costRange.isFinite, costRange > 0 else {
            augmentingRowReduction(free: free, v: v, rowColumn: &rowColumn, columnRow: &columnRow)
            return setRowDuals(&u, v: v, rowColumn: rowColumn)
        }
        auction(free: &free, v: v, rowColumn: &rowColumn, columnRow: &columnRow, typicalGap: gaps / Double(free.count))

        // Exact repair: duals exactly feasible, and only rows at their exact minimum stay placed.
        for i in 0..<n {
            u[i] = DenseKernels.smallest(row(i), count: n, sign: sign, price: v)
            let j = rowColumn[i]
            if j >= 0, cost(i, j) - v[j] > u[i] {
                rowColumn[i] = -1
                columnRow[j] = -1
            }
        }
    }

    /// `u[i]` for every placed row, which sits at its smallest reduced cost.
    private func setRowDuals(_ u: inout [Double], v: UnsafeMutablePointer<Double>, rowColumn: [Int]) {
        for i in 0..<rows where rowColumn[i] >= 0 { u[i] = cost(i, rowColumn[i]) - v[rowColumn[i]] }
    }

    /// Jonker and Volgenant's augmenting row reduction: free rows take their best column, pricing
    /// it down so that a displaced row may move on straight away; two rounds, each bounded.
    /// Placed rows stay exactly at their smallest reduced cost.
    private func augmentingRowReduction(free: [Int], v: UnsafeMutablePointer<Double>, rowColumn: inout [Int], columnRow: inout [Int]) {
        let n = rows
        var free = free
        for _ in 0..<2 where !free.isEmpty {
            var next: [Int] = []
            var k = 0
            var steps = 0
            while k < free.count, steps < 4 * n {
                steps += 1
                let i = free[k]
                k += 1
                let (u1, j1, u2, j2) = DenseKernels.twoSmallest(row(i), count: n, sign: sign, price: v, secondColumn: true)
                var target = j1
                var displaced = columnRow[j1]
                if u1 < u2 {
                    v[j1] -= u2 - u1
                } else if displaced >= 0, j2 >= 0 {
                    target = j2  // a tie: the other column may be free
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
    }

    /// Gauss-Seidel auction phases with ε falling from about the typical gap to a thousandth of
    /// it; see ``initialize(u:v:rowColumn:)``. Leaves every row placed unless the budget ran out.
    private func auction(free: inout [Int], v: UnsafeMutablePointer<Double>, rowColumn: inout [Int], columnRow: inout [Int], typicalGap: Double) {
        let n = rows
        let sign = self.sign
        // ε never falls below what the prices can resolve, so every bid moves a price.
        let resolution = costMagnitude * 0x1p-40
        var epsilon = Swift.max(Swift.min(typicalGap, costRange), costRange * 1e-6, resolution)
        let finalEpsilon = Swift.max(epsilon * 1e-3, resolution)
        // Each bid reads one row, as each step of a shortest path does; past this many the
        // shortest paths are the better tool, and they place whatever rows are still free.
        var budget = auctionBidsPerRow * n
        while true {
            var k = 0
            while k < free.count {
                guard budget > 0 else { return }
                budget -= 1
                let i = free[k]
                let (u1, j1, u2, _) = DenseKernels.twoSmallest(row(i), count: n, sign: sign, price: v)
                v[j1] -= (u2 - u1) + epsilon
                let displaced = columnRow[j1]
                rowColumn[i] = j1
                columnRow[j1] = i
                if displaced >= 0 {
                    rowColumn[displaced] = -1
                    free[k] = displaced  // the displaced row bids next
                } else {
                    k += 1
                }
            }
            guard epsilon > finalEpsilon else { return }
            epsilon = Swift.max(epsilon / 8, finalEpsilon)
            // Rows more than the new ε from their best column bid again.
            free.removeAll(keepingCapacity: true)
            for i in 0..<n {
                let j = rowColumn[i]
                if cost(i, j) - v[j] > DenseKernels.smallest(row(i), count: n, sign: sign, price: v) + epsilon {
                    rowColumn[i] = -1
                    columnRow[j] = -1
                    free.append(i)
                }
            }
            budget -= n
        }
    }

    /// The internal cost of a pair (`-score` when maximizing).
    @inline(__always)
    private func cost(_ i: Int, _ j: Int) -> Double { sign * Double(row(i)[j]) }
}
