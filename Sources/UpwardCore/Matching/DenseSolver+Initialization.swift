extension DenseSolver {
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
}
