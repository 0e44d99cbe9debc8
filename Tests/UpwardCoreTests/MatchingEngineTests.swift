import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("Matching engine")
struct MatchingEngineTests {
    /// Brute force over every assignment of mentees to mentors within capacities.
    static func allAssignments(_ model: CompatibilityModel) -> [[Int?]] {
        var results: [[Int?]] = []
        var current: [Int?] = []
        var left = model.mentors.map(\.enrollment.capacity)
        func walk(_ i: Int) {
            if i == model.mentees.count {
                results.append(current)
                return
            }
            current.append(nil)
            walk(i + 1)
            current.removeLast()
            for j in model.mentors.indices where left[j] > 0 && model.score(mentee: i, mentor: j) != nil {
                left[j] -= 1
                current.append(j)
                walk(i + 1)
                current.removeLast()
                left[j] += 1
            }
        }
        walk(0)
        return results
    }

    static func scores(_ model: CompatibilityModel, _ assignment: [Int?]) -> [Double] {
        assignment.enumerated().compactMap { i, j in j.map { model.score(mentee: i, mentor: $0)! } }
    }

    static func checkHardRules(_ model: CompatibilityModel, _ result: MatchingEngine.Result) -> Bool {
        var used = [Int](repeating: 0, count: model.mentors.count)
        for pair in result.pairs {
            if model.violation(mentee: pair.mentee, mentor: pair.mentor) != nil { return false }
            used[pair.mentor] += 1
        }
        return zip(used, model.mentors).allSatisfy { $0 <= $1.enrollment.capacity }
    }

