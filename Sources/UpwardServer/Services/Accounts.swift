import Fluent
import Foundation
import UpwardCore
import Vapor

/// Accounts and sign-in: creating users, checking passwords, rate-limiting failures.
struct Accounts {
    let db: any Database
    let hasher: AsyncPasswordHasher
    let environment: UpwardEnvironment

    enum Failure: Error, Equatable, AbortError {
        case invalidEmail(String)
        case emailTaken(String)
        case weakPassword(PasswordPolicy.Violation)
        case missingName
        case invalidCredentials
        case accountLocked(retryAfter: Int)
        case addressLocked(retryAfter: Int)

        var status: HTTPResponseStatus {
            switch self {
            case .invalidEmail, .weakPassword, .missingName: .badRequest
            case .emailTaken: .conflict
            case .invalidCredentials: .unauthorized
            case .accountLocked, .addressLocked: .tooManyRequests
            }
        }

        var reason: String {
            switch self {
            case .invalidEmail(let email): "\"\(email)\" is not a valid email address."
            case .emailTaken(let email): "An account with the email \(email) already exists."
            case .weakPassword(let violation): violation.description
            case .missingName: "Name is required."
            case .invalidCredentials: "Email or password is incorrect."
            case .accountLocked(let seconds):
                "Too many failed sign-ins for this account. Try again in \(Self.minutes(seconds))."
            case .addressLocked(let seconds):
                "Too many failed sign-ins from your network. Try again in \(Self.minutes(seconds))."
            }
        }

        var headers: HTTPHeaders {
            switch self {
            case .accountLocked(let seconds), .addressLocked(let seconds): ["Retry-After": "\(seconds)"]
            default: [:]
            }
        }

        private static func minutes(_ seconds: Int) -> String {
            let minutes = max(1, (seconds + 59) / 60)
            return minutes == 1 ? "1 minute" : "\(minutes) minutes"
        }
    }

    // MARK: - Creating accounts

    @discardableResult
    func createUser(email rawEmail: String, name: String, password: String, role: User.Role, personID: UUID? = nil) async throws -> User {
        let email = FieldRules.normalizeEmail(rawEmail)
        guard FieldRules.isValidEmail(email) else { throw Failure.invalidEmail(rawEmail) }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw Failure.missingName }
        do { try PasswordPolicy.check(password) } catch { throw Failure.weakPassword(error) }
        if try await User.query(on: db).filter(\.$email == email).first() != nil { throw Failure.emailTaken(email) }
        let user = User(email: email, name: name, passwordHash: try await hasher.hash(password), role: role, personID: personID)
        try await user.create(on: db)
        return user
    }

    // MARK: - Signing in

    /// Checks the password, unless too many recent failures lock the account or the address.
    /// Every attempt is recorded, so limits hold across restarts and across instances.
    func authenticate(email rawEmail: String, password: String, address: String) async throws -> User {
        let email = FieldRules.normalizeEmail(rawEmail)
        let now = environment.clock.now
        let config = environment.configuration
        let windowStart = now.addingTimeInterval(-config.loginWindow)

        let lastSuccess = try await LoginAttempt.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == true).filter(\.$attemptedAt >= windowStart)
            .sort(\.$attemptedAt, .descending).first()?.attemptedAt
        let accountFailures = try await LoginAttempt.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == false)
            .filter(\.$attemptedAt > (lastSuccess ?? windowStart))
            .sort(\.$attemptedAt).all()
        if accountFailures.count >= config.maxFailuresPerAccount {
            throw Failure.accountLocked(retryAfter: Self.secondsUntil(accountFailures.first!.attemptedAt, window: config.loginWindow, now: now))
        }
        let addressFailures = try await LoginAttempt.query(on: db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$attemptedAt > windowStart)
            .sort(\.$attemptedAt).all()
        if addressFailures.count >= config.maxFailuresPerAddress {
            throw Failure.addressLocked(retryAfter: Self.secondsUntil(addressFailures.first!.attemptedAt, window: config.loginWindow, now: now))
        }

        let user = try await User.query(on: db).filter(\.$email == email).first()
        // Passwords over bcrypt's 72 bytes never match; refuse them without hashing.
        let fitsBcrypt = password.utf8.count <= PasswordPolicy.maximumBytes
        let matches: Bool
        if let user, fitsBcrypt {
            matches = (try? await hasher.verify(password, created: user.passwordHash)) ?? false
        } else {
            // Spend the same time as a real check so response times don't reveal which emails exist.
            _ = try? await hasher.hash("timing-equalizer")
            matches = false
        }
        try await LoginAttempt(email: email, address: address, succeeded: matches, at: now).create(on: db)
        guard matches, let user else { throw Failure.invalidCredentials }
        user.lastLoginAt = now
        try await user.save(on: db)
        // Old attempts are no longer needed for any window.
        try await LoginAttempt.query(on: db).filter(\.$attemptedAt < now.addingTimeInterval(-max(86_400, config.loginWindow))).delete()
        return user
    }

    private static func secondsUntil(_ oldest: Date, window: TimeInterval, now: Date) -> Int {
        max(1, Int((oldest.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up)))
    }
}
