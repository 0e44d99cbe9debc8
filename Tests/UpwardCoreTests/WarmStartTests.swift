import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("Warm-started matching")
struct WarmStartTests {
    /// A program being edited the way a program manager does between runs.
    struct Program {
        var mentees: [CompatibilityModel.Participant]
        var mentors: [CompatibilityModel.Participant]
        var rules: MatchingRules
        var weights = ScoringWeights()
        var locked: [(mentee: String, mentor: String)] = []

        init(_ model: CompatibilityModel) {
            mentees = model.mentees
            mentors = model.mentors
            rules = model.rules
        }

        var model: CompatibilityModel {
            CompatibilityModel(mentees: mentees, mentors: mentors, directory: (mentees + mentors).map(\.person), weights: weights, rules: rules)
        }

        func lockedIndices(_ model: CompatibilityModel) -> [(mentee: Int, mentor: Int)] {
            let menteeIndex = Dictionary(uniqueKeysWithValues: model.mentees.enumerated().map { ($1.enrollment.email, $0) })
            let mentorIndex = Dictionary(uniqueKeysWithValues: model.mentors.enumerated().map { ($1.enrollment.email, $0) })
            return locked.compactMap { pair in menteeIndex[pair.mentee].flatMap { i in mentorIndex[pair.mentor].map { (i, $0) } } }
        }

        static func with(_ participant: CompatibilityModel.Participant, _ change: (inout Enrollment) -> Void) -> CompatibilityModel.Participant {
            var enrollment = participant.enrollment
            change(&enrollment)
            return .init(person: participant.person, enrollment: enrollment, line: participant.line)
        }
    }

    /// One random edit; returns what it did, for failure messages.
    static func edit(_ program: inout Program, last: MatchingEngine.Result, model: CompatibilityModel, random: inout SeededGenerator) -> String {
        let email = { (i: Int) in model.mentees[i].enrollment.email }
        let mentorEmail = { (j: Int) in model.mentors[j].enrollment.email }
        switch Int.random(in: 0..<9, using: &random) {
        case 0, 1:
            // Lock an allowed pair the optimum did not choose, if the mentor has a free slot among locks.
            let lockedMentees = Set(program.locked.map(\.mentee))
            for _ in 0..<50 {
                let i = Int.random(in: 0..<model.mentees.count, using: &random)
                let j = Int.random(in: 0..<model.mentors.count, using: &random)
                let locksOnMentor = program.locked.count { $0.mentor == mentorEmail(j) }
                guard !lockedMentees.contains(email(i)), last.mentorOfMentee[i] != j, model.score(mentee: i, mentor: j) != nil,
                    locksOnMentor < model.mentors[j].enrollment.capacity
                else { continue }
                program.locked.append((email(i), mentorEmail(j)))
                return "lock \(email(i)) – \(mentorEmail(j))"
            }
            return "no lock possible"
        case 2:
            guard !program.locked.isEmpty else { return "nothing to unlock" }
            let removed = program.locked.remove(at: Int.random(in: 0..<program.locked.count, using: &random))
            return "unlock \(removed.mentee)"
        case 3, 4:
            // Exclude a pair the last run made (as a decline or a rematch would).
            let made = last.pairs.filter { !$0.locked }
            guard let pair = made.randomElement(using: &random) else { return "nothing to exclude" }
            program.rules.excludedPairs.insert(.init(mentee: email(pair.mentee), mentor: mentorEmail(pair.mentor)))
            return "exclude \(email(pair.mentee)) – \(mentorEmail(pair.mentor))"
        case 5:
            guard let lifted = program.rules.excludedPairs.sorted(by: { $0.mentee + $0.mentor < $1.mentee + $1.mentor }).first else {
                return "no exclusion to lift"
            }
            program.rules.excludedPairs.remove(lifted)
            return "lift exclusion of \(lifted.mentee)"
        case 6:
            // A mentee rewrites their answers to fit a mentor they weren't given (that pair's score jumps).
            let i = Int.random(in: 0..<model.mentees.count, using: &random)
            let allowed = model.mentors.indices.filter { model.score(mentee: i, mentor: $0) != nil && last.mentorOfMentee[i] != $0 }
            guard let j = allowed.randomElement(using: &random) else { return "no mentor to fit" }
            let mentor = model.mentors[j].enrollment
            guard let k = program.mentees.firstIndex(where: { $0.enrollment.email == email(i) }) else { return "mentee gone" }
            program.mentees[k] = Program.with(program.mentees[k]) {
                $0.wants = mentor.offers.keys.sorted().map { .init(skill: $0, current: 0, target: 5) }
                $0.interests = mentor.interests
                $0.style = mentor.style
            }
            return "answers of \(email(i)) fit \(mentorEmail(j))"
        case 7:
            // A mentor takes one more or one fewer mentee.
            let j = Int.random(in: 0..<program.mentors.count, using: &random)
            let locks = program.locked.count { $0.mentor == program.mentors[j].enrollment.email }
            let capacity = max(max(1, locks), program.mentors[j].enrollment.capacity + (Bool.random(using: &random) ? 1 : -1))
            program.mentors[j] = Program.with(program.mentors[j]) { $0.capacity = capacity }
            return "capacity of \(program.mentors[j].enrollment.email) to \(capacity)"
        default:
            // Someone leaves the program (not a locked one), or a leaver comes back as a new mentee.
            let lockedEmails = Set(program.locked.flatMap { [$0.mentee, $0.mentor] })
            if Bool.random(using: &random), program.mentees.count > 2 {
                let i = Int.random(in: 0..<program.mentees.count, using: &random)
                guard !lockedEmails.contains(program.mentees[i].enrollment.email) else { return "locked mentee stays" }
                return "\(program.mentees.remove(at: i).enrollment.email) leaves"
            }
            let j = Int.random(in: 0..<program.mentors.count, using: &random)
            guard !lockedEmails.contains(program.mentors[j].enrollment.email), program.mentors.count > 2 else { return "locked mentor stays" }
            return "\(program.mentors.remove(at: j).enrollment.email) leaves"
        }
    }

