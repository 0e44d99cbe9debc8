import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import UpwardCore
import Vapor

/// The delivery outbox. Messages become `deliveries` rows (one per channel and address); a
/// worker claims due rows, records the attempt, sends, and marks the outcome.
///
/// The guarantee: a message is delivered at most once. The attempt is committed (status
/// `sending`) before anything is sent; only a failure that certainly delivered nothing goes back
/// to `pending` for a retry with backoff; a crash or restart mid-send leaves the row `sending`,
/// and it is later marked `interrupted` and never sent again. Rows are claimed with
/// `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer), so several instances never
/// claim the same row.
struct Outbox {
    let db: any Database
    let clock: any UpwardClock
    let configuration: UpwardConfiguration
    let transport: any MessageTransport

    /// An attempt still `sending` after this long belongs to an instance that died.
    static let staleAfter: TimeInterval = 10 * 60

    struct Report: Sendable, Equatable {
        var routed = 0
        var sent = 0
        var retried = 0
        var failed = 0
        var interrupted = 0
    }

    /// One pass: route new messages, schedule reminders and digests, recover stale attempts, send what is due.
    @discardableResult
    func runOnce(limit: Int = 50) async throws -> Report {
        var report = Report()
        report.routed = try await route()
        try await DeliveryScheduler(db: db, clock: clock, reminderLead: configuration.reminderLead).run()
        report.routed += try await route()
        report.interrupted = try await recoverStale()
        while true {
            let claimed = try await claim(limit: limit)
            if claimed.isEmpty { break }
            for delivery in claimed {
                switch await attempt(delivery) {
                case .sent: report.sent += 1
                case .retry: report.retried += 1
                case .failed: report.failed += 1
                }
            }
            if claimed.count < limit { break }
        }
        return report
    }

    // MARK: - Routing

    /// Managers of a program hear about concerns and endings on their own channels.
    static func toManagers(of program: Program, kind: String, title: String, body: String, link: String?, on db: any Database, clock: any UpwardClock)
        async throws
    {
        let managers = try await ProgramManager.query(on: db).filter(\.$program.$id == program.requireID()).all().map(\.$user.id)
        for user in managers {
            try await Delivery(
                channel: "user", address: user.text, kind: kind, message: OutgoingMessage(title: title, body: body, link: link), at: clock.now
            ).create(on: db)
        }
    }

    /// A security message to an account (essential: always by email when email is on): in-app for
    /// people in the directory, straight to the account's channels otherwise.
    static func security(to user: User, title: String, body: String, on db: any Database, clock: any UpwardClock) async throws {
        if let person = user.$person.id {
            try await Notifications(db: db, clock: clock).send(to: person, kind: "security.notice", title: title, body: body, link: SitePath.account)
            return
        }
        try await Delivery(
            channel: "user", address: try user.requireID().text, kind: "security.notice",
            message: OutgoingMessage(title: title, body: body, link: SitePath.account), at: clock.now
        ).create(on: db)
    }

    /// Turns new in-app messages (and messages addressed to accounts) into one delivery per
    /// channel the person wants, or marks them for the weekly digest. Each message is routed by
    /// exactly one instance: the first to flip its `routed_at`.
    func route(limit: Int = 200) async throws -> Int {
        var count = 0
        let fresh = try await Notification.query(on: db).filter(\.$routedAt == nil).sort(\.$createdAt).range(..<limit).all()
        for note in fresh {
            let won = try await db.writeTransaction { db -> Bool in
                let rows = try await Self.sql(db).update(Notification.schema).set("routed_at", to: clock.now)
                    .where("id", .equal, note.id!).where("routed_at", .is, SQLLiteral.null).returning("id").all()
                guard !rows.isEmpty else { return false }
                let person = try await Person.fetch(note.$person.id, on: db)
                let user = try await User.query(on: db).filter(\.$person.$id == note.$person.id).first()
                let setting = try await DeliverySetting.forUser(user?.id, on: db)
                let message = OutgoingMessage(title: note.title, body: note.body, link: note.link.map { configuration.publicURL + $0 })
                let made = try await enqueue(
                    message, kind: note.kind, notification: note.id, email: person?.email, setting: setting, on: db)
                if made == 0 && MessageTopic.of(kind: note.kind) != .digest {
                    try await Notification.query(on: db).filter(\.$id == note.id!).set(\.$inDigest, to: true).update()
                }
                // The one-time invitation link lives only in the outgoing email, never in the in-app list.
                if note.kind == "invitation", let link = note.link, link.hasPrefix("/invitations/") {
                    try await Notification.query(on: db).filter(\.$id == note.id!).set(\.$link, to: SitePath.programs).update()
                }
                return true
            }
            if won { count += 1 }
        }
        // Messages to accounts (program managers): expand by their preferences.
        let forUsers = try await Delivery.query(on: db).filter(\.$channel == "user").filter(\.$status == Delivery.Status.pending.rawValue).range(..<limit).all()
        for row in forUsers {
            let routed = try await db.writeTransaction { db -> Bool in
                let deleted = try await Self.sql(db).delete(from: Delivery.schema).where("id", .equal, row.id!).where("channel", .equal, "user")
                    .returning("id").all()
                guard !deleted.isEmpty, let userID = UUID(uuidString: row.address), let user = try await User.fetch(userID, on: db) else { return false }
                let setting = try await DeliverySetting.query(on: db).filter(\.$user.$id == userID).first()
                _ = try await enqueue(
                    OutgoingMessage(title: row.title, body: row.body, link: row.link.map { configuration.publicURL + $0 }), kind: row.kind, notification: nil,
                    email: user.email, setting: setting, on: db)
                return true
            }
            if routed { count += 1 }
        }
        return count
    }

