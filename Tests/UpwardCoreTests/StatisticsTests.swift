import Foundation
import Testing
import UpwardCore

@Suite("Statistics equal scipy's")
struct StatisticsTests {
    struct Reference: Decodable {
        struct Set: Decodable {
            let before: [Double]
            let after: [Double]
            let expected: [String: Value]
        }
        /// A number, or "nan", "inf", "-inf" as scipy printed them.
        enum Value: Decodable {
            case number(Double)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) {
                    self = .number(number)
                } else {
                    switch try container.decode(String.self) {
                    case "inf": self = .number(.infinity)
                    case "-inf": self = .number(-.infinity)
                    default: self = .number(.nan)
                    }
                }
            }
            var double: Double {
                switch self {
                case .number(let value): value
                }
            }
        }
        let scipy: String
        let sets: [String: Set]
    }

    static let reference: Reference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stats-reference.json")
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    static func same(_ actual: Double, _ expected: Double) -> Bool {
        if expected.isNaN { return actual.isNaN }
        if expected.isInfinite { return actual == expected }
        return abs(actual - expected) <= 1e-9 * max(1, abs(expected))
    }

    @Test(
        "every figure equals scipy's to 1e-9 on the committed data sets (n = 1, 2, 9, 13, 14, 30, 50, 51, 80; ties, zeros, all equal)",
        arguments: Array(reference.sets.keys.sorted()))
    func matchesScipy(name: String) throws {
        let set = try #require(Self.reference.sets[name])
        let s = PairedStatistics.summary(before: set.before, after: set.after)
        let actual: [String: Double] = [
            "n": Double(s.n), "mean_before": s.meanBefore, "mean_after": s.meanAfter, "mean_change": s.meanChange, "ci_low": s.ciLow, "ci_high": s.ciHigh,
            "t": s.t, "t_p": s.tP, "wilcoxon_statistic": s.wilcoxonStatistic, "wilcoxon_p": s.wilcoxonP, "d_z": s.dZ, "rank_biserial": s.rankBiserial,
        ]
        for (key, value) in set.expected {
            let got = try #require(actual[key], "\(key)")
            #expect(Self.same(got, value.double), "\(name).\(key): \(got) vs scipy \(value.double)")
        }
    }

    @Test("the Wilcoxon method follows scipy's auto rule")
    func wilcoxonMethod() {
        let distinct = (1...50).map { Double($0) * 0.37 * ($0.isMultiple(of: 3) ? -1 : 1) }
        #expect(WilcoxonSignedRank.test(distinct).method == .exact)
        #expect(WilcoxonSignedRank.test(distinct + [0.001]).method == .asymptotic)
        #expect(WilcoxonSignedRank.test([1, 1, 2, -3, 0]).method == .permutation)
        #expect(WilcoxonSignedRank.test(Array(repeating: 1, count: 14)).method == .asymptotic)
        #expect(WilcoxonSignedRank.test([0, 0, 0]).p == 1)
    }

    @Test("the 0-10 score is promoters minus detractors in percent")
    func netScore() {
        #expect(PairedStatistics.netScore([10, 9, 8, 7, 6, 0]) == (2.0 - 2.0) / 6 * 100)
        #expect(PairedStatistics.netScore([10, 10, 3]) == (2.0 - 1.0) / 3 * 100)
        #expect(PairedStatistics.netScore([]).isNaN)
    }

    @Test("t quantiles and tails agree with known values")
    func distributions() {
        #expect(abs(Distributions.studentUpperQuantile(0.025, df: 1) - 12.706204736174705) < 1e-9)
        #expect(abs(Distributions.studentUpperQuantile(0.025, df: 29) - 2.045229642132704) < 1e-12)
        #expect(abs(Distributions.studentTwoSided(2.0, df: 10) - 0.07338803477074037) < 1e-13)
        #expect(abs(Distributions.normalSF(1.96) - 0.024997895148220435) < 1e-15)
    }
}