    @Test("warm-started re-runs equal cold runs, with the proof holding, over many random edits")
    func warmEqualsCold() throws {
        var warmRuns = 0
        for seed: UInt64 in 0..<16 {
            let first = MatchingFixtures.randomModel(
                mentees: 70 + Int(seed % 3) * 20, mentors: 50, seed: 900 + seed, rules: .init(minimumLevelGap: 1), capacities: 1...3)
            var program = Program(first)
            var random = SeededGenerator(seed: 77 + seed)
            var engine = MatchingEngine(model: first, denseLimit: 0)
            engine.candidatesPerMentee = Int(seed % 3) * 4 + 2  // short lists make the proof add candidates
            let objective: MatchingObjective = [.participation, .participation, .fair, .total][Int(seed % 4)]
            var last = try engine.match(objective: objective)
            var state = try #require(last.state)
            var model = first
            for step in 0..<8 {
                let what = Self.edit(&program, last: last, model: model, random: &random)
                model = program.model
                let locked = program.lockedIndices(model)
                var warmEngine = MatchingEngine(model: model, denseLimit: 0)
                warmEngine.candidatesPerMentee = engine.candidatesPerMentee
                let warm = try warmEngine.match(objective: objective, locked: locked, state: state)
                let cold = try MatchingEngine(model: model, denseLimit: .max).match(objective: objective, locked: locked)
                let context = "seed \(seed) step \(step): \(what)"
                #expect(warm.pairs.count == cold.pairs.count, "\(context)")
                #expect(abs(warm.totalScore - cold.totalScore) < 1e-6, "\(context): warm \(warm.totalScore), cold \(cold.totalScore)")
                #expect(warm.lowestScore == cold.lowestScore || objective != .fair, "\(context): lowest \(warm.lowestScore ?? -1) vs \(cold.lowestScore ?? -1)")
                #expect(warm.proof?.holds == true, "\(context): \(warm.proof?.certificate.description ?? "no proof")")
                #expect(warm.proof?.warmStart == true, "\(context)")
                #expect(Set(locked.map(\.mentee)).allSatisfy { i in warm.mentorOfMentee[i] == locked.first { $0.mentee == i }?.mentor })
                if warm.proof?.warmStart == true { warmRuns += 1 }
                last = warm
                state = try #require(warm.state, "\(context)")
            }
        }
        #expect(warmRuns == 16 * 8)
    }

