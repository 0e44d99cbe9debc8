/// A checked proof that an assignment is optimal, from linear-programming duality.
///
/// The assignment problem, in the solvers' internal costs (a real pair costs `c[i][j]`, staying
/// unmatched costs 0 when allowed):
///
///     minimize   Σ c[i][j]·x[i][j]
///     subject to Σ_j x[i][j] + y[i] = 1   for every row      (dual u[i], free)
///                Σ_i x[i][j] ≤ cap[j]      for every column   (dual v[j] ≤ 0)
///                y[i] ≤ 1                  a row's own "unmatched" slot (dual w[i] ≤ 0), only when allowed
///
/// The assignment is optimal exactly when it is feasible, the duals are feasible
/// (`c[i][j] - u[i] - v[j] ≥ 0` on every allowed pair, `u[i] + w[i] ≤ 0`, signs), and complementary
/// slackness holds: matched pairs are tight, columns with room have `v[j] = 0`, unmatched rows have
/// `u[i] = -w[i] ≥ 0` and matched rows `w[i] = 0`. Equivalently the primal total equals the dual
/// objective `Σu + Σ cap·v + Σw`; both are checked, with a tolerance scaled to the costs' magnitude.
/// Non-negative reduced costs alone prove nothing: very negative duals satisfy them for any assignment.
public struct OptimalityCertificate: Sendable, CustomStringConvertible {
    /// Whether every condition holds.
    public var holds: Bool { failures.isEmpty }
    /// The assignment's total internal cost.
    public var primalTotal: Double
    /// The duals' objective: a lower bound on every feasible total when the duals are feasible.
    public var dualObjective: Double
    /// `primalTotal - dualObjective`: 0 (within tolerance) for a proven optimum.
    public var gap: Double { primalTotal - dualObjective }
    /// The most negative reduced cost over every allowed pair.
    public var worstReducedCost: Double
    /// The per-condition tolerance used.
    public var tolerance: Double
    /// The first conditions that failed, in words (empty when the proof holds).
    public var failures: [String]

    public var description: String {
        holds
            ? "proof holds (gap \(gap), worst reduced cost \(worstReducedCost))"
            : "proof fails: " + failures.joined(separator: "; ")
    }

    /// The tolerance for one condition: float error grows with the costs' magnitude and with the
    /// length of the augmenting paths that built the duals (at most rows + columns).
    public static func tolerance(costScale: Double, rows: Int, columns: Int) -> Double {
        Double.ulpOfOne * Swift.max(1, costScale) * Double(rows + columns + 1) * 16
    }

    /// Checks the certificate when the caller has already scanned every allowed pair for the most
    /// negative reduced cost (the sparse solver does so in parallel, with bounds).
    ///
    /// - Parameters:
    ///   - costOfPair: the internal cost of an allowed pair, nil when forbidden; asked for assigned pairs only.
    ///   - costScale: the largest absolute internal cost of any allowed pair.
    public static func check(
        columnOfRow: [Int?], rowDuals u: [Double], columnDuals v: [Double], capacities: [Int], unmatchedAllowed: Bool,
        worstReducedCost: Double, costScale: Double, costOfPair: (Int, Int) -> Double?
    ) -> OptimalityCertificate {
        let rows = columnOfRow.count
        let columns = capacities.count
        let tolerance = tolerance(costScale: costScale, rows: rows, columns: columns)
        var failures: [String] = []
        func fail(_ message: String) { if failures.count < 5 { failures.append(message) } }
        guard u.count == rows, v.count == columns else {
            return OptimalityCertificate(
                primalTotal: .nan, dualObjective: .nan, worstReducedCost: worstReducedCost, tolerance: tolerance,
                failures: ["there are \(u.count) row duals and \(v.count) column duals for \(rows) rows and \(columns) columns"])
        }
        if !(u.allSatisfy(\.isFinite) && v.allSatisfy(\.isFinite)) { fail("a dual value is not finite") }

        // Primal feasibility, and complementary slackness on matched pairs and on rows.
        var load = [Int](repeating: 0, count: columns)
        var primal = 0.0
        var dualRows = 0.0
        for (i, column) in columnOfRow.enumerated() {
            guard let j = column else {
                if !unmatchedAllowed { fail("row \(i) is unmatched, but every row must be matched") }
                // Unmatched: u[i] + w[i] = 0 with w[i] = -u[i] ≤ 0.
                if u[i] < -tolerance { fail("unmatched row \(i) has a negative dual \(u[i])") }
                dualRows += u[i] + Swift.min(0, -u[i])
                continue
            }
            guard (0..<columns).contains(j), let cost = costOfPair(i, j) else {
                fail("row \(i) is assigned to column \(j), which is not an allowed pair")
                continue
            }
            load[j] += 1
            primal += cost
            let reduced = cost - u[i] - v[j]
            if abs(reduced) > tolerance { fail("matched pair (\(i), \(j)) is not tight: reduced cost \(reduced)") }
            // Matched: its unmatched slot is empty, so w[i] = 0 and u[i] ≤ 0.
            if unmatchedAllowed, u[i] > tolerance { fail("matched row \(i) would rather be unmatched: dual \(u[i]) > 0") }
            dualRows += u[i]
        }
        // A full assignment that fills every column makes the column constraints equalities (v free).
        let totalCapacity = capacities.reduce(0, +)
        let columnsAlwaysFull = !unmatchedAllowed && rows == totalCapacity
        var dualColumns = 0.0
        for j in 0..<columns {
            if load[j] > capacities[j] { fail("column \(j) holds \(load[j]) rows but its capacity is \(capacities[j])") }
            if !columnsAlwaysFull {
                if v[j] > tolerance { fail("column \(j) has a positive dual \(v[j])") }
                if load[j] < capacities[j], abs(v[j]) > tolerance { fail("column \(j) has room but a non-zero dual \(v[j])") }
            }
            dualColumns += Double(capacities[j]) * v[j]
        }
        if worstReducedCost < -tolerance { fail("an allowed pair has a negative reduced cost \(worstReducedCost)") }
        let dual = dualRows + dualColumns
        if abs(primal - dual) > tolerance * Double(rows + columns + 1) {
            fail("the total \(primal) differs from the dual bound \(dual)")
        }
        return OptimalityCertificate(
            primalTotal: primal, dualObjective: dual, worstReducedCost: worstReducedCost, tolerance: tolerance, failures: failures)
    }

    /// Checks the certificate by scanning every pair of a dense problem.
    public static func check(
        columnOfRow: [Int?], rowDuals: [Double], columnDuals: [Double], capacities: [Int], unmatchedAllowed: Bool,
        cost: (Int, Int) -> Double?
    ) -> OptimalityCertificate {
        var worst = 0.0
        var scale = 0.0
        for i in 0..<Swift.min(columnOfRow.count, rowDuals.count) {
            for j in 0..<Swift.min(capacities.count, columnDuals.count) {
                guard let c = cost(i, j) else { continue }
                scale = Swift.max(scale, abs(c))
                worst = Swift.min(worst, c - rowDuals[i] - columnDuals[j])
            }
        }
        return check(
            columnOfRow: columnOfRow, rowDuals: rowDuals, columnDuals: columnDuals, capacities: capacities,
            unmatchedAllowed: unmatchedAllowed, worstReducedCost: worst, costScale: scale, costOfPair: cost)
    }
}