    @Test("participation, total and fair are exact optima, checked by brute force")
    func objectivesMatchBruteForce() throws {
        var failures: [String] = []
        var nontrivial = 0
        for seed: UInt64 in 0..<150 {
            let model = MatchingFixtures.randomModel(mentees: Int(seed % 5) + 2, mentors: Int(seed % 4) + 1, seed: seed, rules: .init(minimumLevelGap: 1))
            let all = Self.allAssignments(model)
            let engine = MatchingEngine(model: model)

            let participation = try engine.match(objective: .participation)
            let bestCount = all.map { $0.compactMap { $0 }.count }.max()!
            if bestCount >= 2 { nontrivial += 1 }
            let bestTotal = all.filter { $0.compactMap { $0 }.count == bestCount }.map { Self.scores(model, $0).reduce(0, +) }.max()!
            if participation.pairs.count != bestCount || abs(participation.totalScore - bestTotal) > 1e-6 { failures.append("participation seed \(seed)") }

            let total = try engine.match(objective: .total)
            let bestAny = all.map { Self.scores(model, $0).reduce(0, +) }.max()!
            if abs(total.totalScore - bestAny) > 1e-6 { failures.append("total seed \(seed)") }

            let fair = try engine.match(objective: .fair)
            let maximal = all.filter { $0.compactMap { $0 }.count == bestCount }
            let bestMinimum = maximal.map { Self.scores(model, $0).min() ?? 0 }.max()!
            let bestTotalAtMinimum = maximal.filter { (Self.scores(model, $0).min() ?? 0) >= bestMinimum - 1e-9 }.map { Self.scores(model, $0).reduce(0, +) }
                .max()!
            if fair.pairs.count != bestCount || abs((fair.lowestScore ?? 0) - bestMinimum) > 1e-6 || abs(fair.totalScore - bestTotalAtMinimum) > 1e-6 {
                failures.append("fair seed \(seed)")
            }
            for result in [participation, total, fair] where !Self.checkHardRules(model, result) { failures.append("rules seed \(seed)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(nontrivial >= 50, "too few instances with two or more pairs to be a real check")
    }

    @Test("stable matching leaves no blocking pair")
    func stableHasNoBlockingPair() throws {
        for seed in 0..<40 {
            let model = MatchingFixtures.randomModel(mentees: 30, mentors: 15, seed: 100 + UInt64(seed), rules: .init(minimumLevelGap: 1))
            let result = try MatchingEngine(model: model).match(objective: .stable)
            #expect(Self.checkHardRules(model, result))
            var held = [[Int]](repeating: [], count: model.mentors.count)
            for pair in result.pairs { held[pair.mentor].append(pair.mentee) }
            for i in model.mentees.indices {
                for j in model.mentors.indices {
                    guard let score = model.score(mentee: i, mentor: j), result.mentorOfMentee[i] != j else { continue }
                    let current = result.mentorOfMentee[i].map { model.score(mentee: i, mentor: $0)! }
                    let menteePrefers = current == nil || score > current! || (score == current! && j < result.mentorOfMentee[i]!)
                    guard menteePrefers else { continue }
                    let full = held[j].count >= model.mentors[j].enrollment.capacity
                    let mentorPrefers =
                        !full
                        || held[j].contains { other in
                            let otherScore = model.score(mentee: other, mentor: j)!
                            return score > otherScore || (score == otherScore && i < other)
                        }
                    #expect(!mentorPrefers, "blocking pair mentee \(i), mentor \(j), seed \(seed)")
                }
            }
        }
    }

    /// Mentee-proposing deferred acceptance over full preference lists, written plainly.
    static func referenceStable(_ model: CompatibilityModel) -> [Int?] {
        func ranked(_ i: Int) -> [(Int, Double)] {
            var list: [(Int, Double)] = []
            for j in model.mentors.indices {
                if let score = model.score(mentee: i, mentor: j) { list.append((j, score)) }
            }
            list.sort { a, b in a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }
            return list
        }
        let lists = model.mentees.indices.map(ranked)
        var next = [Int](repeating: 0, count: model.mentees.count)
        var held = [[Int]](repeating: [], count: model.mentors.count)
        var result = [Int?](repeating: nil, count: model.mentees.count)
        var free = Array(model.mentees.indices.reversed())
        while let i = free.popLast() {
            guard next[i] < lists[i].count else { continue }
            let (j, _) = lists[i][next[i]]
            next[i] += 1
            let capacity = model.mentors[j].enrollment.capacity
            guard capacity > 0 else {
                free.append(i)
                continue
            }
            held[j].append(i)
            result[i] = j
            if held[j].count > capacity {
                // Release the least preferred: lowest score, then the higher index.
                func less(_ a: Int, _ b: Int) -> Bool {
                    let sa: Double = model.score(mentee: a, mentor: j)!
                    let sb: Double = model.score(mentee: b, mentor: j)!
                    if sa != sb { return sa < sb }
                    return a > b
                }
                let worst = held[j].min(by: less)!
                held[j].removeAll { $0 == worst }
                result[worst] = nil
                free.append(worst)
            }
        }
        return result
    }

    @Test("stable matching fetching preferences a few at a time equals deferred acceptance over full lists")
    func stableInBatches() throws {
        for seed in 0..<10 {
            // More mentors than a batch, and more mentees than places: many propose far down their lists.
            let model = MatchingFixtures.randomModel(mentees: 90, mentors: 45, seed: 900 + UInt64(seed), rules: .init(minimumLevelGap: 1))
            let expected = Self.referenceStable(model)
            var engine = MatchingEngine(model: model)
            for batch in [1, 2, 32] {
                engine.preferenceBatch = batch
                let result = try engine.match(objective: .stable)
                #expect(result.mentorOfMentee == expected, "batch \(batch), seed \(seed)")
            }
        }
    }

    @Test("fair: no matching as large has a higher lowest score, and the total is the best at that lowest score")
    func fairAgainstTheDenseSolver() throws {
        for seed in 0..<8 {
            let model = MatchingFixtures.randomModel(mentees: 70, mentors: 50, seed: 700 + UInt64(seed), rules: .init(minimumLevelGap: 1), capacities: 1...2)
            let rows = model.mentees.count
            let columns = model.mentors.count
            let capacities = model.mentors.map(\.enrollment.capacity)
            // The best (count, total) over pairs that `keep` allows, from the dense solver directly.
            func best(keeping keep: (Double) -> Bool) -> (count: Int, total: Double) {
                var matrix = [Double](repeating: .nan, count: rows * columns)
                for i in 0..<rows {
                    for j in 0..<columns {
                        if let score = model.score(mentee: i, mentor: j), keep(score) { matrix[i * columns + j] = score }
                    }
                }
                let solution = matrix.withUnsafeBufferPointer {
                    AssignmentSolver.solve($0, rows: rows, columns: columns, options: .init(capacities: capacities))
                }
                return (solution.matchedCount, solution.total)
            }
            let target = best { _ in true }.count
            // Tiny candidate lists make the search go on over every pair.
            for perMentee in [1, 48] {
                var engine = MatchingEngine(model: model, denseLimit: 0)
                engine.candidatesPerMentee = perMentee
                let fair = try engine.match(objective: .fair)
                let lowest = try #require(fair.lowestScore)
                #expect(fair.pairs.count == target)
                #expect(best { $0 > lowest }.count < target, "a higher lowest score was possible, seed \(seed)")
                #expect(abs(best { $0 >= lowest }.total - fair.totalScore) < 1e-6, "seed \(seed)")
                #expect(fair.proof?.holds == true)
            }
        }
    }

    @Test("sparse candidate lists with the dual proof give the dense optimum")
    func sparseEqualsDense() throws {
        for seed in 0..<12 {
            let model = MatchingFixtures.randomModel(mentees: 120, mentors: 90, seed: 500 + UInt64(seed), rules: .init(minimumLevelGap: 1), capacities: 1...3)
            let dense = try MatchingEngine(model: model, denseLimit: .max).match()
            var sparseEngine = MatchingEngine(model: model, denseLimit: 0)
            sparseEngine.candidatesPerMentee = 2  // tiny lists force the proof to add candidates
            let sparse = try sparseEngine.match()
            #expect(sparse.pairs.count == dense.pairs.count)
            #expect(abs(sparse.totalScore - dense.totalScore) < 1e-6)
            #expect(sparse.proof?.holds == true)
            #expect(sparse.proof?.mode == "sparse")
            #expect(dense.proof?.holds == true)
            let total = try MatchingEngine(model: model, denseLimit: 0).match(objective: .total)
            let totalDense = try MatchingEngine(model: model, denseLimit: .max).match(objective: .total)
            #expect(abs(total.totalScore - totalDense.totalScore) < 1e-6)
        }
    }

    @Test("hard rules hold, including reporting chains many levels deep")
    func deepChains() throws {
        // A single chain 60 deep: everyone is above everyone below, so nobody in it may pair.
        var people: [PersonRecord] = []
        var entries: [EnrollmentsFile.Entry] = []
        for k in 0..<60 {
            people.append(
                PersonRecord(
                    employeeID: "C\(k)", email: "c\(k)@x.com", name: "C\(k)", department: "D\(k % 3)", managerID: k == 0 ? nil : "C\(k - 1)",
                    level: max(1, 15 - k / 4)))
        }
        people.append(PersonRecord(employeeID: "OUT", email: "out@x.com", name: "Outsider", department: "D9", level: 1))
        for k in 0..<30 {
            entries.append(.init(line: k + 2, enrollment: Enrollment(email: "c\(k)@x.com", role: .mentee, wants: [.init(skill: "ai", current: 0, target: 5)])))
        }
        for k in 30..<60 { entries.append(.init(line: k + 2, enrollment: Enrollment(email: "c\(k)@x.com", role: .mentor, offers: ["ai": 5], capacity: 3))) }
        entries.append(.init(line: 70, enrollment: Enrollment(email: "out@x.com", role: .mentor, offers: ["ai": 5], capacity: 2)))
        let model = try MatchingInput.build(directory: people, entries: entries).model
        for objective in MatchingObjective.allCases {
            let result = try MatchingEngine(model: model).match(objective: objective)
            #expect(Self.checkHardRules(model, result))
            #expect(result.pairs.allSatisfy { model.mentors[$0.mentor].enrollment.email == "out@x.com" })
            #expect(result.pairs.count == 2)
        }
        let result = try MatchingEngine(model: model).match()
        let unmatched = try #require(result.unmatched.first)
        #expect(model.whyUnmatched(mentee: unmatched, assignment: result.mentorOfMentee, objective: .participation).contains("at capacity"))
        // Without the outsider, the reason names the skill and the chain.
        let blocked = try MatchingInput.build(directory: people, entries: Array(entries.dropLast())).model
        #expect(blocked.whyUnmatched(mentee: 0, assignment: [], objective: .participation) == "the 30 mentors who offer 'ai' are all in your reporting chain")
    }

    @Test("avoid lists, exclusions, level gap and different-department rules are never broken")
    func rulesNeverBroken() throws {
        for seed in 0..<30 {
            var rules = MatchingRules(minimumLevelGap: 3, differentDepartmentOnly: seed % 2 == 0)
            rules.excludedPairs = [.init(mentee: "p0@example.com", mentor: "p40@example.com"), .init(mentee: "p1@example.com", mentor: "p41@example.com")]
            let model = MatchingFixtures.randomModel(mentees: 40, mentors: 30, seed: 900 + UInt64(seed), rules: rules, avoidChance: 0.4)
            for objective in MatchingObjective.allCases {
                let result = try MatchingEngine(model: model).match(objective: objective)
                #expect(Self.checkHardRules(model, result))
                for pair in result.pairs {
                    let mentee = model.mentees[pair.mentee]
                    let mentor = model.mentors[pair.mentor]
                    #expect(mentee.person.level - mentor.person.level >= 3)
                    #expect(!mentee.enrollment.avoid.contains(mentor.enrollment.email))
                    #expect(!mentor.enrollment.avoid.contains(mentee.enrollment.email))
                    #expect(!rules.excludedPairs.contains(.init(mentee: mentee.enrollment.email, mentor: mentor.enrollment.email)))
                    if rules.differentDepartmentOnly { #expect(mentee.person.department != mentor.person.department) }
                }
            }
        }
    }

    @Test("a locked pair the optimum would not choose is kept, and the rest is matched around it")
    func lockedPairs() throws {
        let model = MatchingFixtures.randomModel(mentees: 20, mentors: 12, seed: 77, rules: .init(minimumLevelGap: 1), capacities: 1...1)
        let optimum = try MatchingEngine(model: model).match()
        // Lock three mentees to allowed mentors the optimum gave to someone else (or to nobody).
        var keep: [(mentee: Int, mentor: Int)] = []
        var usedMentors = Set<Int>()
        for pair in optimum.pairs where keep.count < 3 {
            guard
                let other = model.mentors.indices.first(where: { j in
                    j != pair.mentor && !usedMentors.contains(j) && model.score(mentee: pair.mentee, mentor: j) != nil
                })
            else { continue }
            keep.append((pair.mentee, other))
            usedMentors.insert(other)
        }
        #expect(keep.count == 3)
        for pair in keep { #expect(optimum.mentorOfMentee[pair.mentee] != pair.mentor) }
        let again = try MatchingEngine(model: model).match(locked: keep)
        for pair in keep { #expect(again.mentorOfMentee[pair.mentee] == pair.mentor) }
        #expect(again.pairs.filter(\.locked).count == 3)
        #expect(again.totalScore <= optimum.totalScore + 1e-9)
        #expect(again.proof?.holds == true)
        #expect(Self.checkHardRules(model, again))
        #expect(throws: MatchingEngine.Problem.self) {
            try MatchingEngine(model: model).match(locked: [(mentee: keep[0].mentee, mentor: keep[0].mentor), (mentee: keep[1].mentee, mentor: keep[0].mentor)])
        }
    }

    @Test("the same input gives the same pairs")
    func deterministic() throws {
        let model = MatchingFixtures.randomModel(mentees: 60, mentors: 40, seed: 4, rules: .init(minimumLevelGap: 1))
        for objective in MatchingObjective.allCases {
            let first = try MatchingEngine(model: model).match(objective: objective)
            let second = try MatchingEngine(model: MatchingFixtures.randomModel(mentees: 60, mentors: 40, seed: 4, rules: .init(minimumLevelGap: 1))).match(
                objective: objective)
            #expect(first.mentorOfMentee == second.mentorOfMentee)
        }
    }
}