@Suite("The before-and-after file")
struct PrePostFileTests {
    @Test("per skill plus all, extra columns ignored; bad rows are named by line and column, nothing computed")
    func file() throws {
        let rows = try PrePostFile.parse(Data("ID,Skill,Before,After,Team\n1,AI,2,4,x\n2,AI,3,3,y\n3,Leadership,2,3,z\n".utf8))
        let summaries = PrePostFile.summaries(rows)
        #expect(summaries.map(\.skill) == ["AI", "Leadership", "all"])
        #expect(summaries.last?.summary.n == 3)
        let json = PrePostFile.json(summaries)
        #expect(json.contains("\"skill\": \"all\"") && json.contains("\"ci_low\": null"))
        let failure = #expect(throws: ImportFailure.self) {
            try PrePostFile.parse(Data("id,skill,before,after\n1,AI,two,4\n2,,3,nan\n".utf8))
        }
        let issues = failure?.issues.map { "\($0.line ?? 0) \($0.column ?? "")" } ?? []
        #expect(Set(issues) == ["2 before", "3 skill", "3 after"])
        #expect(throws: ImportFailure.self) { try PrePostFile.parse(Data("id,skill,before\n1,AI,2\n".utf8)) }
    }
}

@Suite("Anonymity")
struct AnonymityTests {
    /// Whether `target` is a linear combination of `rows` (Gaussian elimination on small 0/1 vectors).
    static func inSpan(_ target: [Double], _ rows: [[Double]]) -> Bool {
        func rank(_ matrix: [[Double]]) -> Int {
            var m = matrix
            var rank = 0
            let width = m.first?.count ?? 0
            for column in 0..<width {
                guard let pivot = (rank..<m.count).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }), abs(m[pivot][column]) > 1e-9 else { continue }
                m.swapAt(rank, pivot)
                for r in 0..<m.count where r != rank {
                    let factor = m[r][column] / m[rank][column]
                    for c in 0..<width { m[r][c] -= factor * m[rank][c] }
                }
                rank += 1
            }
            return rank
        }
        return rank(rows + [target]) == rank(rows)
    }

    @Test("no sum or difference of the views shown, over every combination of filters, singles out a group under the threshold")
    func adversarialSearch() {
        var generator = SeededGenerator(seed: 11)
        let rule = AnonymityRule()
        let sides = ["mentee", "mentor"]
        for trial in 0..<1_500 {
            let departments = (0..<Int.random(in: 1...4, using: &generator)).map { "d\($0)" }
            var counts: [[String]: Int] = [:]
            for side in sides {
                for department in departments { counts[[side, department]] = Int.random(in: 0...(trial % 3 == 0 ? 40 : 12), using: &generator) }
            }
            let comments = trial % 5 == 0
            let threshold = comments ? rule.minimumForComments : rule.minimum
            let views = rule.views(counts, comments: comments)
            let filters: [[String?]] = ([nil] + sides.map(Optional.some)).flatMap { side in ([nil] + departments.map(Optional.some)).map { [side, $0] } }
            let cells = counts.keys.filter { counts[$0]! > 0 }.sorted { $0.lexicographicallyPrecedes($1) }
            let shown = filters.filter { views.shows($0) }
            // Every view shown meets the threshold on its own, whichever filters made it.
            for filter in shown { #expect(views.respondents(filter) >= threshold, "\(counts): \(filter)") }
            // What the adversary can work out: any group of cells whose indicator is a combination
            // of the shown views' indicators (totals, differences, differences of differences).
            let rows = shown.map { filter in
                let selected = Set(views.cells(filter))
                return cells.map { selected.contains($0) ? 1.0 : 0.0 }
            }
            guard !rows.isEmpty, cells.count <= 8 else { continue }
            for mask in 1..<(1 << cells.count) {
                let group = cells.indices.filter { mask & (1 << $0) != 0 }
                let size = group.reduce(0) { $0 + counts[cells[$1]]! }
                guard size < threshold else { continue }
                let target = cells.indices.map { mask & (1 << $0) != 0 ? 1.0 : 0.0 }
                #expect(!Self.inSpan(target, rows), "\(counts) comments \(comments): \(group.map { cells[$0] }) (\(size)) can be worked out")
            }
            // Nothing is hidden needlessly: when every cell meets the threshold, every view is shown.
            if cells.count == counts.count, cells.allSatisfy({ counts[$0]! >= threshold }) {
                #expect(shown.count == filters.count, "\(counts)")
            }
        }
    }

    @Test("a combination of filters must reach the threshold together; the first breakdown stays visible longest")
    func combinations() {
        let counts: [[String]: Int] = [
            ["mentee", "Sales"]: 3, ["mentee", "Design"]: 9, ["mentor", "Sales"]: 9, ["mentor", "Design"]: 8,
        ]
        let views = AnonymityRule().views(counts)
        #expect(views.shows([nil, nil]))
        #expect(views.shows(["mentee", nil]) && views.shows(["mentor", nil]))
        #expect(views.shows(["mentor", "Sales"]) && views.shows(["mentor", "Design"]))
        // mentee ∧ Sales has 3: hidden, and so is its sibling, and both departments (Sales − mentor ∧ Sales would give it away).
        #expect(!views.shows(["mentee", "Sales"]) && !views.shows(["mentee", "Design"]))
        #expect(!views.shows([nil, "Sales"]) && !views.shows([nil, "Design"]))
        #expect(views.respondents(["mentee", nil]) == 12)
        #expect(!AnonymityRule().views([["a"]: 2, ["b"]: 1]).shows([nil]))
        let one = AnonymityRule().views([["a"]: 20, ["b"]: 3, ["c"]: 6])
        #expect(one.shows(["a"]) && !one.shows(["b"]) && !one.shows(["c"]) && one.shows([nil]))
    }

    @Test("thresholds can be raised, never lowered; comments need 10")
    func thresholds() {
        #expect(AnonymityRule(minimum: 3).minimum == 5)
        #expect(AnonymityRule(minimum: 8).minimum == 8)
        #expect(AnonymityRule(minimum: 12).minimumForComments == 12)
        #expect(!AnonymityRule().shows(respondents: 9, comments: true))
        #expect(AnonymityRule().shows(respondents: 5))
    }
}

