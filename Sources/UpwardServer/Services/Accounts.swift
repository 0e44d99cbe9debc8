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
    func createUser(
        email rawEmail: String, name: String, password: String, role: User.Role, personID: UUID? = nil, organizationAdmin: Bool = false
    ) async throws -> User {
        let email = FieldRules.normalizeEmail(rawEmail)
        guard FieldRules.isValidEmail(email) else { throw Failure.invalidEmail(rawEmail) }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw Failure.missingName }
        do { try PasswordPolicy.check(password) } catch { throw Failure.weakPassword(error) }
        if try await User.query(on: db).filter(\.$email == email).first() != nil { throw Failure.emailTaken(email) }
        let user = User(email: email, name: name, passwordHash: try await hasher.hash(password), role: role, personID: personID)
        user.organizationAdmin = role == .admin && organizationAdmin
        try await user.create(on: db)
        return user
    }

    // MARK: - Signing in

    /// Checks the password, unless too many recent failures lock the account or the address.
    ///
    /// The attempt is recorded *before* the password is verified and the limits are counted with it
    /// included, so parallel guesses can't all slip past the check: of N simultaneous attempts,
    /// only those whose record is among the first `max` in the window get verified. Every attempt
    /// is stored, so the limits hold across restarts and across instances.
    func authenticate(email rawEmail: String, password: String, address rawAddress: String) async throws -> User {
        let email = FieldRules.normalizeEmail(rawEmail)
        // Nothing of unbounded length is stored: a longer "email" can't be an account.
        guard email.utf8.count <= FieldRules.maximumEmailLength else { throw Failure.invalidCredentials }
        let address = String(rawAddress.prefix(64))
        let now = environment.clock.now
        let config = environment.configuration
        let windowStart = now.addingTimeInterval(-config.loginWindow)

        let attempt = LoginAttempt(email: email, address: address, succeeded: false, at: now)
        try await attempt.create(on: db)

        let lastSuccess = try await LoginAttempt.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == true).filter(\.$attemptedAt >= windowStart)
            .sort(\.$attemptedAt, .descending).first()?.attemptedAt
        // Failures since the last success in the window, or in the whole window.
        let accountFailures = LoginAttempt.query(on: db).filter(\.$email == email).filter(\.$succeeded == false)
        if let lastSuccess {
            accountFailures.filter(\.$attemptedAt > lastSuccess)
        } else {
            accountFailures.filter(\.$attemptedAt >= windowStart)
        }
        if try await accountFailures.copy().count() > config.maxFailuresPerAccount {
            // A refused attempt is not a guess: forget it, so a lockout is not extended by knocking.
            try await attempt.delete(on: db)
            let oldest = try await accountFailures.sort(\.$attemptedAt).first()?.attemptedAt ?? now
            throw Failure.accountLocked(retryAfter: Self.secondsUntil(oldest, window: config.loginWindow, now: now))
        }
        let addressFailures = LoginAttempt.query(on: db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$attemptedAt >= windowStart)
        if try await addressFailures.copy().count() > config.maxFailuresPerAddress {
            try await attempt.delete(on: db)
            let oldest = try await addressFailures.sort(\.$attemptedAt).first()?.attemptedAt ?? now
            throw Failure.addressLocked(retryAfter: Self.secondsUntil(oldest, window: config.loginWindow, now: now))
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
        guard matches, let user else { throw Failure.invalidCredentials }
        attempt.succeeded = true
        try await attempt.save(on: db)
        user.lastLoginAt = now
        // A hash made with a lower cost than configured is upgraded while the password is at hand.
        if let cost = Self.bcryptCost(of: user.passwordHash), cost < config.bcryptCost {
            user.passwordHash = try await hasher.hash(password)
        }
        try await user.save(on: db)
        return user
    }

    /// The cost factor of a bcrypt hash (`$2b$12$…`), or nil if it isn't one.
    static func bcryptCost(of hash: String) -> Int? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0].hasPrefix("2") else { return nil }
        return Int(parts[1])
    }

    /// The sign-in account linked to a person in the directory, if any.
    func account(of personID: UUID) async throws -> User? {
        try await User.query(on: db).filter(\.$person.$id == personID).first()
    }

    // MARK: - Housekeeping

    /// Removes sign-in attempts older than any window needs.
    static func deleteOldAttempts(on db: any Database, now: Date, window: TimeInterval) async throws {
        let keep = max(86_400, window)
        try await LoginAttempt.query(on: db).filter(\.$attemptedAt < now.addingTimeInterval(-keep)).delete()
    }

    private static func secondsUntil(_ oldest: Date, window: TimeInterval, now: Date) -> Int {
        max(1, Int((oldest.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up)))
    }
}
