/// Mentee-proposing deferred acceptance (Gale-Shapley) with mentor capacities.
/// Preferences come from the scores: higher is preferred; ties go to the lower index.
/// The result has no blocking pair: no mentee and mentor who both prefer each other
/// to what they have.
enum StableMatching {
    static func solve(_ problem: SubProblem) -> [Int?] {
        let model = problem.model
        let rows = problem.rows.count
        // Each row's acceptable mentors, best first.
        var preferences: [[(mentor: Int, score: Double)]] = []
        preferences.reserveCapacity(rows)
        problem.forEachRow { _, mentee in
            var list: [(mentor: Int, score: Double)] = []
            for j in 0..<model.mentors.count {
                if let score = model.score(mentee: mentee, mentor: j) { list.append((j, score)) }
            }
            list.sort { $0.score > $1.score || ($0.score == $1.score && $0.mentor < $1.mentor) }
            preferences.append(list)
        }
        var next = [Int](repeating: 0, count: rows)
        var held = [[Int]](repeating: [], count: model.mentors.count)  // rows each mentor holds
        var assignment = [Int?](repeating: nil, count: rows)
        var free = Array((0..<rows).reversed())
        // Mentor j prefers row a to row b.
        func prefers(_ j: Int, _ a: Int, _ b: Int) -> Bool {
            let sa = model.score(mentee: problem.rows[a], mentor: j)!
            let sb = model.score(mentee: problem.rows[b], mentor: j)!
            return sa > sb || (sa == sb && problem.rows[a] < problem.rows[b])
        }
        while let row = free.popLast() {
            guard next[row] < preferences[row].count else { continue }  // has asked everyone: stays unmatched
            let mentor = preferences[row][next[row]].mentor
            next[row] += 1
            guard problem.capacities[mentor] > 0 else {
                free.append(row)
                continue
            }
            if held[mentor].count < problem.capacities[mentor] {
                held[mentor].append(row)
                assignment[row] = mentor
                continue
            }
            // Full: the mentor keeps their favourites and releases the least preferred.
            var worstIndex = 0
            for k in 1..<held[mentor].count where prefers(mentor, held[mentor][worstIndex], held[mentor][k]) { worstIndex = k }
            let worst = held[mentor][worstIndex]
            if prefers(mentor, row, worst) {
                held[mentor][worstIndex] = row
                assignment[row] = mentor
                assignment[worst] = nil
                free.append(worst)
            } else {
                free.append(row)
            }
        }
        return assignment
    }
}