@Suite("Retention")
struct RetentionTests {
    @Test("participants against colleagues in the same department and level band who were employed at the start")
    func comparison() {
        func member(_ id: String, _ dept: String, _ level: Int, hired: String? = "2020-01-01", left: String? = nil) -> Retention.Member {
            Retention.Member(
                id: id, department: dept, level: level, hireDate: hired.flatMap(CalendarDate.init), terminationDate: left.flatMap(CalendarDate.init))
        }
        let people = [
            member("p1", "Sales", 2), member("p2", "Sales", 3, left: "2026-05-01"), member("p3", "Design", 1),
            member("c1", "Sales", 1), member("c2", "Sales", 3, left: "2026-04-01"), member("c3", "Design", 2, left: "2026-02-01"),
            member("x1", "Sales", 8), member("x2", "Finance", 2), member("x3", "Sales", 2, left: "2025-12-01"), member("x4", "Design", 3, hired: "2026-03-01"),
        ]
        let result = Retention.compare(
            participants: ["p1", "p2", "p3"], people: people, start: CalendarDate("2026-01-15")!, asOf: CalendarDate("2026-06-30")!)
        // x1 (other band), x2 (other department), x3 (gone before the start), x4 (hired after) are not comparable.
        #expect(result == Retention.Comparison(participants: 3, participantsRetained: 2, comparison: 3, comparisonRetained: 1))
        #expect(abs(result.participantRate - 2.0 / 3.0) < 1e-12)
    }
}

@Suite("Rate limits")
struct RateLimitCoreTests {
    @Test("a token bucket allows its burst, then one request per 1/rate seconds, and says how long to wait")
    func bucket() {
        let limit = RateLimit(perSecond: 2, burst: 4)
        var bucket = TokenBucket(full: limit, at: 100)
        for _ in 0..<4 { #expect(bucket.take(at: 100, limit: limit) == nil) }
        let wait = bucket.take(at: 100, limit: limit)
        #expect(wait.map { abs($0 - 0.5) < 1e-9 } == true)
        #expect(bucket.take(at: 100.25, limit: limit) != nil)
        #expect(bucket.take(at: 100.5, limit: limit) == nil)
        #expect(!bucket.isFull(at: 100.5, limit: limit) && bucket.isFull(at: 103, limit: limit))
        // A long pause refills to the burst, not beyond.
        for _ in 0..<4 { #expect(bucket.take(at: 200, limit: limit) == nil) }
        #expect(bucket.take(at: 200, limit: limit) != nil)
    }
}
