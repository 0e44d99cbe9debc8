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

    /// Every query value arrives as text, so a wrong type is a clear 400 from ``parse(_:)``, not a decoding error.
    struct Raw: Decodable {
        var q: String?
        var department: String?
        var level: String?
        var generation: String?
        var leavers: String?
        var page: String?
    }

    static func parse(_ req: Request) throws -> PeopleListQuery {
        try parse(try req.query.decode(Raw.self))
    }

    /// The same checks for filters that arrive another way (the API's invitation body).
    static func parse(_ raw: Raw) throws -> PeopleListQuery {
        var query = PeopleListQuery()
        query.text = raw.q?.trimmingCharacters(in: .whitespaces) ?? ""
        guard query.text.count <= 200 else { throw Abort(.badRequest, reason: "q must be at most 200 characters.") }
        query.department = raw.department ?? ""
        guard query.department.count <= 200 else { throw Abort(.badRequest, reason: "department must be at most 200 characters.") }
        // PostgreSQL refuses NUL in text, and no name holds a control character: a clear 400, not a 500.
        for (name, value) in [("q", query.text), ("department", query.department)]
        where value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw Abort(.badRequest, reason: "\(name) must not contain control characters.")
        }
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
            // Any whole number from 1 up is fine: the directory clamps it to the last page.
            guard page.count <= 30, page.allSatisfy(\.isASCII), let value = Int(page), value >= 1 else {
                throw Abort(.badRequest, reason: "page must be a whole number of 1 or more, not \"\(page.prefix(40))\".")
            }
            query.page = value
        }
        return query
    }

    /// The filters as the form shows them again.
    struct Echo: Encodable {
        let q: String
        let department: String
        let level: String
        let generation: String
    }

    var echo: Echo { Echo(q: text, department: department, level: level.map(String.init) ?? "", generation: generation?.rawValue ?? "") }

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
}
