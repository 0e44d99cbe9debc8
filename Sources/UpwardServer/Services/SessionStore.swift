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

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The values of a live session, or nil when the token is unknown or expired.
    /// One plain query, as it runs on every signed-in page (see ``User/Row``).
    func read(token: String) async throws -> [String: String]? {
        struct Stored: Decodable {
            let data: String
            let expires_at: Date
        }
        guard Self.isWellFormed(token),
            let stored = try await db.sql().raw(
                "SELECT data, expires_at FROM \(ident: StoredSession.schema) WHERE token_hash = \(bind: Self.hash(token))"
            ).first(decoding: Stored.self),
            stored.expires_at > clock.now
        else { return nil }
        return (try? JSONDecoder().decode([String: String].self, from: Data(stored.data.utf8))) ?? [:]
    }

    /// Stores a new session and returns its token.
    func create(_ values: [String: String], lifetime: TimeInterval) async throws -> String {
        let token = Self.newToken()
        let session = StoredSession(tokenHash: Self.hash(token), data: try Self.encode(values), expiresAt: clock.now.addingTimeInterval(lifetime))
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
