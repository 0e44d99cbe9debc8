/// The reporting lines of an organization: who reports to whom, and every
/// person's chain of managers up to the top.
///
/// Built once, it answers "is A anywhere above or below B" in O(1) per chain entry,
/// and hands each person's chain as a path that storage can index.
public struct ReportingTree: Sendable {
    /// Each person's managers, from their direct manager up to the top of the organization.
    public private(set) var ancestors: [String: [String]] = [:]
    /// Person ids ordered so that every manager comes before the people who report to them.
    public private(set) var topologicalOrder: [String] = []

    public enum Problem: Hashable, Sendable {
        /// `person` names a manager who is not in the directory.
        case unknownManager(person: String, manager: String)
        /// These people's reporting lines loop back on themselves, in this order.
        case cycle([String])
        /// `person` is `depth` levels below the top, deeper than ``ReportingTree/maximumDepth``.
        case tooDeep(person: String, depth: Int)
    }

    /// No organization has reporting lines this deep; refusing deeper ones keeps every
    /// stored chain (and this tree) small: at most this many managers per person.
    public static let maximumDepth = 50

    /// Builds the tree from `manager` links (person id to manager id, absent at the top).
    /// Reports every unknown manager and every cycle instead of building a broken tree.
    public init(managers: [String: String?]) throws(ReportingTreeError) {
        var problems: [Problem] = []
        for person in managers.keys.sorted() {
            if let manager = managers[person] ?? nil, managers[manager] == nil {
                problems.append(.unknownManager(person: person, manager: manager))
            }
        }
        // Walk up from each person, colouring nodes: 1 = on the current path, 2 = finished.
        var state: [String: UInt8] = [:]
        state.reserveCapacity(managers.count)
        var order: [String] = []
        order.reserveCapacity(managers.count)
        for start in managers.keys.sorted() where state[start] == nil {
            var path: [String] = []
            var current: String? = start
            while let node = current, state[node] == nil {
                state[node] = 1
                path.append(node)
                current = managers[node] ?? nil
                if let next = current, managers[next] == nil { current = nil }  // unknown manager, reported above
            }
            if let node = current, state[node] == 1, let loopStart = path.firstIndex(of: node) {
                problems.append(.cycle(Array(path[loopStart...])))
            }
            for node in path.reversed() {
                state[node] = 2
                order.append(node)
            }
        }
        guard problems.isEmpty else { throw ReportingTreeError(problems: problems) }

        // `order` lists managers before reports. Depths first, in O(people), so a file with an
        // absurdly deep line is refused before any chain is built.
        var depth: [String: Int] = [:]
        depth.reserveCapacity(managers.count)
        for person in order {
            let level = (managers[person] ?? nil).map { depth[$0]! + 1 } ?? 0
            depth[person] = level
            // Report the first person past the limit on each line, not everyone below them.
            if level == Self.maximumDepth + 1 { problems.append(.tooDeep(person: person, depth: level)) }
        }
        guard problems.isEmpty else { throw ReportingTreeError(problems: Array(problems.prefix(20))) }

        // Build each chain from its manager's chain.
        var ancestors: [String: [String]] = [:]
        ancestors.reserveCapacity(managers.count)
        for person in order {
            if let manager = managers[person] ?? nil {
                ancestors[person] = [manager] + ancestors[manager]!
            } else {
                ancestors[person] = []
            }
        }
        self.ancestors = ancestors
        self.topologicalOrder = order
    }

    /// Whether `manager` is anywhere above `person` in the reporting lines.
    public func isAbove(_ manager: String, _ person: String) -> Bool {
        ancestors[person]?.contains(manager) ?? false
    }

    /// Whether one of the two is anywhere above the other: they share a reporting chain.
    public func inSameChain(_ a: String, _ b: String) -> Bool {
        isAbove(a, b) || isAbove(b, a)
    }

    /// The number of managers above `person` (0 at the top).
    public func depth(of person: String) -> Int { ancestors[person]?.count ?? 0 }
}

public struct ReportingTreeError: Error, Sendable {
    public let problems: [ReportingTree.Problem]
}
