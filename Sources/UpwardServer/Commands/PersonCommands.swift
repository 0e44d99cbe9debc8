import Foundation
import Vapor

/// `upward person export EMAIL` and `upward person erase EMAIL --yes`.
struct PersonCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["export": PersonExportCommand(), "erase": PersonEraseCommand()]
    var help: String { "A person's data on request: export it as JSON, or erase it." }
}

struct PersonExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "email", help: "The person's email in the directory")
        var email: String
        @Flag(name: "include-private", help: "Include their private notes (only when the person asks for their own data)")
        var includePrivate: Bool
    }

    var help: String { "Prints everything Upward holds about a person, as JSON." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let data = PersonData(db: app.db, clock: app.upward.clock, sealer: app.upward.noteSealer)
        let person: Person
        do { person = try await data.find(email: signature.email) } catch let abort as Abort { throw CommandFailure(abort.reason) }
        let json = try PersonData.json(try await data.export(person, includePrivate: signature.includePrivate))
        context.console.print(String(decoding: json, as: UTF8.self))
    }
}

struct PersonEraseCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "email", help: "The person's email in the directory")
        var email: String
        @Flag(name: "yes", help: "Confirm: this cannot be undone")
        var yes: Bool
    }

    var help: String { "Erases a person: their account and data are removed, their name and email replaced everywhere." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.yes || context.console.confirmOverride == true else {
            throw CommandFailure("Erasing cannot be undone; add --yes to confirm.")
        }
        let app = context.application
        let data = PersonData(db: app.db, clock: app.upward.clock, sealer: app.upward.noteSealer)
        let person: Person
        do { person = try await data.find(email: signature.email) } catch let abort as Abort { throw CommandFailure(abort.reason) }
        let changed = try await data.erase(person, by: nil)
        context.console.print("Erased. \(changed) rows deleted or rewritten; the audit log records that an erasure happened, not whose.")
    }
}
