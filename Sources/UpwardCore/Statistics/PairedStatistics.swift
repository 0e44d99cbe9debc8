import Foundation

/// Before-and-after statistics for one group of people, as `scipy.stats` computes them:
/// `ttest_rel(after, before)` with its `confidence_interval()`, and `wilcoxon(after - before)`
/// with `zero_method='wilcox'`, `correction=False`, `method='auto'`. Figures that scipy reports
/// as NaN (n = 1, every difference equal …) are NaN here too.
public struct PrePostSummary: Sendable, Equatable {
    public var n: Int
    public var meanBefore: Double
    public var meanAfter: Double
    /// Mean of after − before.
    public var meanChange: Double
    /// 95% confidence interval of the mean change (paired t).
    public var ciLow: Double
    public var ciHigh: Double
    public var t: Double
    public var tP: Double
    /// min(R+, R−), as scipy reports it for a two-sided test.
    public var wilcoxonStatistic: Double
    public var wilcoxonP: Double
    public var wilcoxonMethod: WilcoxonMethod
    /// Cohen's d_z: mean change over the standard deviation of the changes.
    public var dZ: Double
    /// Matched-pairs rank-biserial correlation: (R+ − R−) / (R+ + R−), zeros left out.
    public var rankBiserial: Double
}

public enum WilcoxonMethod: String, Sendable, Equatable {
    case exact, permutation, asymptotic, none
}

public enum PairedStatistics {
    public static func summary(before: [Double], after: [Double]) -> PrePostSummary {
        precondition(before.count == after.count)
        let n = before.count
        let d = zip(after, before).map { $0 - $1 }
        let mean = { (values: [Double]) -> Double in values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        let meanChange = mean(d)
        let sd: Double
        if n > 1 {
            let squares = d.reduce(0) { $0 + ($1 - meanChange) * ($1 - meanChange) }
            sd = (squares / Double(n - 1)).squareRoot()
        } else {
            sd = .nan
        }
        let df = Double(n - 1)
        let se = sd / Double(n).squareRoot()
        let t = meanChange / se
        let tP = Distributions.studentTwoSided(t, df: df)
        let q = n > 1 ? Distributions.studentUpperQuantile(0.025, df: df) : .nan
        // scipy: mean ± q·se; a zero standard error gives a zero-width interval.
        let ciLow = meanChange - q * se
        let ciHigh = meanChange + q * se
        let wilcoxon = WilcoxonSignedRank.test(d)
        return PrePostSummary(
            n: n, meanBefore: mean(before), meanAfter: mean(after), meanChange: meanChange, ciLow: ciLow, ciHigh: ciHigh, t: t, tP: tP,
            wilcoxonStatistic: wilcoxon.statistic, wilcoxonP: wilcoxon.p, wilcoxonMethod: wilcoxon.method, dZ: meanChange / sd,
            rankBiserial: wilcoxon.rankBiserial)
    }

    /// The 0-10 score as promoters (9-10) minus detractors (0-6), in percent of answers.
    public static func netScore(_ answers: [Int]) -> Double {
        guard !answers.isEmpty else { return .nan }
        let promoters = answers.filter { $0 >= 9 }.count
        let detractors = answers.filter { $0 <= 6 }.count
        return Double(promoters - detractors) / Double(answers.count) * 100
    }

    public static func responseRate(answered: Int, invited: Int) -> Double {
        invited > 0 ? Double(answered) / Double(invited) : .nan
    }
}

/// The Wilcoxon signed-rank test of paired differences, two-sided, as scipy ≥ 1.15 does it by
/// default: zeros are dropped from the ranking (`wilcox`), no continuity correction, and
/// `method='auto'`: the exact null distribution when there are neither ties nor zeros and
/// n ≤ 50; otherwise every sign flip (an exhaustive permutation test, zeros counted) when n ≤ 13;
/// otherwise the normal approximation with the tie correction.
public enum WilcoxonSignedRank {
    public struct Result: Sendable, Equatable {
        public let statistic: Double
        public let p: Double
        public let method: WilcoxonMethod
        public let rankBiserial: Double
    }

