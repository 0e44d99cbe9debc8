import Fluent
import Foundation
import Vapor

/// Someone who can sign in: a program manager (`admin`) or a participant.
final class User: Model, @unchecked Sendable {
    // See Person: Fluent models are @unchecked Sendable by convention.
    static let schema = "users"

    enum Role: String, Codable, Sendable {
        /// A program manager: runs programs, imports people, sees everything.
        case admin
        /// A mentor or mentee; which one is decided per program.
        case participant
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Enum(key: "role") var role: Role
    @OptionalParent(key: "person_id") var person: Person?
    /// A program manager who sees and changes every program, not only those assigned to them.
    @Field(key: "organization_admin") var organizationAdmin: Bool
    @OptionalField(key: "last_login_at") var lastLoginAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, email: String, name: String, passwordHash: String, role: Role, personID: UUID? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.$person.id = personID
        self.organizationAdmin = false
    }

    var isAdmin: Bool { role == .admin }
}

extension User: Authenticatable {}
