import Fluent
import Foundation
import SQLKit
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

extension User {
    /// An account's columns, decoded straight into a struct. The account is read on every signed-in
    /// request (session or bearer token); Fluent's decoding reflects over a model's properties for
    /// every row, which a profile showed as a large share of a page's time.
    struct Row: Decodable, Sendable, SQLRowReadable {
        let id: UUID
        let email: String
        let name: String
        let password_hash: String
        let role: String
        let person_id: UUID?
        let organization_admin: Bool
        let last_login_at: Date?

        /// Column by column (see ``SQLRowReadable``): every signed-in request reads one.
        init(row: some SQLRow) throws {
            id = try row.read("id")
            email = try row.read("email")
            name = try row.read("name")
            password_hash = try row.read("password_hash")
            role = try row.read("role")
            person_id = try row.read("person_id")
            organization_admin = try row.read("organization_admin")
            last_login_at = try row.read("last_login_at")
        }
    }

    /// The columns of ``Row``, qualified by `table` when given.
    static func rowColumns(_ table: String? = nil) -> String {
        ["id", "email", "name", "password_hash", "role", "person_id", "organization_admin", "last_login_at"]
            .map { column in table.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    /// A stored account from its row, as Fluent would have loaded it (saving it updates the row).
    convenience init(row: Row) {
        self.init(
            id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash, role: Role(rawValue: row.role) ?? .participant,
            personID: row.person_id)
        organizationAdmin = row.organization_admin
        lastLoginAt = row.last_login_at
        $id.exists = true
    }

    /// The account with this id, read with one plain query.
    static func find(row id: UUID, on db: any Database) async throws -> User? {
        try await db.sql().raw("SELECT \(unsafeRaw: rowColumns()) FROM users WHERE id = \(bind: id)").first(decoding: Row.self).map(User.init(row:))
    }
}
