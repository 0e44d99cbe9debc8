import Fluent
import Foundation

/// One sign-in attempt, kept for rate limiting (per account and per address).
final class LoginAttempt: Model, @unchecked Sendable {
    // See Person: Fluent models are @unchecked Sendable by convention.
    static let schema = "login_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "attempted_at") var attemptedAt: Date

    init() {}

    init(email: String, address: String, succeeded: Bool, at date: Date) {
        self.email = email
        self.address = address
        self.succeeded = succeeded
        self.attemptedAt = date
    }
}
