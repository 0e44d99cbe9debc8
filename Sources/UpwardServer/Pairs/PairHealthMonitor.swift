import Fluent
import Foundation
import SQLKit
import UpwardCore

/// Pair health for a program's working pairs, from their meetings, goals, notes and concerns;
/// tells the program managers when a pair starts to need a check-in, and proposes closing a pair
/// idle for 90 days (with notice to both). Runs with housekeeping; every step is once per change.
struct PairHealthMonitor {
    let db: any Database
    let clock: any UpwardClock
    var pulseEveryDays = 60
    /// Pairs written per transaction by a housekeeping run: each hold of SQLite's write lock stays
    /// short while people write.
    var batchSize = 50

    /// Each working pair's pairing-fit answers in a program, oldest pulse first. Read from the
    /// program's pair surveys (its pulses) outward: filtered by the pairs' program alone, SQLite
    /// started from every participant's answers to every survey, 9 ms for none over the large demo's
    /// biggest program, 0.1 ms now.
    func pulses(program programID: UUID) async throws -> [UUID: [PulseSignals.Answer]] {
        struct Row: Decodable {
            let pair_id: UUID
            let survey_id: UUID
            let side: String
            let answers: String
        }
        let sql = try db.sql()
        let rows = try await sql.raw(
            """
            SELECT s.pair_id, s.id AS survey_id, pa.role AS side, r.answers FROM surveys s
            JOIN pairs p ON p.id = s.pair_id
            JOIN survey_responses r ON r.survey_id = s.id
            JOIN participants pa ON pa.program_id = p.program_id AND pa.person_id = r.person_id
            WHERE s.program_id = \(bind: programID) AND s.pair_id IS NOT NULL AND p.program_id = s.program_id AND p.status IN ('live', 'paused')
            ORDER BY s.created_at, s.id
            """
        ).all(decoding: Row.self)
        // Rows come survey by survey; each survey with a fit answer becomes one pulse of its pair.
        var result: [UUID: [PulseSignals.Answer]] = [:]
        var current: (pair: UUID, survey: UUID, mentee: Int?, mentor: Int?)?
        func flush() {
            if let done = current, done.mentee != nil || done.mentor != nil {
                result[done.pair, default: []].append(PulseSignals.Answer(mentee: done.mentee, mentor: done.mentor))
            }
        }
        for row in rows {
            if current?.survey != row.survey_id {
                flush()
                current = (row.pair_id, row.survey_id, nil, nil)
            }
            let fit = (JSONText.decode(row.answers) as [String: String]?)?["fit"].flatMap { Int($0) }
            if row.side == Enrollment.Role.mentee.rawValue { current?.mentee = fit } else { current?.mentor = fit }
        }
        flush()
        return result
    }

    /// Opens each live pair's latest due pulse (once per window) and asks both people. Two queries
    /// find the due ones: the live pairs with their first held meeting, and the windows already
    /// opened. (Asked pair by pair, the large demo's 5,000 live pairs took 10,000 queries, and each
    /// count read every survey, since no index leads with `pair_id`; with a write transaction per
    /// pair besides, a run with nothing due took 8.45 s of a core, and takes 0.14 s now.)
    func schedulePulses(program: Program) async throws {
        struct Due: SQLRowReadable {
            let id: UUID
            let live_at: Date?
            let created_at: Date
            let first_held: Date?
            let mentee_person: UUID
            let mentor_person: UUID

            init(row: some SQLRow) throws {
                id = try row.read("id")
                live_at = try row.read("live_at")
                created_at = try row.read("created_at")
                first_held = try row.read("first_held")
                mentee_person = try row.read("mentee_person")
                mentor_person = try row.read("mentor_person")
            }
        }
        struct Opened: Decodable, Hashable {
            let pair_id: UUID
            let window: String
        }
        let programID = try program.requireID()
        let sql = try db.sql()
        let pairs = try await sql.raw(
            """
            SELECT p.id, p.live_at, p.created_at, me.person_id AS mentee_person, mo.person_id AS mentor_person,
              (SELECT MIN(m.starts_at) FROM meetings m WHERE m.pair_id = p.id AND m.status = 'held') AS first_held
            FROM pairs p JOIN participants me ON me.id = p.mentee_id JOIN participants mo ON mo.id = p.mentor_id
            WHERE p.program_id = \(bind: programID) AND p.status = 'live'
            """
        ).all(reading: Due.self)
        let opened = Set(
            try await sql.raw(
                """
                SELECT s.pair_id, s."window" FROM surveys s WHERE s.program_id = \(bind: programID) AND s.pair_id IS NOT NULL AND s."window" IS NOT NULL
                """
            ).all(decoding: Opened.self))
        let now = clock.now
        let due = pairs.compactMap { pair -> (Due, String)? in
            guard
                let window = PulseSchedule.latestWindow(
                    liveSince: pair.live_at ?? pair.created_at, firstHeld: pair.first_held, now: now, every: pulseEveryDays),
                !opened.contains(Opened(pair_id: pair.id, window: window))
            else { return nil }
            return (pair, window)
        }
        // A pulse and its two messages are written together, a batch of pairs per transaction.
        for batch in due.chunks(of: max(1, batchSize)) {
            try await db.writeTransaction { db in
                for (pair, window) in batch {
                    let survey = try await SurveyService(db: db, clock: clock).create(
                        in: program, phase: SurveyPhase.pulse.rawValue, anonymous: false, audience: "both", by: nil, pair: pair.id, window: window)
                    for person in [pair.mentee_person, pair.mentor_person] {
                        try await Notifications(db: db, clock: clock).send(
                            to: person, kind: "survey.pulse", title: "How is your pairing going?",
                            body: "One question (and room for a comment) about how your pairing works for you. Your program manager sees the answer.",
                            link: SiteRoute.survey.path(survey.requireID().text))
                    }
                }
            }
        }
    }

