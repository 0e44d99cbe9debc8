import Fluent
import Foundation
import UpwardCore
import Vapor

/// Bearer tokens for the JSON API: shown once, stored as SHA-256, listed and revocable.
struct APITokens {
    let db: any Database
    let clock: any UpwardClock

    /// Tokens look like `upw_` and 43 base64url characters, so they are easy to spot in logs and secrets scanners.
    static let prefix = "upw_"

    func create(for user: User, name rawName: String?, by viewer: Viewer?) async throws -> (APIToken, String) {
        var check = FieldChecker()
        var name = check.text(rawName, field: "name", required: false, limit: 80)
        try check.finish()
        if name.isEmpty { name = "API token" }
        let label = name
        let secret = Self.prefix + SessionStore.newToken()
        let token = APIToken()
        token.$user.id = try user.requireID()
        token.name = label
        token.tokenHash = SessionStore.hash(secret)
        token.createdAt = clock.now
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
        guard let token = try await APIToken.find(id, on: db), token.$user.id == user.id, token.revokedAt == nil else {
            throw Abort(.notFound, reason: "No active token with id \(id.uuidString) belongs to this account.")
        }
        token.revokedAt = clock.now
        try await db.writeTransaction { db in
            try await token.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer ?? Viewer(user), program: nil, action: "token.revoked", object: "api_token", id: id, detail: "\(user.email): \(token.name)")
        }
    }

    /// The account behind a bearer token, or nil.
    func user(forBearer secret: String) async throws -> User? {
        guard secret.hasPrefix(Self.prefix), SessionStore.isWellFormed(String(secret.dropFirst(Self.prefix.count))),
            let token = try await APIToken.query(on: db).filter(\.$tokenHash == SessionStore.hash(secret)).filter(\.$revokedAt == nil).first()
        else { return nil }
        // Last use to the minute, so reads don't write on every request.
        if token.lastUsedAt.map({ clock.now.timeIntervalSince($0) > 60 }) ?? true {
            token.lastUsedAt = clock.now
            try await token.save(on: db)
        }
        return try await User.find(token.$user.id, on: db)
    }
}