    static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw DeliveryFailure("the outbox needs an SQL database", certainlyNotDelivered: true) }
        return sql
    }

    /// One pending delivery per chosen channel this instance can use. Returns how many.
    func enqueue(_ message: OutgoingMessage, kind: String, notification: UUID?, email: String?, setting: DeliverySetting?, on db: any Database) async throws
        -> Int
    {
        let preferences = setting?.preferences ?? .defaults
        var made = 0
        for channel in preferences.channels(for: MessageTopic.of(kind: kind)) where transport.channels.contains(channel) {
            let address: String?
            switch channel {
            case .email: address = email
            case .slack: address = setting?.slackURL
            case .teams: address = setting?.teamsURL
            }
            guard let address, !address.isEmpty else { continue }
            try await Delivery(channel: channel.rawValue, address: address, kind: kind, message: message, notification: notification, at: clock.now)
                .create(on: db)
            made += 1
        }
        return made
    }

    // MARK: - Claiming and sending

    /// Claims due rows for this instance and records the attempt, in one statement.
    func claim(limit: Int) async throws -> [Delivery] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let lock = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let now = clock.now
        // Most passes find nothing: look first, so an idle worker never takes SQLite's write lock.
        guard
            try await Delivery.query(on: db).filter(\.$status == Delivery.Status.pending.rawValue).filter(\.$channel != "user")
                .filter(\.$nextAttemptAt <= now).first() != nil
        else { return [] }
        let rows = try await sql.raw(
            """
            UPDATE deliveries SET status = 'sending', claimed_by = \(bind: configuration.instanceName), claimed_at = \(bind: now), attempts = attempts + 1
            WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND channel <> 'user' AND next_attempt_at <= \(bind: now)
            ORDER BY next_attempt_at LIMIT \(unsafeRaw: String(max(1, limit))) \(unsafeRaw: lock))
            RETURNING id
            """
        ).all()
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        return try await Delivery.query(on: db).filter(\.$id ~~ ids).all()
    }

    enum Outcome { case sent, retry, failed }

    func attempt(_ delivery: Delivery) async -> Outcome {
        let message = OutgoingMessage(title: delivery.title, body: delivery.body, link: delivery.link)
        do {
            guard let channel = DeliveryChannel(rawValue: delivery.channel) else {
                throw DeliveryFailure("unknown channel \(delivery.channel)", certainlyNotDelivered: true)
            }
            try await transport.send(channel: channel, address: delivery.address, message: message, messageID: "\(delivery.id!.text.lowercased())@upward")
            delivery.status = Delivery.Status.sent.rawValue
            delivery.sentAt = clock.now
            delivery.lastError = nil
            // A sent invitation's one-time link is not kept.
            if delivery.kind == "invitation" { delivery.link = nil }
            try? await delivery.save(on: db)
            return .sent
        } catch {
            let failure = error as? DeliveryFailure ?? DeliveryFailure(String(describing: error), certainlyNotDelivered: false)
            delivery.lastError = String(failure.reason.prefix(500))
            let outcome: Outcome
            if !failure.certainlyNotDelivered {
                delivery.status = Delivery.Status.interrupted.rawValue
                outcome = .failed
            } else if delivery.attempts >= DeliverySchedule.maximumAttempts {
                delivery.status = Delivery.Status.failed.rawValue
                outcome = .failed
            } else {
                delivery.status = Delivery.Status.pending.rawValue
                delivery.nextAttemptAt = clock.now.addingTimeInterval(DeliverySchedule.backoff(afterAttempt: delivery.attempts))
                outcome = .retry
            }
            try? await delivery.save(on: db)
            return outcome
        }
    }

    /// Attempts left `sending` by an instance that stopped: they may have been delivered, so they are never retried.
    func recoverStale() async throws -> Int {
        let stale = try await Delivery.query(on: db).filter(\.$status == Delivery.Status.sending.rawValue)
            .filter(\.$claimedAt < clock.now.addingTimeInterval(-Self.staleAfter)).all()
        for delivery in stale {
            delivery.status = Delivery.Status.interrupted.rawValue
            delivery.lastError = "the attempt was interrupted (the instance stopped); not retried so it is never delivered twice"
            try await delivery.save(on: db)
        }
        return stale.count
    }
}

extension Application {
    var messageTransport: any MessageTransport {
        upward.transport ?? NetworkTransport(smtp: upward.configuration.smtp, client: client, group: eventLoopGroup)
    }
    var outbox: Outbox { Outbox(db: db, clock: upward.clock, configuration: upward.configuration, transport: messageTransport) }
}