    /// Every working pair's health, from a few aggregate queries (no row per meeting is loaded
    /// but the logged ones, so a program of thousands of pairs is assessed in milliseconds).
    func assess(program: Program) async throws -> [UUID: PairHealth.Assessment] {
        struct PairRow: SQLRowReadable {
            let id: UUID
            let live_at: Date?
            let created_at: Date
            let goals: Int
            let concerns: Int
            let goal_activity: Date?
            let note_activity: Date?

            init(row: some SQLRow) throws {
                id = try row.read("id")
                live_at = try row.read("live_at")
                created_at = try row.read("created_at")
                goals = try row.read("goals")
                concerns = try row.read("concerns")
                goal_activity = try row.read("goal_activity")
                note_activity = try row.read("note_activity")
            }
        }
        struct MeetingRow: SQLRowReadable {
            let pair_id: UUID
            let starts_at: Date
            let duration_minutes: Int
            let status: String
            let updated_at: Date

            init(row: some SQLRow) throws {
                pair_id = try row.read("pair_id")
                starts_at = try row.read("starts_at")
                duration_minutes = try row.read("duration_minutes")
                status = try row.read("status")
                updated_at = try row.read("updated_at")
            }
        }
        let programID = try program.requireID()
        let sql = try db.sql()
        let pairs = try await sql.raw(
            """
            SELECT p.id, p.live_at, p.created_at,
              (SELECT COUNT(*) FROM goals g WHERE g.pair_id = p.id) AS goals,
              (SELECT COUNT(*) FROM concerns c WHERE c.pair_id = p.id AND c.status <> 'resolved') AS concerns,
              (SELECT MAX(g.updated_at) FROM goals g WHERE g.pair_id = p.id) AS goal_activity,
              (SELECT MAX(n.created_at) FROM pair_notes n WHERE n.pair_id = p.id) AS note_activity
            FROM pairs p WHERE p.program_id = \(bind: programID) AND p.status IN ('live', 'paused')
            """
        ).all(reading: PairRow.self)
        guard !pairs.isEmpty else { return [:] }
        let now = clock.now
        // Logged meetings, and scheduled ones that started over a week ago (left unlogged). A meeting
        // is logged only once it has started (see ``Meetings/log(_:outcome:summary:followUps:in:by:)``),
        // so none of these starts after now: the bound lets SQLite walk each pair's meetings by start
        // (`meetings_pair_figures`, which holds every column read here) up to now and leave the months
        // of scheduled ones ahead unread, 28 ms down to 6-10 ms over the large demo's biggest program.
        let meetings = Dictionary(
            grouping: try await sql.raw(
                """
                SELECT m.pair_id, m.starts_at, m.duration_minutes, m.status, m.updated_at FROM meetings m JOIN pairs p ON p.id = m.pair_id
                WHERE p.program_id = \(bind: programID) AND p.status IN ('live', 'paused') AND m.starts_at <= \(bind: now)
                  AND (m.status IN ('held', 'missed') OR (m.status = 'scheduled' AND m.starts_at < \(bind: now.addingTimeInterval(-7 * 86_400))))
                """
            ).all(reading: MeetingRow.self), by: \.pair_id)
        let pulses = try await pulses(program: programID)
        var result: [UUID: PairHealth.Assessment] = [:]
        for pair in pairs {
            let list = meetings[pair.id] ?? []
            let held = list.filter { $0.status == MeetingStatus.held.rawValue }
            let missed = list.filter { $0.status == MeetingStatus.missed.rawValue }
            let unlogged = list.filter {
                $0.status == MeetingStatus.scheduled.rawValue
                    && $0.starts_at.addingTimeInterval(TimeInterval($0.duration_minutes * 60)) < now.addingTimeInterval(-7 * 86_400)
            }
            let activity = ((held + missed).map(\.updated_at) + [pair.goal_activity, pair.note_activity].compactMap { $0 }).max()
            var facts = PairHealth.Facts(
                liveSince: pair.live_at ?? pair.created_at, cadenceDays: program.cadenceDays, held: held.map(\.starts_at), missed: missed.map(\.starts_at),
                unloggedPast: unlogged.count, goals: pair.goals, openConcerns: pair.concerns, lastActivity: activity)
            facts.pulses = pulses[pair.id] ?? []
            result[pair.id] = PairHealth.assess(facts, now: now)
        }
        return result
    }

