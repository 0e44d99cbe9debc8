import Leaf
import LeafKit
import NIOConcurrencyHelpers
import Vapor

/// A page's values built directly as Leaf's values, for the pages every request renders (the
/// layout, the home page, the people list).
///
/// Leaf's `Codable` encoder walks each value through keyed containers, boxes and generic metadata
/// lookups: on a participant's home page that was 6% of the request's CPU, and more on the people
/// list's fifty rows. The encoder takes `leafData` as it is for any nested value that conforms, so
/// a conforming type is fast inside every page, and ``Request/render(_:_:)`` skips the encoder for
/// a whole page.
///
/// `leafData` must hold what the synthesized `Encodable` form holds (a nil optional leaves its key
/// out); `LeafValuesTests` compares the two for each conforming type.
protocol LeafValues: Encodable, LeafDataRepresentable {}

/// A template's fields, a nil value leaving its key out as `encodeIfPresent` does.
func leafFields(_ fields: KeyValuePairs<String, LeafData?>) -> LeafData {
    var dictionary: [String: LeafData] = [:]
    dictionary.reserveCapacity(fields.count)
    for (key, value) in fields {
        if let value { dictionary[key] = value }
    }
    return .dictionary(dictionary)
}

extension Array where Element: LeafDataRepresentable {
    var leafArray: LeafData { .array(map(\.leafData)) }
}

extension Request {
    /// Renders a template with a context built as Leaf's values, without Leaf's encoder.
    func render(_ template: String, _ context: some LeafValues) async throws -> View {
        guard let fields = context.leafData.dictionary else {
            throw Abort(.internalServerError, reason: "The context of \(template) is not a dictionary.")
        }
        return View(data: try await leaf.render(path: template, context: fields).get())
    }

    /// A part of a page rendered on its own, to be placed in a page with `#unsafeHTML` (what it
    /// holds is escaped by its own template).
    func renderFragment(_ template: String, _ context: some LeafValues) async throws -> String {
        String(buffer: try await render(template, context).data)
    }
}

/// A rendering kept with the value it shows: made by the first view that needs it, then reused
/// while that value is kept (a ``DirectoryCache`` value lives as long as its version).
final class RenderedOnce: Sendable {
    private let kept = NIOLockedValueBox<String?>(nil)

    init() {}

    /// The kept rendering, or `render`'s, kept from now on. Two first views may both render; both
    /// render the same value, and either is kept.
    func value(_ render: () async throws -> String) async throws -> String {
        if let html = kept.withLockedValue({ $0 }) { return html }
        let html = try await render()
        kept.withLockedValue { $0 = html }
        return html
    }
}

extension LayoutContext: LeafValues {
    var leafData: LeafData {
        leafFields([
            "title": .string(title), "viewer": viewer?.leafData, "signedIn": .bool(signedIn), "nav": nav.leafArray,
            "navHTML": navHTML.map(LeafData.string), "navKey": .string(navKey), "csrf": .string(csrf), "logoutPath": .string(logoutPath),
        ])
    }
}

extension LayoutContext.NavItem: LeafValues {
    var leafData: LeafData { leafFields(["label": .string(label), "href": .string(href), "active": .bool(active)]) }
}

extension LayoutContext.Viewer: LeafValues {
    var leafData: LeafData { leafFields(["name": .string(name), "email": .string(email), "roleLabel": .string(roleLabel), "isAdmin": .bool(isAdmin)]) }
}

extension PersonSummary: LeafValues {
    var leafData: LeafData {
        leafFields([
            "id": .string(id), "href": .string(href), "employeeID": .string(employeeID), "name": .string(name), "email": .string(email),
            "title": title.map(LeafData.string), "department": .string(department), "level": .int(level), "levelText": .string(levelText),
            "generation": generation.map(LeafData.string),
            "location": location.map(LeafData.string), "hasLeft": .bool(hasLeft),
        ])
    }
}

extension HomePage: LeafValues {
    var leafData: LeafData {
        leafFields([
            "layout": layout.leafData, "firstName": .string(firstName), "isAdmin": .bool(isAdmin), "figures": figures.map(LeafData.string),
            "peoplePath": .string(peoplePath),
            "importPath": .string(importPath), "person": person?.leafData, "programs": programs.leafArray, "hasPerson": .bool(hasPerson),
            "hasPrograms": .bool(hasPrograms),
        ])
    }
}

extension HomePage.Figures: LeafValues {
    var leafData: LeafData {
        leafFields(["stats": stats.leafArray, "departments": departments.leafArray, "generations": generations.leafArray])
    }
}

extension HomePage.Stat: LeafValues {
    var leafData: LeafData { leafFields(["label": .string(label), "value": .string(value), "hint": hint.map(LeafData.string)]) }
}

extension HomePage.Bar: LeafValues {
    var leafData: LeafData { leafFields(["label": .string(label), "count": .int(count), "percent": .int(percent)]) }
}

extension HomePage.ProgramItem: LeafValues {
    var leafData: LeafData {
        leafFields([
            "name": .string(name), "href": .string(href), "status": .string(status), "statusLabel": .string(statusLabel), "role": .string(role),
            "partners": partners.leafArray, "missing": .array(missing.map(LeafData.string)),
            "hasMissing": .bool(hasMissing),
        ])
    }
}

extension ParticipantPages.PartnerCard: LeafValues {
    var leafData: LeafData {
        leafFields([
            "pairHref": .string(pairHref), "name": .string(name), "role": .string(role), "title": .string(title), "department": .string(department),
            "status": .string(status), "live": .bool(live), "reasons": .array(reasons.map(LeafData.string)),
        ])
    }
}

extension PeopleListPage: LeafValues {
    var leafData: LeafData {
        leafFields([
            "layout": layout.leafData, "rows": .string(rows), "query": .string(query), "filters": .string(filters),
            "includeLeavers": .bool(includeLeavers), "total": .int(total),
            "rangeText": .string(rangeText), "pages": pages.leafArray, "previous": previous.map(LeafData.string), "next": next.map(LeafData.string),
            "importPath": .string(importPath), "action": .string(action), "hasPeople": .bool(hasPeople), "hasPages": .bool(hasPages),
            "hasPrevious": .bool(hasPrevious), "hasNext": .bool(hasNext),
        ])
    }
}

extension PeopleListPage.Option: LeafValues {
    var leafData: LeafData { leafFields(["value": .string(value), "label": .string(label), "selected": .bool(selected)]) }
}

extension PeopleListPage.PageLink: LeafValues {
    var leafData: LeafData { leafFields(["label": .string(label), "href": href.map(LeafData.string), "current": .bool(current), "isLink": .bool(isLink)]) }
}
