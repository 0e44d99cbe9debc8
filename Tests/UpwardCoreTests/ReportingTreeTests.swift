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

    @Test("a deep chain of 5,000 levels builds without recursion limits")
    func deepChain() throws {
        var managers: [String: String?] = ["p0": nil]
        for i in 1..<5000 { managers["p\(i)"] = "p\(i - 1)" }
        let deep = try ReportingTree(managers: managers)
        #expect(deep.isAbove("p0", "p4999"))
        #expect(deep.depth(of: "p4999") == 4999)
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
