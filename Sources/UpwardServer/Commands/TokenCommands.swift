import Fluent
import Foundation
import UpwardCore
import Vapor

/// `upward token create|list|revoke`: API tokens from the command line.
struct TokenCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": TokenCreateCommand(), "list": TokenListCommand(), "revoke": TokenRevokeCommand()]
    var help: String { "Manage API tokens." }
}

func tokenOwner(_ app: Application, email: String?) async throws -> User {
    guard let email, !email.isEmpty else { throw CommandFailure("--email is required.") }
    guard let user = try await User.query(on: app.db).filter(\.$email == FieldRules.normalizeEmail(email)).first() else {
        throw CommandFailure("No account has the email \(email).")
    }
    return user
}

struct TokenCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account the token acts as") var email: String?
        @Option(name: "name", help: "A name to recognize the token by") var name: String?
    }
    var help: String { "Creates an API token and prints it once; only its hash is stored." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let user = try await tokenOwner(app, email: signature.email)
        do {
            let (_, secret) = try await APITokens(db: app.db, clock: app.upward.clock).create(for: user, name: signature.name, by: nil)
            context.console.print(secret)
        } catch let failure as ValidationFailure {
            throw CommandFailure(failure.description)
        }
    }
}

struct TokenListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account") var email: String?
    }
    var help: String { "Lists an account's active API tokens." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let user = try await tokenOwner(app, email: signature.email)
        for token in try await APITokens(db: app.db, clock: app.upward.clock).list(for: user) {
            context.console.print("\(token.id!.text)  \(token.name)  created \(token.createdAt.formatted(.iso8601))")
        }
    }
}

struct TokenRevokeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account") var email: String?
        @Option(name: "id", help: "The token's id, from `upward token list`") var id: String?
    }
    var help: String { "Revokes an API token." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let user = try await tokenOwner(app, email: signature.email)
        guard let raw = signature.id, let id = UUID(uuidString: raw) else { throw CommandFailure("--id must be a token id from `upward token list`.") }
        do {
            try await APITokens(db: app.db, clock: app.upward.clock).revoke(id, of: user, by: nil)
        } catch let abort as Abort {
            throw CommandFailure(abort.reason)
        }
        context.console.print("Revoked.")
    }
}

/// `upward openapi`: prints the API's OpenAPI document (the same bytes as /api/v1/openapi.json and docs/openapi.json).
struct OpenAPICommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Prints the OpenAPI 3.1 document of the JSON API." }
    func run(using context: CommandContext, signature: Signature) async throws {
        FileHandle.standardOutput.write(OpenAPIDocument.json())
    }
}
