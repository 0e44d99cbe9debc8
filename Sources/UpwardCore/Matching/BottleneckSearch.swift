import Dispatch

/// The "fair" objective's lowest score: the largest t such that as many mentees as the
/// participation optimum matches can still be matched using only pairs scoring at least t.
///
/// Scores are multiples of 10^-6 in [0, 100], so t is found exactly by bisection over that grid
/// (about 27 steps). Each step is a question of cardinality alone, answered by repairing the best
/// feasible matching so far: pairs below t are dropped and the freed mentees look for augmenting
/// paths (Kuhn's method with mentor capacities) over pairs at or above t.
///
/// The bisection first uses each mentee's candidate list, which is cheap; a threshold found that
/// way is feasible for certain. Only then is the next threshold up tried over every pair, which
/// either proves the answer or (rarely) finds a better one, and the bisection goes on over every pair.
struct BottleneckSearch {
    static let resolution = 1e6
    /// One above the grid point of the highest possible score (100): never feasible.
    static let beyond = Int((100 * resolution).rounded()) + 1

    let problem: SubProblem
    /// How many mentees must be matched.
    let target: Int
    /// The feasible matching with the highest lowest score found so far.
    private(set) var best: [Int?]
    /// Grid point of `best`'s lowest score (feasible) and a grid point known infeasible.
    private(set) var low: Int
    private(set) var high = Self.beyond

    init(problem: SubProblem, start: [Int?]) {
        self.problem = problem
        self.best = start
        self.target = start.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        self.low = 0
        self.low = Self.gridPoint(lowestScore(of: start))
    }

    static func gridPoint(_ score: Double) -> Int { Int((score * resolution).rounded()) }
    static func value(_ point: Int) -> Double { Double(point) / resolution }

    func score(_ row: Int, _ mentor: Int) -> Double? { problem.model.score(mentee: problem.rows[row], mentor: mentor) }

    func lowestScore(of assignment: [Int?]) -> Double {
        var lowest = Double.infinity
        for (row, mentor) in assignment.enumerated() {
            if let mentor, let score = score(row, mentor) { lowest = Swift.min(lowest, score) }
        }
        return lowest.isFinite ? lowest : 0
    }

    /// Runs the whole search and returns the largest feasible lowest score.
    mutating func largestFeasibleLowest(candidates: [[(column: Int, score: Double)]]) -> Double {
        // Over candidate lists: a threshold they can't reach may still be reachable over every pair.
        var candidateHigh = high
        while low + 1 < candidateHigh {
            let middle = (low + candidateHigh) / 2
            let threshold = Self.value(middle)
            if let found = repair(at: middle, neighbors: { row in candidates[row].prefix { $0.score >= threshold }.map(\.column) }) {
                accept(found)
            } else {
                candidateHigh = middle
            }
        }
        // Over every pair: the next grid point up either fails (the answer is proven) or works.
        while low + 1 < high {
            guard let found = repair(at: low + 1, neighbors: allPairs(at: Self.value(low + 1))) else {
                high = low + 1
                break
            }
            accept(found)
            while low + 1 < high {
                let middle = (low + high) / 2
                if let found = repair(at: middle, neighbors: allPairs(at: Self.value(middle))) { accept(found) } else { high = middle }
            }
        }
        return Self.value(low)
    }

    private mutating func accept(_ assignment: [Int?]) {
        best = assignment
        low = Self.gridPoint(lowestScore(of: assignment))
    }

    /// Every mentor scoring at least `threshold` with a row, found by scanning all mentors once
    /// per row reached (a mentor whose score bound is below the threshold is skipped unscored).
    func allPairs(at threshold: Double) -> @Sendable (Int) -> [Int] {
        let model = problem.model
        let rows = problem.rows
        return { row in
            let mentee = rows[row]
            return model.mentors.indices.filter { j in
                guard model.scoreUpperBound(mentee: mentee, mentor: j) >= threshold, let score = model.score(mentee: mentee, mentor: j) else {
                    return false
                }
                return score >= threshold
            }
        }
    }

    /// `best` without its pairs below the grid point `point`, grown back to `target` pairs over
    /// pairs at or above it; nil when that many can't be matched there.
    func repair(at point: Int, neighbors listNeighbors: @escaping @Sendable (Int) -> [Int]) -> [Int?]? {
        let threshold = Self.value(point)
        let capacity = problem.capacities
        var assignment = best
        var held = [[Int]](repeating: [], count: capacity.count)
        var matched = 0
        for (row, mentor) in assignment.enumerated() {
            guard let mentor else { continue }
            if let score = score(row, mentor), score >= threshold {
                held[mentor].append(row)
                matched += 1
            } else {
                assignment[row] = nil
            }
        }
        if matched == target { return assignment }

        var cache: [Int: [Int]] = [:]
        // Rows waiting in the queue get their pairs listed together, on all cores.
        func prefetch(_ waiting: ArraySlice<Int>) {
            let missing = Array(Set(waiting.filter { cache[$0] == nil }))
            guard missing.count > 1 else { return }
            var found = [[Int]](repeating: [], count: missing.count)
            found.withUnsafeMutableBufferPointer { buffer in
                // Each iteration writes only its own slot.
                nonisolated(unsafe) let out = buffer
                DispatchQueue.concurrentPerform(iterations: missing.count) { k in out[k] = listNeighbors(missing[k]) }
            }
            for (row, list) in zip(missing, found) { cache[row] = list }
        }
        func neighbors(_ row: Int) -> [Int] {
            if let known = cache[row] { return known }
            let found = listNeighbors(row)
            cache[row] = found
            return found
        }
        // A mentor reached in a search that failed stays ruled out until the matching changes.
        var visited = [Int](repeating: -1, count: capacity.count)
        var stamp = 0
        var reachedFrom = [Int](repeating: -1, count: capacity.count)
        var queue: [Int] = []
        for source in assignment.indices where assignment[source] == nil {
            if matched == target { break }
            queue.removeAll(keepingCapacity: true)
            queue.append(source)
            var sink = -1
            var head = 0
            var prefetched = 0
            search: while head < queue.count {
                if head >= prefetched {
                    prefetch(queue[head...])
                    prefetched = queue.count
                }
                let row = queue[head]
                head += 1
                for mentor in neighbors(row) where visited[mentor] != stamp && capacity[mentor] > 0 {
                    visited[mentor] = stamp
                    reachedFrom[mentor] = row
                    if held[mentor].count < capacity[mentor] {
                        sink = mentor
                        break search
                    }
                    queue.append(contentsOf: held[mentor])
                }
            }
            guard sink >= 0 else { continue }
            // Flip the path: each row moves to the mentor it reached, leaving the one it was held by.
            var mentor = sink
            while true {
                let row = reachedFrom[mentor]
                let previous = assignment[row]
                assignment[row] = mentor
                held[mentor].append(row)
                if let previous { held[previous].removeAll { $0 == row } }
                guard let previous, row != source else { break }
                mentor = previous
            }
            matched += 1
            stamp += 1
        }
        return matched == target ? assignment : nil
    }
}
