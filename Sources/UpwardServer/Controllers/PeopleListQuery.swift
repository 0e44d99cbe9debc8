import Fluent
import Foundation
import UpwardCore
import Vapor

/// The people list's filters, read from the URL and validated.
struct PeopleListQuery {
    var text = ""
    var department = ""
    var level: Int?
    var generation: Generation?
    var includeLeavers = false
    var page = 1
    static let perPage = 25

    struct Raw: Decodable {
        var q: String?
        var department: String?
        var level: String?
        var generation: String?
        var leavers: String?
        var page: String?
    }

    static func parse(_ req: Request) throws -> PeopleListQuery {
        let raw = try req.query.decode(Raw.self)
        var query = PeopleListQuery()
        query.text = raw.q?.trimmingCharacters(in: .whitespaces) ?? ""
        query.department = raw.department ?? ""
        if let level = raw.level, !level.isEmpty {
            guard let value = Int(level), PersonRecord.levels.contains(value) else {
                throw Abort(.badRequest, reason: "level must be a whole number from 1 to 15, not \"\(level)\".")
            }
            query.level = value
        }
        if let generation = raw.generation, !generation.isEmpty {
            guard let value = Generation(parsing: generation) else {
                throw Abort(.badRequest, reason: "generation must be one of \(Generation.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            query.generation = value
        }
        query.includeLeavers = ["1", "on", "true"].contains(raw.leavers ?? "")
        if let page = raw.page, !page.isEmpty {
            guard let value = Int(page), value >= 1 else {
                throw Abort(.badRequest, reason: "page must be a whole number of 1 or more, not \"\(page)\".")
            }
            query.page = value
        }
        return query
    }

    var directoryQuery: PeopleDirectory.Query {
        PeopleDirectory.Query(
            text: text, department: department, level: level, generation: generation,
            includeLeavers: includeLeavers, page: page, perPage: Self.perPage)
    }

    /// The list URL with these filters and another page number.
    func href(page: Int) -> String {
        var items: [URLQueryItem] = []
        if !text.isEmpty { items.append(.init(name: "q", value: text)) }
        if !department.isEmpty { items.append(.init(name: "department", value: department)) }
        if let level { items.append(.init(name: "level", value: String(level))) }
        if let generation { items.append(.init(name: "generation", value: generation.rawValue)) }
        if includeLeavers { items.append(.init(name: "leavers", value: "1")) }
        if page > 1 { items.append(.init(name: "page", value: String(page))) }
        var components = URLComponents()
        components.path = SitePath.people
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? SitePath.people
    }

    func page(for result: Page<Person>, facets: PeopleDirectory.Facets, layout: LayoutContext) -> PeopleListPage {
        let meta = result.metadata
        let pageCount = max(1, meta.pageCount)
        let first = meta.total == 0 ? 0 : (meta.page - 1) * meta.per + 1
        let last = min(meta.total, meta.page * meta.per)
        // Show a window of pages around the current one, plus the first and last.
        let window = Set([1, pageCount] + Array(max(1, page - 2)...min(pageCount, page + 2)))
        var links: [PeopleListPage.PageLink] = []
        var previousNumber = 0
        for number in window.sorted() {
            if number - previousNumber > 1 { links.append(.init(label: "…", href: nil, current: false)) }
            links.append(.init(label: String(number), href: href(page: number), current: number == page))
            previousNumber = number
        }
        return PeopleListPage(
            layout: layout,
            people: result.items.map(PersonSummary.init),
            query: text,
            departments: facets.departments.map { .init(value: $0, label: $0, selected: $0 == department) },
            levels: PersonRecord.levels.map { .init(value: String($0), label: String($0), selected: $0 == level) },
            generations: Generation.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == generation) },
            includeLeavers: includeLeavers,
            total: meta.total,
            rangeText: meta.total == 0 ? "No people match" : "\(first)–\(last) of \(meta.total)",
            pages: pageCount > 1 ? links : [],
            previous: page > 1 ? href(page: page - 1) : nil,
            next: page < pageCount ? href(page: page + 1) : nil)
    }
}
