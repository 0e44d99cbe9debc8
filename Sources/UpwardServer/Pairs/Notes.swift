import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// A note as its reader sees it.
struct NoteView: Sendable {
    let id: UUID
    let authorName: String
    let isPrivate: Bool
    let mine: Bool
    /// nil when a private note failed its integrity check.
    let body: String?
    let createdAt: Date
}

/// Pair notes: shared ones both people read; private ones only their author, sealed at rest.
struct Notes {
    let db: any Database
    let clock: any UpwardClock
    let sealer: NoteSealer

    static func context(note: UUID, pair: UUID, author: UUID) -> String {
        "upward-note:\(note.text):\(pair.text):\(author.text)"
    }

    /// The shared notes plus the viewer's own private ones; nothing else. Managers read none.
    func list(_ context: PairContext) async throws -> [NoteView] {
        let me = try context.requireParticipant("read the pair's notes")
        let myPerson = me.$person.id
        let notes = try await PairNote.query(on: db).filter(\.$pair.$id == context.pairID)
            .group(.or) { $0.filter(\.$visibility == "shared").filter(\.$author.$id == myPerson) }
            .with(\.$author).sort(\.$createdAt, .descending).all()
        return notes.compactMap { note -> NoteView? in
            // The query already keeps others' private notes out; this guard makes it impossible to slip.
            if note.isPrivate && note.$author.id != myPerson { return nil }
            var body: String? = note.body
            if note.isPrivate {
                body = try? sealer.open(note.body, context: Self.context(note: note.id!, pair: context.pairID, author: note.$author.id))
            }
            return NoteView(
                id: note.id!, authorName: note.author.name, isPrivate: note.isPrivate, mine: note.$author.id == myPerson, body: body,
                createdAt: note.createdAt)
        }
    }

    func create(text raw: String?, visibility raw2: String?, in context: PairContext, by viewer: Viewer) async throws -> NoteView {
        let me = try context.requireParticipant("write notes")
        try context.requireWorking("write notes")
        var check = FieldChecker()
        let text = check.text(raw, field: "body", limit: 5000, multiline: true)
        let visibility = raw2 ?? "shared"
        if visibility != "shared" && visibility != "private" { check.add("visibility", "must be shared or private") }
        try check.finish()
        let id = UUID()
        let author = me.$person.id
        let body = visibility == "private" ? try sealer.seal(text, context: Self.context(note: id, pair: context.pairID, author: author)) : text
        let createdAt = clock.now
        // One plain INSERT, not a Fluent model: notes are the most frequent write, and on SQLite every
        // write runs on the one writer thread, where a model's create (its insert built from property
        // wrappers, then every field read back into the model) cost more than the statement.
        try await db.sql().raw(
            """
            INSERT INTO pair_notes (id, pair_id, author_person_id, visibility, body, created_at)
            VALUES (\(bind: id), \(bind: context.pairID), \(bind: author), \(bind: visibility), \(bind: body), \(bind: createdAt))
            """
        ).run()
        return NoteView(id: id, authorName: me.person.name, isPrivate: visibility == "private", mine: true, body: text, createdAt: createdAt)
    }

    /// Authors delete their own notes.
    func delete(_ id: UUID, in context: PairContext) async throws {
        let me = try context.requireParticipant("delete notes")
        guard let note = try await PairNote.fetch(id, on: db), note.$pair.id == context.pairID, note.$author.id == me.$person.id else {
            throw Abort(.notFound, reason: "No note with id \(id.text) of yours is in this pair.")
        }
        try await note.delete(on: db)
    }
}

extension Request {
    var notes: Notes { Notes(db: database, clock: upward.clock, sealer: upward.noteSealer) }
}
