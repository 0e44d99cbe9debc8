import Fluent
import Foundation
import UpwardCore

/// Pair health for a program's working pairs, from their meetings, goals, notes and concerns;
/// tells the program managers when a pair starts to need a check-in, and proposes closing a pair
/// idle for 90 days (with notice to both). Runs with housekeeping; every step is once per change.
struct PairHealthMonitor {
    let db: any Database
    let clock: any UpwardClock
    var pulseEveryDays = 60

    /// Each pair's pairing-fit answers, oldest pulse first.
    func pulses(_ pairs: [Pair]) async throws -> [UUID: [PulseSignals.Answer]] {
        let ids = pairs.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let surveys = try await Survey.query(on: db).filter(\.$pairID ~~ ids).sort(\.$createdAt).all()
        guard !surveys.isEmpty else { return [:] }
        let responses = Dictionary(
            grouping: try await SurveyResponse.query(on: db).filter(\.$survey.$id ~~ surveys.compactMap(\.id)).all(), by: { $0.$survey.id })
        let people = try await Participant.query(on: db).filter(\.$id ~~ pairs.flatMap { [$0.$mentee.id, $0.$mentor.id] }).all()
        let personOf = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0.$person.id) })
        var result: [UUID: [PulseSignals.Answer]] = [:]
        for survey in surveys {
            guard let pairID = survey.pairID, let pair = pairs.first(where: { $0.id == pairID }) else { continue }
            let answers = responses[survey.id!] ?? []
            func fit(_ participant: UUID) -> Int? {
                answers.first { $0.$person.id == personOf[participant] }?.answers["fit"].flatMap { Int($0) }
            }
            let answer = PulseSignals.Answer(mentee: fit(pair.$mentee.id), mentor: fit(pair.$mentor.id))
            if answer.mentee != nil || answer.mentor != nil { result[pairID, default: []].append(answer) }
        }
        return result
    }

    /// Opens each live pair's latest due pulse (once per window) and asks both people.
    func schedulePulses(program: Program) async throws {
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == program.requireID()).filter(\.$status == Pair.Status.live.rawValue).all()
        for pair in pairs {
            let id = try pair.requireID()
            let firstHeld = try await Meeting.query(on: db).filter(\.$pair.$id == id).filter(\.$status == MeetingStatus.held.rawValue).sort(\.$startsAt).first()
            guard
                let window = PulseSchedule.latestWindow(
                    liveSince: pair.liveAt ?? pair.createdAt, firstHeld: firstHeld?.startsAt, now: clock.now, every: pulseEveryDays),
                try await Survey.query(on: db).filter(\.$pairID == id).filter(\.$window == window).count() == 0
            else { continue }
            let survey = try await SurveyService(db: db, clock: clock).create(
                in: program, phase: SurveyPhase.pulse.rawValue, anonymous: false, audience: "both", by: nil, pair: id, window: window)
            for participantID in [pair.$mentee.id, pair.$mentor.id] {
                guard let participant = try await Participant.find(participantID, on: db) else { continue }
                try await Notifications(db: db, clock: clock).send(
                    to: participant.$person.id, kind: "survey.pulse", title: "How is your pairing going?",
                    body: "One question (and room for a comment) about how your pairing works for you. Your program manager sees the answer.",
                    link: SiteRoute.survey.path(survey.id!.uuidString))
            }
        }
    }

    func assess(program: Program) async throws -> [UUID: PairHealth.Assessment] {
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == program.requireID())
            .filter(\.$status ~~ [Pair.Status.live.rawValue, Pair.Status.paused.rawValue]).all()
        let ids = pairs.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let meetings = Dictionary(grouping: try await Meeting.query(on: db).filter(\.$pair.$id ~~ ids).all(), by: { $0.$pair.id ?? UUID() })
        let goals = Dictionary(grouping: try await Goal.query(on: db).filter(\.$pair.$id ~~ ids).all(), by: { $0.$pair.id })
        let notes = Dictionary(grouping: try await PairNote.query(on: db).filter(\.$pair.$id ~~ ids).all(), by: { $0.$pair.id })
        let concerns = Dictionary(
            grouping: try await Concern.query(on: db).filter(\.$pair.$id ~~ ids).filter(\.$status != ConcernStatus.resolved.rawValue).all(),
            by: { $0.$pair.id })
        let now = clock.now
        let pulses = try await pulses(pairs)
        var result: [UUID: PairHealth.Assessment] = [:]
        for pair in pairs {
            let id = pair.id!
            let list = meetings[id] ?? []
            let logged = list.filter { $0.meetingStatus == .held || $0.meetingStatus == .missed }
            let activity = (logged.map(\.updatedAt) + (goals[id] ?? []).map(\.updatedAt) + (notes[id] ?? []).map(\.createdAt)).max()
            var facts = PairHealth.Facts(
                liveSince: pair.liveAt ?? pair.createdAt, cadenceDays: program.cadenceDays,
                held: list.filter { $0.meetingStatus == .held }.map(\.startsAt), missed: list.filter { $0.meetingStatus == .missed }.map(\.startsAt),
                unloggedPast: list.filter { $0.meetingStatus == .scheduled && $0.endsAt < now.addingTimeInterval(-7 * 86_400) }.count,
                goals: goals[id]?.count ?? 0, openConcerns: concerns[id]?.count ?? 0, lastActivity: activity)
            facts.pulses = pulses[id] ?? []
            result[id] = PairHealth.assess(facts, now: now)
        }
        return result
    }

    /// Alerts and closing proposals for every active program.
    func run() async throws {
        let programs = try await Program.query(on: db).filter(\.$status == ProgramStatus.active.rawValue).all()
        for program in programs {
            try await schedulePulses(program: program)
            let assessments = try await assess(program: program)
            guard !assessments.isEmpty else { continue }
            let pairs = try await Pair.query(on: db).filter(\.$id ~~ Array(assessments.keys))
                .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
            for pair in pairs {
                guard let assessment = assessments[pair.id!] else { continue }
                let previous = pair.health
                try await db.writeTransaction { db in
                    if assessment.status.rawValue != previous {
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
        }
    }
}
