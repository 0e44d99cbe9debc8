import Vapor

/// The services a request handler uses, bound to the request's database and environment.
extension Request {
    var accounts: Accounts { Accounts(db: db, hasher: password.async, environment: upward) }
    var directory: PeopleDirectory { PeopleDirectory(db: db, order: application.directoryOrder) }
    var sessionStore: SessionStore { SessionStore(db: db, clock: upward.clock) }
    var programs: Programs { Programs(db: db, clock: upward.clock) }
    var invitations: Invitations {
        Invitations(db: db, clock: upward.clock, lifetime: upward.configuration.invitationLifetime)
    }
    var enrollments: Enrollments { Enrollments(db: db, clock: upward.clock) }
    var matchmaking: Matchmaking { Matchmaking(db: db, clock: upward.clock) }
    var suggestions: Suggestions { Suggestions(db: db, clock: upward.clock) }
    var auditLog: AuditLog { AuditLog(db: db, clock: upward.clock) }
    var notifications: Notifications { Notifications(db: db, clock: upward.clock) }
    var apiTokens: APITokens { APITokens(db: db, clock: upward.clock) }
}
