import Fluent
import SQLKit

extension PeopleDirectory {
    struct Overview: Sendable {
        var total: Int
        var active: Int
        var byDepartment: [(String, Int)]
        var byGeneration: [(String, Int)]
        var deepestChain: Int
    }

    /// Counts for the program manager's dashboard, grouped in the database.
    func overview() async throws -> Overview {
        let sql = db as! any SQLDatabase
        struct Group: Decodable {
            let key: String?
            let count: Int
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
        let total = try await Person.query(on: db).count()
        let active = try await Person.query(on: db).filter(\.$terminationDate == nil).count()
        let deepest = try await Person.query(on: db).max(\.$chainDepth) ?? 0
        return Overview(
            total: total, active: active, byDepartment: try await grouped("department"),
            byGeneration: try await grouped("generation"), deepestChain: deepest)
    }
}
