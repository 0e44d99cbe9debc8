import Vapor

/// Optional paging of a list the API returns whole by default (a program's pairs, its
/// participants): `?page=2&per_page=100` returns that slice, and every answer says how many there
/// are in all (`X-Total-Count`) and, while more follow, where the next page is (`Link: rel="next"`).
/// Without either parameter the whole list comes back, as it always has.
struct APIPaging: Sendable, Equatable {
    /// 1 first.
    let page: Int
    let perPage: Int

    static let defaultPerPage = 100
    static let maximumPerPage = 500

    static let parameters: [APIRoute.QueryParameter] = [
        .init(name: "page", schema: .integer(1, Int.max), description: "Page, 1 first; past the end an empty list. Without page and per_page: the whole list."),
        .init(name: "per_page", schema: .integer(1, maximumPerPage), description: "Items per page, 1-\(maximumPerPage) (\(defaultPerPage) when left out)."),
    ]

    private struct Raw: Decodable {
        let page: String?
        let per_page: String?
    }

    /// The paging asked for, nil for the whole list; a bad value is a 400 naming it.
    static func parse(_ req: Request) throws -> APIPaging? {
        let raw = try req.query.decode(Raw.self)
        guard raw.page != nil || raw.per_page != nil else { return nil }
        func number(_ name: String, _ text: String?, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text else { return nil }
            guard text.utf8.count <= 19, let value = Int(text), range.contains(value) else {
                throw Abort(.badRequest, reason: "\(name): \"\(text.prefix(20))\" must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        return APIPaging(
            page: try number("page", raw.page, 1...Int.max) ?? 1,
            perPage: try number("per_page", raw.per_page, 1...maximumPerPage) ?? defaultPerPage)
    }

    /// Rows to skip; nil when the page lies beyond any list a database could hold.
    var offset: Int? {
        let (skip, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow || skip > Int(Int32.max) ? nil : skip
    }

    /// The rows of this page within `0..<total`, empty past the end.
    func range(total: Int) -> Range<Int> {
        guard let offset, offset < total else { return total..<total }
        return offset..<min(total, offset + perPage)
    }

    /// `X-Total-Count`, and `Link` to the next page while there is one.
    static func headers(_ response: Response, req: Request, paging: APIPaging?, total: Int) {
        response.headers.replaceOrAdd(name: "X-Total-Count", value: String(total))
        guard let paging, paging.range(total: total).upperBound < total else { return }
        response.headers.replaceOrAdd(name: "Link", value: "<\(req.url.path)?page=\(paging.page + 1)&per_page=\(paging.perPage)>; rel=\"next\"")
    }
}
