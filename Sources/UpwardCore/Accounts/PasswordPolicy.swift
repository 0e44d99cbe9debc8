/// The rules a password must meet before it is hashed.
public enum PasswordPolicy {
    public static let minimumCharacters = 12
    /// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
    public static let maximumBytes = 72

    public enum Violation: Error, Equatable, Sendable, CustomStringConvertible {
        case tooShort(characters: Int)
        case tooLong(bytes: Int)

        public var description: String {
            switch self {
            case .tooShort(let count):
                "Password must be at least \(PasswordPolicy.minimumCharacters) characters (it has \(count))."
            case .tooLong(let bytes):
                "Password must be at most \(PasswordPolicy.maximumBytes) bytes in UTF-8 (it has \(bytes)); longer passwords would be silently truncated."
            }
        }
    }

    public static func check(_ password: String) throws(Violation) {
        let characters = password.count
        guard characters >= minimumCharacters else { throw .tooShort(characters: characters) }
        let bytes = password.utf8.count
        guard bytes <= maximumBytes else { throw .tooLong(bytes: bytes) }
    }
}
