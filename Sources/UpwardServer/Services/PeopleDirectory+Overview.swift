import Fluent
import SQLKit

extension PeopleDirectory {
    struct Overview: Sendable {
        var total: Int
        var active: Int
        var byDepartment: [(String, Int)]
        var byGeneration: [(String, Int)]
        var deepestChain: Int
        /// The home page's figures of this overview, rendered by the first view that shows them.
        let figures = RenderedOnce()
    }

    /// Counts for the program manager's dashboard: kept while the directory is unchanged (see
    /// ``DirectoryOverviewCache``), else grouped in the database.
    func overview() async throws -> Overview {
        let sql = db as! any SQLDatabase
        if !db.inTransaction, let overviewCache {
            return try await overviewCache.current(on: sql)
        }
        return try await Self.readOverview(on: sql)
    }

    /// The counts, read from the database.
    static func readOverview(on sql: any SQLDatabase) async throws -> Overview {
        struct Group: Decodable {
            let key: String?
            let count: Int
        }
        struct Figure: Decodable {
            let n: Int?
        }
        func grouped(_ column: String) async throws -> [(String, Int)] {
            try await sql.select()
                .column(SQLIdentifier(column), as: "key")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count")
                .from(Person.schema)
                .where("termination_date", .is, SQLLiteral.null)
                .groupBy(column)
                .all(decoding: Group.self)
                .map { ($0.key ?? "Not given", $0.count) }
                .sorted { ($1.1, $0.0) < ($0.1, $1.0) }
        }
        func figure(_ query: SQLQueryString) async throws -> Int {
            try await sql.raw(query).first(decoding: Figure.self)?.n ?? 0
        }
        let total = try await figure("SELECT COUNT(*) AS n FROM people")
        let active = try await figure("SELECT COUNT(*) AS n FROM people WHERE termination_date IS NULL")
        let deepest = try await figure("SELECT MAX(chain_depth) AS n FROM people")
        return Overview(
            total: total, active: active, byDepartment: try await grouped("department"),
            byGeneration: try await grouped("generation"), deepestChain: deepest)
    }
}
