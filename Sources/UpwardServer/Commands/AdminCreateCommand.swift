import Foundation
import UpwardCore
import Vapor

/// `upward admin create --email E`: creates a program-manager account.
struct AdminCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "Email to sign in with")
        var email: String?
        @Option(name: "name", help: "Display name (default: the part of the email before @)")
        var name: String?
        @Flag(name: "scoped", help: "Sees and changes only the programs assigned to them (default: every program)")
        var scoped: Bool
    }

    var help: String { "Creates a program-manager account. Reads the password from UPWARD_ADMIN_PASSWORD or asks for it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, !email.isEmpty else { throw CommandFailure("--email is required.") }
        let app = context.application
        let password: String
        if let fromEnvironment = Environment.get("UPWARD_ADMIN_PASSWORD"), !fromEnvironment.isEmpty {
            password = fromEnvironment
        } else if isatty(STDIN_FILENO) == 1 {
            let first = context.console.ask("Password (12+ characters):", isSecure: true)
            let second = context.console.ask("Repeat the password:", isSecure: true)
            guard first == second else { throw CommandFailure("The two passwords differ; nothing was created.") }
            password = first
        } else {
            throw CommandFailure("Set UPWARD_ADMIN_PASSWORD or run in a terminal to type the password.")
        }
        try await app.autoMigrate()
        let name = signature.name ?? String(email.split(separator: "@").first ?? "Admin")
        do {
            let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
            try await accounts.createUser(email: email, name: name, password: password, role: .admin, organizationAdmin: !signature.scoped)
        } catch let failure as Accounts.Failure {
            throw CommandFailure(failure.reason)
        }
        context.console.print("Created program manager \(FieldRules.normalizeEmail(email)).")
    }
}
