import Fluent
import Foundation
import SQLKit

/// Who answered a survey, one row per (survey, person) and nothing else: no time, no answer.
///
/// Before, each survey kept one sorted list of person ids, rewritten whole by every answer; at
/// 10,000 answers that list is 370 KB, and a survey sent to everyone wrote gigabytes and made every
/// answer wait on one locked row. The key refuses a second answer by itself. Anonymous answers stay
/// unlinkable: tallies are counts, and comments are kept sorted, so no order ties a row here to them.
/// The earlier lists are copied over, then emptied; revert rebuilds them.
struct CreateSurveyAnsweredPeople: AsyncMigration {
    static let schema = "survey_answered_people"

    func prepare(on database: any Database) async throws {
        try await database.schema(Self.schema)
            .field("survey_id", .uuid, .required, .references(Survey.schema, "id", onDelete: .cascade))
            .field("person_id", .uuid, .required)
            .compositeIdentifier(over: "survey_id", "person_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        for mark in try await SurveyAnswered.query(on: database).all() {
            for chunk in mark.people.compactMap(UUID.init(uuidString:)).chunks(of: 400) {
                try await sql.insert(into: Self.schema).columns("survey_id", "person_id")
                    .rows(chunk.map { [SQLBind(mark.surveyID), SQLBind($0)] as [any SQLExpression] }).run()
            }
        }
        try await SurveyAnswered.query(on: database).delete()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            struct Row: Decodable {
                let survey_id: UUID
                let person_id: UUID
            }
            let rows = try await sql.select().columns("survey_id", "person_id").from(Self.schema).all(decoding: Row.self)
            for (survey, people) in Dictionary(grouping: rows, by: \.survey_id) {
                let mark = SurveyAnswered()
                mark.surveyID = survey
                mark.peopleJSON = JSONText.encode(people.map(\.person_id.uuidString).sorted())
                try await mark.create(on: database)
            }
        }
        try await database.schema(Self.schema).delete()
    }
}