    @Test("a re-run after one exclusion repairs a few rows and checks a fraction of the pairs")
    func reRunRepairsOnlyWhatChanged() throws {
        let model = MatchingFixtures.randomModel(mentees: 300, mentors: 260, seed: 4242, rules: .init(minimumLevelGap: 1), capacities: 1...2)
        let cold = try MatchingEngine(model: model, denseLimit: 0).match()
        let coldProof = try #require(cold.proof)
        #expect(coldProof.augmentedRows == 300)
        var program = Program(model)
        let pair = try #require(cold.pairs.first)
        program.rules.excludedPairs.insert(.init(mentee: model.mentees[pair.mentee].enrollment.email, mentor: model.mentors[pair.mentor].enrollment.email))
        let edited = program.model
        let warm = try MatchingEngine(model: edited, denseLimit: 0).match(state: cold.state)
        let warmProof = try #require(warm.proof)
        #expect(warmProof.warmStart)
        #expect(warmProof.holds)
        #expect(warm.mentorOfMentee[pair.mentee] != pair.mentor)
        #expect(
            warmProof.augmentedRows < 30,
            "augmented \(warmProof.augmentedRows), repaired \(warmProof.repairedColumns), rounds \(warmProof.rounds) cold rounds \(coldProof.rounds)")
        #expect(warmProof.checkedPairs * 4 < coldProof.checkedPairs, "checked \(warmProof.checkedPairs) of \(coldProof.checkedPairs)")
        let reference = try MatchingEngine(model: edited, denseLimit: .max).match()
        #expect(abs(warm.totalScore - reference.totalScore) < 1e-6)
        #expect(warm.pairs.count == reference.pairs.count)
    }

    @Test("a state from other weights or another objective is not used, and the run is still exact")
    func foreignStateIsIgnored() throws {
        let model = MatchingFixtures.randomModel(mentees: 60, mentors: 40, seed: 31, rules: .init(minimumLevelGap: 1), capacities: 1...2)
        let first = try MatchingEngine(model: model, denseLimit: 0).match()
        var program = Program(model)
        program.weights = try ScoringWeights.parse(Data(#"{"goals": 5, "interests": 0}"#.utf8))
        let reweighted = program.model
        let rerun = try MatchingEngine(model: reweighted, denseLimit: 0).match(state: first.state)
        #expect(rerun.proof?.warmStart == false)
        #expect(rerun.proof?.holds == true)
        let reference = try MatchingEngine(model: reweighted, denseLimit: .max).match()
        #expect(abs(rerun.totalScore - reference.totalScore) < 1e-6)
        // participation's duals mean nothing to total (no bonus for matching more).
        let total = try MatchingEngine(model: model, denseLimit: 0).match(objective: .total, state: first.state)
        #expect(total.proof?.warmStart == false)
    }

    @Test("the state round-trips through JSON")
    func stateRoundTrips() throws {
        let model = MatchingFixtures.randomModel(mentees: 40, mentors: 30, seed: 5, rules: .init(minimumLevelGap: 1))
        let state = try #require(try MatchingEngine(model: model, denseLimit: 0).match().state)
        let decoded = try JSONDecoder().decode(MatchingState.self, from: try JSONEncoder().encode(state))
        #expect(decoded == state)
    }
}
