import Foundation
import Testing
import UpwardCore

/// Exhaustive search over every assignment, for checking the solver on small instances.
enum BruteForce {
    /// The best (matched count, total) — lexicographic when `cardinalityFirst`, else total only.
    static func best(_ m: [[Double]], capacities: [Int], maximize: Bool, cardinalityFirst: Bool) -> (count: Int, total: Double) {
        let columns = m.first?.count ?? 0
        var memo: [String: (Int, Double)] = [:]
        func better(_ a: (Int, Double), _ b: (Int, Double)) -> Bool {
            if cardinalityFirst, a.0 != b.0 { return a.0 > b.0 }
            return a.1 > b.1 + 1e-12
        }
        // Gain of a pair: score when maximizing, -cost when minimizing.
        func search(_ row: Int, _ left: [Int]) -> (Int, Double) {
            if row == m.count { return (0, 0) }
            let key = "\(row):\(left)"
            if let hit = memo[key] { return hit }
            var best = search(row + 1, left)
            for j in 0..<columns where left[j] > 0 && !m[row][j].isNaN {
                var next = left
                next[j] -= 1
                let rest = search(row + 1, next)
                let gain = maximize ? m[row][j] : -m[row][j]
                if cardinalityFirst || gain > 0 {
                    let candidate = (rest.0 + 1, rest.1 + gain)
                    if better(candidate, best) { best = candidate }
                }
            }
            memo[key] = best
            return best
        }
        let result = search(0, capacities.count == columns ? capacities : Array(repeating: capacities[0], count: columns))
        return (result.0, maximize ? result.1 : -result.1)
    }
}

@Suite("Assignment solver")
struct AssignmentSolverTests {
    static func randomMatrix(rows: Int, columns: Int, forbidden: Double, integers: Bool, using random: inout SeededGenerator) -> [[Double]] {
        (0..<rows).map { _ in
            (0..<columns).map { _ in
                if Double.random(in: 0..<1, using: &random) < forbidden { return .nan }
                return integers ? Double(Int.random(in: 0...5, using: &random)) : Double.random(in: -10...100, using: &random)
            }
        }
    }

    func check(_ m: [[Double]], capacities: [Int], maximize: Bool, priority: AssignmentSolver.Priority) -> Bool {
        let solution = AssignmentSolver.solve(m, options: .init(maximize: maximize, priority: priority, capacities: capacities))
        let expected = BruteForce.best(m, capacities: capacities, maximize: maximize, cardinalityFirst: priority == .cardinalityFirst)
        // The solution must be a valid assignment.
        var used = [Int](repeating: 0, count: m.first?.count ?? 0)
        for (row, column) in solution.pairs {
            if m[row][column].isNaN { return false }
            used[column] += 1
        }
        let caps = capacities.count == used.count ? capacities : Array(repeating: capacities[0], count: used.count)
        if zip(used, caps).contains(where: { $0 > $1 }) { return false }
        let recomputed = solution.pairs.reduce(0.0) { $0 + m[$1.row][$1.column] }
        guard abs(recomputed - solution.total) < 1e-9 else { return false }
        if priority == .cardinalityFirst, solution.matchedCount != expected.count { return false }
        return abs(solution.total - expected.total) < 1e-6
    }

    @Test(
        "equals brute force on thousands of small random instances",
        arguments: [
            (AssignmentSolver.Priority.cardinalityFirst, true), (.cardinalityFirst, false), (.totalOnly, true), (.totalOnly, false),
        ])
    func matchesBruteForce(priority: AssignmentSolver.Priority, maximize: Bool) {
        var random = SeededGenerator(seed: maximize ? 7 : 11)
        var failures: [String] = []
        for trial in 0..<1500 {
            let rows = Int.random(in: 1...8, using: &random)
            let columns = Int.random(in: 1...8, using: &random)
            let capacityCase = trial % 3
            let capacities: [Int] =
                capacityCase == 0
                ? [1] : capacityCase == 1 ? [Int.random(in: 1...3, using: &random)] : (0..<columns).map { _ in Int.random(in: 0...3, using: &random) }
            let forbidden = [0.0, 0.1, 0.4][trial % 3]
            let m = Self.randomMatrix(rows: rows, columns: columns, forbidden: forbidden, integers: trial % 2 == 0, using: &random)
            if !check(m, capacities: capacities, maximize: maximize, priority: priority) {
                failures.append("trial \(trial): \(m) capacities \(capacities)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }

    @Test("square matrices without forbidden pairs (the Jonker-Volgenant start) equal brute force")
    func squareMatchesBruteForce() {
        var random = SeededGenerator(seed: 21)
        var failures = 0
        for trial in 0..<1500 {
            let n = Int.random(in: 2...8, using: &random)
            let m = Self.randomMatrix(rows: n, columns: n, forbidden: 0, integers: trial % 2 == 0, using: &random)
            if !check(m, capacities: [1], maximize: trial % 3 != 0, priority: .cardinalityFirst) { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test("float32 matrices give the same optimum as float64")
    func float32() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<50 {
            let m = Self.randomMatrix(rows: 7, columns: 6, forbidden: 0.2, integers: false, using: &random)
            let doubles = AssignmentSolver.solve(m)
            let floats = m.flatMap { $0 }.map(Float.init)
            let single = floats.withUnsafeBufferPointer { AssignmentSolver.solve($0, rows: 7, columns: 6) }
            #expect(single.matchedCount == doubles.matchedCount)
            #expect(abs(single.total - doubles.total) < 1e-3)
        }
    }

    @Test("the same input always gives the same pairs")
    func deterministic() {
        var random = SeededGenerator(seed: 5)
        let m = Self.randomMatrix(rows: 40, columns: 30, forbidden: 0.1, integers: true, using: &random)
        let first = AssignmentSolver.solve(m, options: .init(capacities: [2]))
        for _ in 0..<5 { #expect(AssignmentSolver.solve(m, options: .init(capacities: [2])).columnOfRow == first.columnOfRow) }
    }

    @Test("duals prove the optimum: reduced costs are non-negative, and zero on assigned pairs")
    func dualCertificate() {
        var random = SeededGenerator(seed: 9)
        let m = Self.randomMatrix(rows: 30, columns: 30, forbidden: 0, integers: false, using: &random)
        let solution = AssignmentSolver.solve(m, options: .init(maximize: false))
        for i in 0..<30 {
            for j in 0..<30 {
                let reduced = m[i][j] - solution.rowDuals[i] - solution.columnDuals[j]
                #expect(reduced > -1e-9)
                if solution.columnOfRow[i] == j { #expect(abs(reduced) < 1e-9) }
            }
        }
    }
}
