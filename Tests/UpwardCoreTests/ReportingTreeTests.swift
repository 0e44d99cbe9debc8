import Testing
import UpwardCore

@Suite("Reporting lines")
struct ReportingTreeTests {
    let tree = try! ReportingTree(managers: ["ceo": nil, "head": "ceo", "lead": "head", "dev": "lead", "other": "ceo"])

    @Test("a manager anywhere above is found, at any depth, in both directions")
    func chainQueries() {
        #expect(tree.isAbove("ceo", "dev"))
        #expect(tree.isAbove("head", "dev"))
        #expect(!tree.isAbove("dev", "head"))
        #expect(tree.inSameChain("dev", "ceo"))
        #expect(tree.inSameChain("ceo", "dev"))
        #expect(!tree.inSameChain("dev", "other"))
        #expect(!tree.inSameChain("head", "other"))
        #expect(tree.ancestors["dev"] == ["lead", "head", "ceo"])
        #expect(tree.depth(of: "dev") == 3)
    }

    @Test("managers always come before their reports")
    func topologicalOrder() {
        let position = Dictionary(uniqueKeysWithValues: tree.topologicalOrder.enumerated().map { ($1, $0) })
        #expect(position["ceo"]! < position["head"]!)
        #expect(position["head"]! < position["lead"]!)
        #expect(position["lead"]! < position["dev"]!)
        #expect(tree.topologicalOrder.count == 5)
    }

    @Test("a chain at the depth limit builds; a 20,000-deep chain is refused by name, without building any chain")
    func deepChain() throws {
        var managers: [String: String?] = ["p0": nil]
        for i in 1...ReportingTree.maximumDepth { managers["p\(i)"] = "p\(i - 1)" }
        let deepest = "p\(ReportingTree.maximumDepth)"
        let tree = try ReportingTree(managers: managers)
        #expect(tree.isAbove("p0", deepest))
        #expect(tree.depth(of: deepest) == ReportingTree.maximumDepth)

        // 20,000 levels would hold 200 million chain entries; it is refused in linear time.
        for i in 1..<20_000 { managers["p\(i)"] = "p\(i - 1)" }
        do {
            _ = try ReportingTree(managers: managers)
            Issue.record("a 20,000-deep chain was accepted")
        } catch {
            #expect(error.problems == [.tooDeep(person: "p\(ReportingTree.maximumDepth + 1)", depth: ReportingTree.maximumDepth + 1)])
        }
    }

    @Test("cycles and unknown managers are all reported")
    func problems() {
        do {
            _ = try ReportingTree(managers: ["a": "b", "b": "a", "c": "zz", "d": "d2", "d2": "d"])
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.contains(.unknownManager(person: "c", manager: "zz")))
            let cycles = error.problems.compactMap { if case .cycle(let members) = $0 { Set(members) } else { nil } }
            #expect(Set(cycles) == [["a", "b"], ["d", "d2"]])
        }
    }
}