    /// Alerts and closing proposals for every active program. Only the pairs whose stored health
    /// is out of date, or whose closing is newly due, are loaded and written, a batch per transaction.
    func run() async throws {
        struct Stored: SQLRowReadable {
            let id: UUID
            let health: String?
            let closing_proposed_at: Date?

            init(row: some SQLRow) throws {
                id = try row.read("id")
                health = try row.read("health")
                closing_proposed_at = try row.read("closing_proposed_at")
            }
        }
        let programs = try await Program.query(on: db).filter(\.$status == ProgramStatus.active.rawValue).all()
        for program in programs {
            try await schedulePulses(program: program)
            let assessments = try await assess(program: program)
            guard !assessments.isEmpty else { continue }
            let stored = try await db.sql().raw(
                "SELECT id, health, closing_proposed_at FROM pairs WHERE program_id = \(bind: program.requireID()) AND status IN ('live', 'paused')"
            ).all(reading: Stored.self)
            let changed = stored.filter { pair in
                guard let assessment = assessments[pair.id] else { return false }
                return assessment.status.rawValue != pair.health || (assessment.proposeClosing && pair.closing_proposed_at == nil)
            }.map(\.id)
            for batch in changed.chunks(of: max(1, batchSize)) {
                let pairs = try await Pair.query(on: db).filter(\.$id ~~ Array(batch))
                    .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
                try await db.writeTransaction { db in
                    for pair in pairs {
                        guard let assessment = assessments[pair.id!] else { continue }
                        try await record(assessment, of: pair, in: program, on: db)
                    }
                }
            }
        }
    }

    /// Stores a pair's new health (telling the managers when it needs a check-in) and proposes
    /// closing it when it has been idle for 90 days (telling both people and the managers).
    private func record(_ assessment: PairHealth.Assessment, of pair: Pair, in program: Program, on db: any Database) async throws {
        if assessment.status.rawValue != pair.health {
            pair.health = assessment.status.rawValue
            try await pair.save(on: db)
            if assessment.status == .needsCheckIn {
                try await Outbox.toManagers(
                    of: program, kind: "pair.at_risk", title: "\(pair.mentee.person.name) & \(pair.mentor.person.name) need a check-in",
                    body: "In \(program.name): " + assessment.reasons.joined(separator: "; ") + ".", link: SitePath.pair(pair.id!), on: db,
                    clock: clock)
            }
        }
        if assessment.proposeClosing && pair.closingProposedAt == nil {
            pair.closingProposedAt = clock.now
            try await pair.save(on: db)
            for person in [pair.mentee.person, pair.mentor.person] {
                try await Notifications(db: db, clock: clock).send(
                    to: person.requireID(), kind: "pair.closing_proposed", title: "Is your pair still going?",
                    body:
                        "Nothing has been logged in your pair for 90 days. Log a meeting or a goal to keep it open; otherwise your program manager may close it (a no-fault ending).",
                    link: SitePath.pair(pair.id!))
            }
            try await Outbox.toManagers(
                of: program, kind: "pair.closing_proposed", title: "Close \(pair.mentee.person.name) & \(pair.mentor.person.name)?",
                body: "No activity for 90 days in \(program.name); both were told.", link: SitePath.pair(pair.id!), on: db, clock: clock)
        }
    }
}
