import Foundation
import UpwardCore
import Vapor

/// `upward import people FILE.csv`: imports the HR export; prints every problem and exits non-zero on error.
struct ImportPeopleCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "CSV export from the HR system")
        var file: String
    }

    var help: String { "Imports or updates people from an HR CSV export (all-or-nothing)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw CommandFailure("Cannot read \(signature.file): no such file or not readable.")
        }
        try await app.autoMigrate()
        do {
            let summary = try await PeopleDirectory(db: app.db).importPeople(csv: data)
            for warning in summary.warnings { context.console.warning("warning: \(warning)") }
            context.console.print("Imported \(signature.file): \(summary.added) added, \(summary.updated) updated, \(summary.unchanged) unchanged.")
        } catch let failure as ImportFailure {
            throw CommandFailure("\(signature.file): \(failure)")
        }
    }
}
