import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// A person's data on request: everything Upward holds about them as JSON, and erasure.
///
/// Erasure deletes what is theirs (account, sessions, tokens, calendar address, delivery
/// settings, notifications, their notes and concerns, their named survey answers, the stories of
/// their pairs), empties their enrollment answers, keeps the person row as "Erased person" so
/// program counts stay right, and replaces their name and email in every text column of every
/// table (a partner's meeting summary, a notification, the audit log). On SQLite, deleted content
/// is overwritten (`secure_delete`) and the WAL is folded and emptied, so no copy stays in the files.
struct PersonData {
    let db: any Database
    let clock: any UpwardClock
    let sealer: NoteSealer

    struct Export: Content {
        struct Participation: Content {
            let program: String
            let role: String
            let invitedAt: Date
            let acceptedAt: Date?
            let enrolledAt: Date?
            let enrollment: String?
            let pairs: [PairExport]
        }
        struct PairExport: Content {
            let partner: String
            let status: String
            let goals: [String]
            let meetings: [String]
            let notes: [String]
            let ideas: [String]
            let stories: [String]
        }
        let exportedAt: Date
        let person: [String: String]
        let account: [String: String]?
        let participations: [Participation]
        let surveyAnswers: [[String: String]]
        let concernsRaised: [String]
        let notifications: [String]
        let privateNotesIncluded: Bool
    }

