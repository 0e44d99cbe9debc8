import Fluent
import Foundation

/// A signed-in browser session. Only the SHA-256 of the cookie's token is stored, so a copy of
/// the database does not sign anyone in.
final class StoredSession: Model, @unchecked Sendable {
    // See Person: Fluent models are @unchecked Sendable by convention.
    static let schema = "sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    /// The session's values as a JSON object of strings.
    @Field(key: "data") var data: String
    @Field(key: "expires_at") var expiresAt: Date
    /// The signed-in account (the `userID` value), for the joined read; nil on older sessions.
    @OptionalField(key: "user_id") var userID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(tokenHash: String, data: String, expiresAt: Date, userID: UUID?) {
        self.tokenHash = tokenHash
        self.data = data
        self.expiresAt = expiresAt
        self.userID = userID
    }
}
