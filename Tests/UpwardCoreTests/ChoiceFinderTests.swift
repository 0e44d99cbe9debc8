import Testing

@testable import UpwardCore

@Suite("Choice finder")
struct ChoiceFinderTests {
    let people = ["Zoë Ødegård (Design, level 3)", "Sam Senior (Sales, level 12)", "Noa Zoe (Sales, level 2)", "Kai Sales (Finance, level 5)"]

    @Test("Finds by any part of the label, ignoring case and accents, in the list's order, and counts what matched")
    func finds() throws {
        let finder = try #require(ChoiceFinder("  ZOE ", limit: 10))
        let found = finder.find(people) { $0 }
        #expect(found.shown == [people[0], people[2]] && found.matched == 2 && found.total == 4 && !found.isCut)
        #expect(finder.text == "ZOE")
        #expect(try #require(ChoiceFinder("sales", limit: 10)).find(people) { $0 }.shown == Array(people[1...3]))
        #expect(try #require(ChoiceFinder("nobody", limit: 10)).find(people) { $0 }.shown.isEmpty)
    }

    @Test("Keeps at most the limit, says the list was cut, and refuses a text over 100 characters")
    func limits() throws {
        let all = try #require(ChoiceFinder(nil, limit: 2)).find(people) { $0 }
        #expect(all.shown == Array(people[0..<2]) && all.matched == 4 && all.isCut)
        let sales = try #require(ChoiceFinder("sales", limit: 2)).find(people) { $0 }
        #expect(sales.shown == Array(people[1...2]) && sales.matched == 3 && sales.isCut)
        #expect(ChoiceFinder(String(repeating: "a", count: 100), limit: 2) != nil)
        #expect(ChoiceFinder(String(repeating: "a", count: 101), limit: 2) == nil)
    }
}