    /// The export as the file people receive: pretty, keys sorted, ISO 8601 dates.
    static func json(_ export: Export) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(export)
    }

    func find(email: String) async throws -> Person {
        let wanted = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let person = try await Person.query(on: db).filter(\.$email == wanted).first() else {
            throw Abort(.notFound, reason: "No person with the email \(wanted) is in the directory.")
        }
        return person
    }

    /// Everything about one person. Private notes are sealed for their author: included only when
    /// `includePrivate` (the person asking for their own data), never for a manager's export.
    func export(_ person: Person, includePrivate: Bool) async throws -> Export {
        let personID = try person.requireID()
        let user = try await User.query(on: db).filter(\.$person.$id == personID).first()
        let participants = try await Participant.query(on: db).filter(\.$person.$id == personID).with(\.$program).all()
        var participations: [Export.Participation] = []
        for participant in participants {
            let id = try participant.requireID()
            let pairs = try await Pair.query(on: db).group(.or) { $0.filter(\.$mentee.$id == id).filter(\.$mentor.$id == id) }
                .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
            var pairExports: [Export.PairExport] = []
            for pair in pairs {
                let pairID = try pair.requireID()
                let partner = pair.$mentee.id == id ? pair.mentor.person.name : pair.mentee.person.name
                let notes = try await PairNote.query(on: db).filter(\.$pair.$id == pairID).filter(\.$author.$id == personID).all()
                    .compactMap { note -> String? in
                        guard note.visibility == "private" else { return "shared: \(note.body)" }
                        guard includePrivate, let id = note.id else { return nil }
                        return (try? sealer.open(note.body, context: Notes.context(note: id, pair: pairID, author: personID))).map { "private: \($0)" }
                    }
                pairExports.append(
                    Export.PairExport(
                        partner: partner, status: pair.status,
                        goals: try await Goal.query(on: db).filter(\.$pair.$id == pairID).all().map { "\($0.title) (\($0.status), \($0.progress)%)" },
                        meetings: try await Meeting.query(on: db).filter(\.$pair.$id == pairID).sort(\.$startsAt).all().map {
                            "\(DateText.iso8601($0.startsAt)) \($0.status)\($0.summary.map { ": \($0)" } ?? "")"
                        }, notes: notes,
                        ideas: try await Idea.query(on: db).filter(\.$pair.$id == pairID).filter(\.$raisedBy.$id == personID).all().map(\.title),
                        stories: try await Story.query(on: db).filter(\.$pair.$id == pairID).all().map { "\($0.title): \($0.body)" }))
            }
            participations.append(
                Export.Participation(
                    program: participant.program.name, role: participant.role, invitedAt: participant.invitedAt, acceptedAt: participant.acceptedAt,
                    enrolledAt: participant.enrolledAt, enrollment: participant.answersJSON, pairs: pairExports))
        }
        let answers = try await SurveyResponse.query(on: db).filter(\.$person.$id == personID).with(\.$survey).all().map {
            $0.answers.merging(["survey": $0.survey.title]) { a, _ in a }
        }
        let participantIDs = participants.compactMap(\.id)
        let concerns =
            participantIDs.isEmpty
            ? [] : try await Concern.query(on: db).filter(\.$raisedBy.$id ~~ participantIDs).all().map { "\($0.category): \($0.body) (\($0.status))" }
        return Export(
            exportedAt: clock.now,
            person: [
                "employeeId": person.employeeID, "email": person.email, "name": person.name, "title": person.title ?? "", "department": person.department,
                "location": person.location ?? "", "timeZone": person.timeZone ?? "", "level": String(person.level),
                "hireDate": person.hireDate ?? "", "generation": person.generation ?? "",
            ],
            account: user.map { ["email": $0.email, "name": $0.name, "role": $0.role.rawValue] }, participations: participations, surveyAnswers: answers,
            concernsRaised: concerns,
            notifications: try await Notification.query(on: db).filter(\.$person.$id == personID).sort(\.$createdAt).all().map { "\($0.title): \($0.body)" },
            privateNotesIncluded: includePrivate)
    }

    /// Erases a person; returns how many rows were deleted or changed.
    @discardableResult
    func erase(_ person: Person, by viewer: Viewer?) async throws -> Int {
        let personID = try person.requireID()
        let name = person.name
        let email = person.email
        let oldEmployeeID = person.employeeID
        let marker = "erased-\(UUID().text.prefix(8).lowercased())"
        let changed = try await db.writeTransaction { db in
            var changed = 0
            let sql = try db.sql()
            let user = try await User.query(on: db).filter(\.$person.$id == personID).first()
            let participants = try await Participant.query(on: db).filter(\.$person.$id == personID).all()
            let participantIDs = participants.compactMap(\.id)
            let pairIDs =
                participantIDs.isEmpty
                ? []
                : try await Pair.query(on: db).group(.or) { $0.filter(\.$mentee.$id ~~ participantIDs).filter(\.$mentor.$id ~~ participantIDs) }.all()
                    .compactMap(\.id)
            // Theirs: deleted.
            if let user, let userID = user.id {
                try await sql.delete(from: StoredSession.schema).where("user_id", .equal, userID).orWhere("data", .like, "%\(userID.text)%").run()
                try await APIToken.query(on: db).filter(\.$user.$id == userID).delete()
                try await CalendarFeed.query(on: db).filter(\.$user.$id == userID).delete()
                try await DeliverySetting.query(on: db).filter(\.$user.$id == userID).delete()
                try await ProgramManager.query(on: db).filter(\.$user.$id == userID).delete()
                try await Delivery.query(on: db).filter(\.$address == userID.text).delete()
                try await Participant.query(on: db).filter(\.$user.$id == userID).set(\.$user.$id, to: nil).update()
                try await AuditEntry.query(on: db).filter(\.$actorUserID == userID).set(\.$actorUserID, to: nil).update()
                try await user.delete(on: db)
                changed += 1
            }
            try await Delivery.query(on: db).filter(\.$address == email).delete()
            try await LoginAttempt.query(on: db).filter(\.$email == email).delete()
            try await Notification.query(on: db).filter(\.$person.$id == personID).delete()
            try await PairNote.query(on: db).filter(\.$author.$id == personID).delete()
            if !participantIDs.isEmpty { try await Concern.query(on: db).filter(\.$raisedBy.$id ~~ participantIDs).delete() }
            if !pairIDs.isEmpty { try await Story.query(on: db).filter(\.$pair.$id ~~ pairIDs).delete() }
            try await SurveyResponse.query(on: db).filter(\.$person.$id == personID).delete()
            try await sql.delete(from: CreateSurveyAnsweredPeople.schema).where("person_id", .equal, personID).run()
            // Program counts stay: the participations remain, without their answers.
            for participant in participants {
                participant.answersJSON = nil
                try await participant.save(on: db)
            }
            // The person row stays, anonymous; reports to it keep their structure.
            try await Person.query(on: db).filter(\.$managerEmployeeID == oldEmployeeID).set(\.$managerEmployeeID, to: marker).update()
            person.name = "Erased person"
            person.email = "\(marker)@erased.invalid"
            person.employeeID = marker
            person.searchKey = "erased person \(marker)"
            person.title = nil
            person.location = nil
            person.timeZone = nil
            person.hireDate = nil
            person.generation = nil
            try await person.save(on: db)
            // Their name and email anywhere else in text: a partner's summary, a notification, the audit log.
            changed += try await Self.replaceEverywhere([(name, "a former participant"), (email, "an erased address")], on: sql)
            try await AuditLog(db: db, clock: clock).record(viewer, program: nil, action: "person.erased", object: "person", id: nil, detail: "")
            return changed
        }
        if let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" {
            // Fold the WAL into the file and empty it, so the old pages leave the WAL too.
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        }
        return changed
    }

    /// Replaces each text in every text column of every table; returns the rows changed.
    static func replaceEverywhere(_ pairs: [(String, String)], on sql: any SQLDatabase) async throws -> Int {
        struct Column: Decodable {
            let table: String
            let column: String
        }
        let columns: [Column]
        if sql.dialect.name == "sqlite" {
            var found: [Column] = []
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
                .compactMap { try? $0.decode(column: "name", as: String.self) }
            for table in tables {
                for row in try await sql.raw("SELECT name, type FROM pragma_table_info(\(bind: table))").all() {
                    guard let name = try? row.decode(column: "name", as: String.self), let type = try? row.decode(column: "type", as: String.self),
                        type.uppercased().contains("TEXT")
                    else { continue }
                    found.append(Column(table: table, column: name))
                }
            }
            columns = found
        } else {
            columns = try await sql.raw(
                """
                SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')
                """
            ).all(decoding: Column.self)
        }
        var changed = 0
        for column in columns {
            for (old, new) in pairs where !old.isEmpty {
                let table = SQLIdentifier(column.table)
                let name = SQLIdentifier(column.column)
                let pattern =
                    "%"
                    + old.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                let rows = try await sql.raw(
                    "UPDATE \(table) SET \(name) = REPLACE(\(name), \(bind: old), \(bind: new)) WHERE \(name) LIKE \(bind: pattern) ESCAPE '\\' RETURNING 1 AS one"
                ).all()
                changed += rows.count
            }
        }
        return changed
    }
}
