import Vapor

/// The services a request handler uses, bound to the request's database and environment.
extension Request {
    var accounts: Accounts { Accounts(db: db, hasher: password.async, environment: upward) }
    var directory: PeopleDirectory { PeopleDirectory(db: db) }
    var sessionStore: SessionStore { SessionStore(db: db, clock: upward.clock) }
}
