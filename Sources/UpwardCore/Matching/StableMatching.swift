/// Mentee-proposing deferred acceptance (Gale-Shapley) with mentor capacities.
/// Preferences come from the scores: higher is preferred; ties go to the lower index.
/// The result has no blocking pair: no mentee and mentor who both prefer each other
/// to what they have.
///
/// Memory stays within the candidate lists of the other objectives: no full preference lists.
/// Each mentee holds the next few mentors it will propose to, best first, and computes the
/// next batch (the best mentors ranked after the last one) only when those run out; a mentor
/// keeps the score of each mentee it holds, so no score is computed twice for a comparison.
enum StableMatching {
    /// A held proposal: the row and its score with the mentor.
    private struct Held {
        var row: Int
        var score: Double
    }

    /// `batch`: mentors fetched at a time from a mentee's preference list.
    static func solve(_ problem: SubProblem, batch: Int) -> [Int?] {
        let rows = problem.rows.count
        var upcoming = problem.candidateLists(perRow: batch, floor: -.infinity)
        var position = [Int](repeating: 0, count: rows)
        // The last mentor each row proposed to (score, mentor), for fetching the next batch.
        var last = [(score: Double, mentor: Int)?](repeating: nil, count: rows)
        var held = [[Held]](repeating: [], count: problem.model.mentors.count)
        var assignment = [Int?](repeating: nil, count: rows)
        var free = Array((0..<rows).reversed())

        // Mentor's view: is (a, score a) preferred to (b, score b)? Ties go to the lower mentee index.
        func prefers(_ a: Held, _ b: Held) -> Bool {
            a.score > b.score || (a.score == b.score && problem.rows[a.row] < problem.rows[b.row])
        }

        while let row = free.popLast() {
            if position[row] == upcoming[row].count {
                // A full batch ran out: fetch the next; a short one was the end of the list.
                guard upcoming[row].count == batch, let after = last[row] else { continue }
                upcoming[row] = problem.bestMentors(row: row, count: batch, floor: -.infinity, after: after)
                position[row] = 0
                guard !upcoming[row].isEmpty else { continue }  // has asked everyone: stays unmatched
            }
            let (mentor, score) = upcoming[row][position[row]]
            position[row] += 1
            last[row] = (score, mentor)
            guard problem.capacities[mentor] > 0 else {
                free.append(row)
                continue
            }
            let proposal = Held(row: row, score: score)
            if held[mentor].count < problem.capacities[mentor] {
                held[mentor].append(proposal)
                assignment[row] = mentor
                continue
            }
            // Full: the mentor keeps their favourites and releases the least preferred.
            var worstIndex = 0
            for k in 1..<held[mentor].count where prefers(held[mentor][worstIndex], held[mentor][k]) { worstIndex = k }
            let worst = held[mentor][worstIndex]
            if prefers(proposal, worst) {
                held[mentor][worstIndex] = proposal
                assignment[row] = mentor
                assignment[worst.row] = nil
                free.append(worst.row)
            } else {
                free.append(row)
            }
        }
        return assignment
    }
}
