import Fluent
import Foundation
import LeafKit
import UpwardCore
import Vapor

extension PeopleListPage {
    /// The page for one result of the people list: rows, filters kept, a window of page links.
    /// `result` comes from ``PeopleDirectory/search(_:)``, whose page is always within 1...pageCount;
    /// `rows` are its people rendered (``PeopleRows``), `filters` its ``Filters``.
    init(query: PeopleListQuery, result: Page<PeopleDirectory.Listing>, rows: String, filters: String, layout: LayoutContext) {
        let meta = result.metadata
        let pageCount = max(1, meta.pageCount)
        let page = min(max(1, meta.page), pageCount)
        let first = meta.total == 0 ? 0 : (page - 1) * meta.per + 1
        let last = min(meta.total, page * meta.per)
        // A window of pages around the current one, plus the first and last.
        let window = Set([1, pageCount] + Array(max(1, page - 2)...min(pageCount, page + 2)))
        var links: [PageLink] = []
        var previousNumber = 0
        for number in window.sorted() {
            if number - previousNumber > 1 { links.append(.init(label: "…", href: nil, current: false)) }
            links.append(.init(label: String(number), href: query.href(page: number), current: number == page))
            previousNumber = number
        }
        self.init(
            layout: layout,
            rows: rows,
            hasPeople: !result.items.isEmpty,
            query: query.text,
            filters: filters,
            includeLeavers: query.includeLeavers,
            total: meta.total,
            rangeText: meta.total == 0 ? "No people match" : "\(first)–\(last) of \(meta.total)",
            pages: pageCount > 1 ? links : [],
            previous: page > 1 ? query.href(page: page - 1) : nil,
            next: page < pageCount ? query.href(page: page + 1) : nil)
    }
}

extension PeopleListPage {
    /// The choices of the list's filters (`people-filters.leaf`): departments, levels, generations.
    struct Filters: LeafValues {
        let departments: [Option]
        let levels: [Option]
        let generations: [Option]

        init(facets: PeopleDirectory.Facets, query: PeopleListQuery) {
            departments = facets.departments.map { .init(value: $0, label: $0, selected: $0 == query.department) }
            levels = PersonRecord.levels.map { .init(value: String($0), label: String($0), selected: $0 == query.level) }
            generations = Generation.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == query.generation) }
        }

        var leafData: LeafData {
            leafFields(["departments": departments.leafArray, "levels": levels.leafArray, "generations": generations.leafArray])
        }

        /// The filters rendered: with nothing chosen, as the kept directory's facets rendered them
        /// once for its version (the list as it first opens, and every page of it).
        static func html(_ facets: PeopleDirectory.Facets, query: PeopleListQuery, req: Request) async throws -> String {
            let filters = Filters(facets: facets, query: query)
            if let kept = facets.rendered, query.department.isEmpty, query.level == nil, query.generation == nil {
                return try await kept.value { try await req.renderFragment("people-filters", filters) }
            }
            return try await req.renderFragment("people-filters", filters)
        }
    }
}

/// The people list's rows (`people-row.leaf`, one person). A person from the kept directory
/// (``DirectoryPeople``) carries their row, rendered by the first page that shows them and reused
/// while the directory is unchanged; a filtered page's people, read for it, are rendered together
/// (`people-rows.leaf`, the same row for each).
enum PeopleRows {
    static func html(_ people: [PeopleDirectory.Listing], req: Request) async throws -> String {
        let kept = people.compactMap { person in person.rendered.map { (person, $0) } }
        guard kept.count == people.count else {
            return try await req.renderFragment("people-rows", Rows(people: people.map(PersonSummary.init)))
        }
        var html = ""
        for (person, rendered) in kept {
            html += try await rendered.value { try await req.renderFragment("people-row", PersonSummary(person)) }
        }
        return html
    }

    struct Rows: LeafValues {
        let people: [PersonSummary]
        var leafData: LeafData { leafFields(["people": people.leafArray]) }
    }
}
