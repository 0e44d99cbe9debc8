import Foundation
import Leaf
import Testing
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    /// The pages built as Leaf's values directly (``LeafValues``) must hold exactly what their
    /// `Encodable` form holds, or a template reads a key that is not there and renders nothing.
    @Suite("Leaf values")
    struct LeafValuesTests {
        /// A value as JSON holds it: the same shape for an encoded value and for `LeafData`.
        indirect enum Shape: Decodable, Equatable, CustomStringConvertible {
            case bool(Bool), int(Int), double(Double), string(String), array([Shape]), dictionary([String: Shape])

            init(from decoder: any Decoder) throws {
                if let keyed = try? decoder.container(keyedBy: Key.self) {
                    var fields: [String: Shape] = [:]
                    for key in keyed.allKeys { fields[key.stringValue] = try keyed.decode(Shape.self, forKey: key) }
                    self = .dictionary(fields)
                } else if var list = try? decoder.unkeyedContainer() {
                    var items: [Shape] = []
                    while !list.isAtEnd { items.append(try list.decode(Shape.self)) }
                    self = .array(items)
                } else {
                    let single = try decoder.singleValueContainer()
                    if let value = try? single.decode(Bool.self) {
                        self = .bool(value)
                    } else if let value = try? single.decode(Int.self) {
                        self = .int(value)
                    } else if let value = try? single.decode(Double.self) {
                        self = .double(value)
                    } else {
                        self = .string(try single.decode(String.self))
                    }
                }
            }

            init?(_ data: LeafData) {
                if data.isNil { return nil }
                switch data.celf {
                case .bool: self = .bool(data.bool!)
                case .int: self = .int(data.int!)
                case .double: self = .double(data.double!)
                case .string: self = .string(data.string!)
                case .array: self = .array(data.array!.compactMap(Shape.init))
                case .dictionary: self = .dictionary(data.dictionary!.compactMapValues(Shape.init))
                default: return nil
                }
            }

            struct Key: CodingKey {
                let stringValue: String
                init(stringValue: String) { self.stringValue = stringValue }
                var intValue: Int? { nil }
                init?(intValue: Int) { nil }
            }

            var description: String {
                switch self {
                case .bool(let value): "\(value)"
                case .int(let value): "\(value)"
                case .double(let value): "\(value)"
                case .string(let value): "\"\(value)\""
                case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
                case .dictionary(let fields): "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
                }
            }
        }

        func expectSame(_ value: some LeafValues, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let encoded = try JSONDecoder().decode(Shape.self, from: try JSONEncoder().encode(value))
            #expect(Shape(value.leafData) == encoded, sourceLocation: sourceLocation)
        }

        func person(title: String?, location: String?, hasLeft: Bool) -> PersonSummary {
            PersonSummary(
                id: "A", href: "/admin/people/A", employeeID: "E1", name: "Ada Lovelace", email: "ada@example.com", title: title, department: "R&D",
                level: 7, generation: title == nil ? nil : "Gen Z", location: location, hasLeft: hasLeft)
        }

        @Test("each page's Leaf values match its encoded form, with optional values present and absent")
        func sameAsEncoded() async throws {
            try await withUpward { app in
                let request = Request(application: app, method: .GET, url: URI(path: "/programs"), on: app.eventLoopGroup.any())
                let anonymous = LayoutContext(request, title: "Sign in")
                try expectSame(anonymous)
                request.auth.login(User(id: UUID(), email: "pm@example.com", name: "Pat Manager", passwordHash: "", role: .admin))
                let layout = LayoutContext(request, title: "Programs")
                #expect(layout.nav.contains { $0.active })
                try expectSame(layout)
                let card = ParticipantPages.PartnerCard(
                    pairHref: "/pairs/1", name: "Sam", role: "mentor", title: "VP", department: "Sales", status: "Live", live: true,
                    reasons: ["AI", "Social media"])
                var home = HomePage(layout: layout, firstName: "Pat", isAdmin: false)
                try expectSame(home)
                var figures = HomePage.Figures()
                try expectSame(figures)
                figures.stats = [.init(label: "People", value: "10", hint: "2 have left"), .init(label: "Levels", value: "4", hint: nil)]
                figures.departments = HomePage.bars([("Sales", 4), ("R&D", 1)])
                figures.generations = HomePage.bars([("Gen Z", 2)])
                try expectSame(figures)
                home.figures = "<section>figures</section>"
                home.person = person(title: "Engineer", location: "Lyon", hasLeft: false)
                home.programs = [
                    .init(name: "AI", href: "/programs/1", status: "live", statusLabel: "Live", role: "mentee", partners: [card], missing: ["Training"])
                ]
                try expectSame(home)
                let list = PeopleListPage(
                    layout: layout, rows: "<tr><td>Ada</td></tr>", hasPeople: true,
                    query: "ada", filters: "<option>Sales</option>",
                    includeLeavers: true, total: 2, rangeText: "1–2 of 2", pages: [.init(label: "…", href: nil, current: false)], previous: nil,
                    next: "/admin/people?page=2")
                try expectSame(list)
                var query = PeopleListQuery()
                query.department = "Sales"
                try expectSame(PeopleListPage.Filters(facets: .init(departments: ["R&D", "Sales"], total: 2), query: query))
                try expectSame(
                    PeopleRows.Rows(people: [person(title: nil, location: nil, hasLeft: true), person(title: "CEO", location: "Paris", hasLeft: false)]))
            }
        }
    }
}