    /// Average ranks of `values` (1-based), and whether any tie occurred, plus Σ(t³ − t) over tie groups.
    static func ranks(_ values: [Double]) -> (ranks: [Double], hasTies: Bool, tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var hasTies = false
        var tieTerm = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end + 2) / 2
            for k in start...end { ranks[order[k]] = average }
            let size = Double(end - start + 1)
            if size > 1 {
                hasTies = true
                tieTerm += size * size * size - size
            }
            start = end + 1
        }
        return (ranks, hasTies, tieTerm)
    }

    /// R+ of the non-zero differences.
    static func rankSums(_ d: [Double]) -> (plus: Double, minus: Double, hasTies: Bool, tieTerm: Double, count: Int) {
        let nonzero = d.filter { $0 != 0 }
        let (ranks, hasTies, tieTerm) = ranks(nonzero.map { abs($0) })
        var plus = 0.0
        var minus = 0.0
        for (value, rank) in zip(nonzero, ranks) {
            if value > 0 { plus += rank } else { minus += rank }
        }
        return (plus, minus, hasTies, tieTerm, nonzero.count)
    }

    public static func test(_ d: [Double]) -> Result {
        let n = d.count
        guard n > 0 else { return Result(statistic: .nan, p: .nan, method: .none, rankBiserial: .nan) }
        let sums = rankSums(d)
        let zeros = n - sums.count
        let statistic = min(sums.plus, sums.minus)
        let rankBiserial = sums.count > 0 ? (sums.plus - sums.minus) / (sums.plus + sums.minus) : .nan
        let p: Double
        let method: WilcoxonMethod
        if n <= 50 && !sums.hasTies && zeros == 0 {
            method = .exact
            p = exactP(rPlus: sums.plus, n: sums.count)
        } else if n <= 13 {
            method = .permutation
            p = permutationP(d)
        } else {
            method = .asymptotic
            let count = Double(sums.count)
            let mean = count * (count + 1) * 0.25
            let se = ((count * (count + 1) * (2 * count + 1) - sums.tieTerm / 2) / 24).squareRoot()
            let z = (sums.plus - mean) / se
            p = z.isNaN ? .nan : min(1, 2 * Distributions.normalSF(abs(z)))
        }
        return Result(statistic: statistic, p: p, method: method, rankBiserial: rankBiserial)
    }

    /// The exact null distribution of R+ for ranks 1…n: how many sign patterns give each sum.
    static func counts(n: Int) -> [Double] {
        let total = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: total + 1)
        counts[0] = 1
        if n == 0 { return counts }
        for rank in 1...n {
            for sum in stride(from: total, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
        }
        return counts
    }

    /// scipy's two-sided exact p: 2·min(sf(⌊R+⌋), cdf(⌈R+⌉)), each tail summed from its near end.
    static func exactP(rPlus: Double, n: Int) -> Double {
        let counts = counts(n: n)
        let all = pow(2.0, Double(n))
        let pmf = counts.map { $0 / all }
        let mean = Double(n * (n + 1)) / 4
        func cdf(_ k: Int) -> Double {
            if Double(k) <= mean { return k < 0 ? 0 : pmf[0...min(k, pmf.count - 1)].reduce(0, +) }
            return 1 - sf(k + 1)
        }
        func sf(_ k: Int) -> Double {
            if Double(k) <= mean { return 1 - cdf(k - 1) }
            return k >= pmf.count ? 0 : pmf[k...].reduce(0, +)
        }
        let p = 2 * min(sf(Int(rPlus.rounded(.down))), cdf(Int(rPlus.rounded(.up))))
        return min(max(p, 0), 1)
    }

    /// Every one of the 2ⁿ sign flips (zeros included, as scipy's permutation test counts them):
    /// p = 2·min(P(R+ ≤ observed), P(R+ ≥ observed)), with scipy's relative tolerance.
    static func permutationP(_ d: [Double]) -> Double {
        let n = d.count
        let observed = rankSums(d).plus
        let magnitudes = d.map { abs($0) }
        // Ranks do not change under sign flips: rank the non-zero magnitudes once.
        let nonzeroIndices = magnitudes.indices.filter { magnitudes[$0] != 0 }
        let ranked = ranks(nonzeroIndices.map { magnitudes[$0] }).ranks
        var rankOf = [Double](repeating: 0, count: n)
        for (position, index) in nonzeroIndices.enumerated() { rankOf[index] = ranked[position] }
        let gamma = abs(Double.ulpOfOne * 100 * observed)
        var less = 0
        var greater = 0
        let patterns = 1 << n
        for mask in 0..<patterns {
            var plus = 0.0
            for i in 0..<n where magnitudes[i] != 0 {
                // Bit set: the difference keeps its sign; clear: flipped.
                let positive = (d[i] > 0) == (mask & (1 << i) != 0)
                if positive { plus += rankOf[i] }
            }
            if plus <= observed + gamma { less += 1 }
            if plus >= observed - gamma { greater += 1 }
        }
        let p = 2 * Double(min(less, greater)) / Double(patterns)
        return min(max(p, 0), 1)
    }
}
