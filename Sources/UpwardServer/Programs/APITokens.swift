import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Bearer tokens for the JSON API: shown once, stored as SHA-256, listed and revocable.
struct APITokens {
    let db: any Database
    let clock: any UpwardClock

    /// Tokens look like `upw_` and 43 base64url characters, so they are easy to spot in logs and secrets scanners.
    static let prefix = "upw_"

    /// A new token row (only the secret's SHA-256 is kept) and the secret to show once.
    static func mint(for userID: UUID, name: String, at now: Date) -> (APIToken, String) {
        let secret = prefix + SessionStore.newToken()
        let token = APIToken()
        token.$user.id = userID
        token.name = name
        token.tokenHash = SessionStore.hash(secret)
        token.createdAt = now
        return (token, secret)
    }

    func create(for user: User, name rawName: String?, by viewer: Viewer?) async throws -> (APIToken, String) {
        var check = FieldChecker()
        var name = check.text(rawName, field: "name", required: false, limit: 80)
        try check.finish()
        if name.isEmpty { name = "API token" }
        let label = name
        let (token, secret) = Self.mint(for: try user.requireID(), name: label, at: clock.now)
        try await db.writeTransaction { db in
            try await token.create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer ?? Viewer(user), program: nil, action: "token.created", object: "api_token", id: token.id, detail: "\(user.email): \(label)")
            try await Outbox.security(
                to: user, title: "A new API token was created",
                body: "The API token \"\(label)\" was created for your Upward account. If this wasn't you, revoke it on your account page.",
                on: db, clock: clock)
        }
        return (token, secret)
    }

    func list(for user: User) async throws -> [APIToken] {
        try await APIToken.query(on: db).filter(\.$user.$id == user.requireID()).filter(\.$revokedAt == nil).sort(\.$createdAt, .descending).all()
    }

    func revoke(_ id: UUID, of user: User, by viewer: Viewer?) async throws {
        guard let token = try await APIToken.fetch(id, on: db), token.$user.id == user.id, token.revokedAt == nil else {
            throw Abort(.notFound, reason: "No active token with id \(id.text) belongs to this account.")
        }
        token.revokedAt = clock.now
        try await db.writeTransaction { db in
            try await token.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer ?? Viewer(user), program: nil, action: "token.revoked", object: "api_token", id: id, detail: "\(user.email): \(token.name)")
        }
    }

    /// The account behind a bearer token, or nil. It runs on every API request, so it is one SQL
    /// query decoded straight into structs (see ``User/Row``).
    func user(forBearer secret: String) async throws -> User? {
        guard secret.hasPrefix(Self.prefix), SessionStore.isWellFormed(String(secret.dropFirst(Self.prefix.count))) else { return nil }
        struct Token: SQLRowReadable {
            let token_id: UUID
            let last_used_at: Date?

            init(row: some SQLRow) throws {
                token_id = try row.read("token_id")
                last_used_at = try row.read("last_used_at")
            }
        }
        let sql = try db.sql()
        guard
            let found = try await sql.raw(
                """
                SELECT t.id AS token_id, t.last_used_at, \(unsafeRaw: User.rowColumns("u"))
                FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.token_hash = \(bind: SessionStore.hash(secret)) AND t.revoked_at IS NULL LIMIT 1
                """
            ).first()
        else { return nil }
        let row = try Token(row: found)
        let user = User(row: try User.Row(row: found))
        // Last use to the minute, so reads don't write on every request.
        if row.last_used_at.map({ clock.now.timeIntervalSince($0) > 60 }) ?? true {
            let now = clock.now
            try await db.writeTransaction { db in
                try await db.sql().update(APIToken.schema).set("last_used_at", to: now).where("id", .equal, row.token_id).run()
            }
        }
        return user
    }
}
