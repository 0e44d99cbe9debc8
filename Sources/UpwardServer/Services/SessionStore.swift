import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Stores signed-in sessions in the database, so restarts and other instances keep everyone signed in.
struct SessionStore {
    let db: any Database
    let clock: any UpwardClock

    /// A new random token for a cookie: 32 bytes, base64url.
    static func newToken() -> String {
        Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Only tokens of the shape ``newToken()`` makes are looked up.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// SHA-256 of the token in lowercase hex, as stored. Runs on every signed-in request, so the
    /// hex is written byte by byte (`String(format:)` per byte cost 6% of an API read).
    static func hash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        let digest = SHA256.hash(data: Data(token.utf8))
        return String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }

    /// A live session as read: its values, and its account when the session names one.
    struct Loaded: Sendable {
        let values: [String: String]
        let user: User?
    }

    /// The live session for a token, or nil when the token is unknown or expired. One plain query
    /// that also reads the session's account (see ``User/Row``), as it runs on every signed-in page.
    func read(token: String) async throws -> Loaded? {
        struct Stored: SQLRowReadable {
            let data: String
            let expires_at: Date
            let user_id: UUID?

            init(row: some SQLRow) throws {
                data = try row.read("data")
                expires_at = try row.read("expires_at")
                user_id = try row.read("user_id")
            }
        }
        guard Self.isWellFormed(token),
            let row = try await db.sql().raw(
                """
                SELECT s.data, s.expires_at, s.user_id, \(unsafeRaw: User.rowColumns("u"))
                FROM \(ident: StoredSession.schema) s LEFT JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: Self.hash(token))
                """
            ).first()
        else { return nil }
        let stored = try Stored(row: row)
        guard stored.expires_at > clock.now else { return nil }
        let values = (try? JSONDecoder().decode([String: String].self, from: Data(stored.data.utf8))) ?? [:]
        // A session whose account is gone reads as one without an account (the middleware ends it).
        let user = stored.user_id == nil ? nil : try? User(row: User.Row(row: row))
        return Loaded(values: values, user: user)
    }

    /// Stores a new session and returns its token.
    func create(_ values: [String: String], lifetime: TimeInterval) async throws -> String {
        let token = Self.newToken()
        let session = StoredSession(
            tokenHash: Self.hash(token), data: try Self.encode(values), expiresAt: clock.now.addingTimeInterval(lifetime),
            userID: values[BrowserSession.Key.userID].flatMap(UUID.init(uuidString:)))
        try await session.create(on: db)
        return token
    }

    func update(token: String, _ values: [String: String]) async throws {
        try await StoredSession.query(on: db).filter(\.$tokenHash == Self.hash(token)).set(\.$data, to: try Self.encode(values)).update()
    }

    func delete(token: String) async throws {
        try await StoredSession.query(on: db).filter(\.$tokenHash == Self.hash(token)).delete()
    }

    /// Removes every session past its expiry; returns how many there were.
    @discardableResult
    func deleteExpired() async throws -> Int {
        let expired = StoredSession.query(on: db).filter(\.$expiresAt <= clock.now)
        let count = try await expired.copy().count()
        try await expired.delete()
        return count
    }

    static func encode(_ values: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(values), as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
