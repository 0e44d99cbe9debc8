import Crypto
import Foundation

/// Seals private notes with AES-256-GCM. Each sealed value carries its own random nonce and tag,
/// and is bound to its context (the note and its author), so a changed byte, a value copied to
/// another note, or a wrong key is detected rather than shown.
public struct NoteSealer: Sendable {
    public struct KeyProblem: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// A sealed value that fails authentication: changed, moved or sealed with another key.
    public struct Tampered: Error, CustomStringConvertible, Equatable {
        public var description: String {
            "This private note failed its integrity check: it was changed outside Upward or sealed with another key."
        }
    }

    static let prefix = "v1."
    private let key: SymmetricKey

    /// A key from base64 of exactly 32 bytes.
    public init(base64 text: String) throws(KeyProblem) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw KeyProblem(description: "the note key must be base64 (generate one with `openssl rand -base64 32`)")
        }
        guard data.count == 32 else { throw KeyProblem(description: "the note key must be 32 bytes of base64, not \(data.count)") }
        key = SymmetricKey(data: data)
    }

    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    public func seal(_ text: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw Tampered() }
        return Self.prefix + combined.base64EncodedString()
    }

    public func open(_ sealed: String, context: String) throws(Tampered) -> String {
        guard sealed.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else { throw Tampered() }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
            guard let text = String(data: plain, encoding: .utf8) else { throw Tampered() }
            return text
        } catch {
            throw Tampered()
        }
    }
}
