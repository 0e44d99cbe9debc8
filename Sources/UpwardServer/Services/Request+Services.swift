import Fluent
import Vapor

/// The services a request handler uses, bound to the request's database and environment.
extension Request {
    private struct DatabaseKey: StorageKey {
        typealias Value = any Database
    }

    /// The request's database, made on first use and kept for the rest of the request. Fluent's
    /// `req.db` makes a new one on every call: it reads the application's storage three times and
    /// its database registry once, each behind a lock that both event loops take (4.2% of the
    /// participant home page's CPU, for its six uses). Made after the request id is in the
    /// request's logger, so its statements are logged with it.
    var database: any Database {
        if let made = storage[DatabaseKey.self] { return made }
        let made = db
        storage[DatabaseKey.self] = made
        return made
    }

    var accounts: Accounts { Accounts(db: database, hasher: password.async, environment: upward) }
    var directory: PeopleDirectory { PeopleDirectory(db: database, order: application.directoryOrder, overviewCache: application.directoryOverview) }
    var sessionStore: SessionStore { SessionStore(db: database, clock: upward.clock) }
    var programs: Programs { Programs(db: database, clock: upward.clock) }
    var invitations: Invitations {
        Invitations(db: database, clock: upward.clock, lifetime: upward.configuration.invitationLifetime)
    }
    var enrollments: Enrollments { Enrollments(db: database, clock: upward.clock) }
    var matchmaking: Matchmaking { Matchmaking(db: database, clock: upward.clock) }
    var suggestions: Suggestions { Suggestions(db: database, clock: upward.clock) }
    var auditLog: AuditLog { AuditLog(db: database, clock: upward.clock) }
    var notifications: Notifications { Notifications(db: database, clock: upward.clock) }
    var apiTokens: APITokens { APITokens(db: database, clock: upward.clock) }
}
