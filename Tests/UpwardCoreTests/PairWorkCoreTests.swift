import Foundation
import Testing
import UpwardCore

@Suite("Pairs at work: planning, calendars, sealing, delivery rules")
struct PairWorkCoreTests {
    static func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    static func local(_ date: Date, _ zone: String) -> (weekday: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        return (parts.weekday!, parts.hour! * 60 + parts.minute!)
    }

    @Test("a weekly series keeps its wall-clock time across both zones' daylight-saving changes, inside both people's hours")
    func seriesAcrossDST() throws {
        let ny = TimeZone(identifier: "America/New_York")!
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        // The US moves on 8 March 2026, Europe on 29 March: three different offsets in one series.
        let plan = MeetingPlanner.series(
            from: CalendarDate("2026-03-02")!, to: CalendarDate("2026-04-13")!, cadenceDays: 7, durationMinutes: 45, host: ny, zones: [ny, berlin])
        #expect(plan.count == 7)
        #expect(plan.allSatisfy { $0.fitsEveryone })
        for proposal in plan {
            #expect(Self.local(proposal.start, "America/New_York").minute == 10 * 60)
            let there = Self.local(proposal.start, "Europe/Berlin")
            #expect(there.minute >= 9 * 60 && there.minute + 45 <= 17 * 60)
            #expect((2...6).contains(there.weekday))
        }
        // The instants move with New York's clock change; adding 7 × 24 hours would not.
        #expect(plan[0].start == Self.utc("2026-03-02T15:00:00Z"))
        #expect(plan[1].start == Self.utc("2026-03-09T14:00:00Z"))
        #expect(plan[4].start == Self.utc("2026-03-30T14:00:00Z"))
    }

    @Test("when a clock change opens a shared window the series moves into it; without one it says so")
    func sharedWindowMoves() throws {
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let plan = MeetingPlanner.series(
            from: CalendarDate("2026-03-16")!, to: CalendarDate("2026-04-13")!, cadenceDays: 7, durationMinutes: 45, host: berlin, zones: [berlin, tokyo])
        #expect(plan.map(\.fitsEveryone) == [false, false, true, true, true])
        // From 30 March (summer time in Berlin) 09:00 Berlin is 16:00 in Tokyo.
        for proposal in plan.dropFirst(2) {
            #expect(Self.local(proposal.start, "Europe/Berlin").minute == 9 * 60)
            #expect(Self.local(proposal.start, "Asia/Tokyo").minute == 16 * 60)
        }
    }

    @Test("weekends move to Monday and the series ends at the program's last day")
    func weekends() {
        let utc = TimeZone(identifier: "UTC")!
        let plan = MeetingPlanner.series(
            from: CalendarDate("2026-03-07")!, to: CalendarDate("2026-03-22")!, cadenceDays: 14, durationMinutes: 60, host: utc, zones: [utc])
        // Saturday 7 March → Monday 9 March; Saturday 21 March would move to Monday 23, after the end.
        #expect(plan.map(\.start) == [Self.utc("2026-03-09T10:00:00Z")])
    }

    @Test("iCalendar output: CRLF, 75-octet folding without splitting characters, escaping, UTC times, cancelled status")
    func icalendar() throws {
        let long = String(repeating: "Zusammenarbeit über Ländergrenzen – 🤝 ", count: 8)
        let event = CalendarEvent(
            uid: "meeting-1@upward", sequence: 3, start: Self.utc("2026-03-09T14:00:00Z"), end: Self.utc("2026-03-09T14:45:00Z"),
            stamp: Self.utc("2026-03-01T08:00:00Z"), summary: "Ana, Ben; and \\ more", description: long + "\nline two", location: "Room 1",
            cancelled: true)
        let text = ICalendar.document([event], name: "Upward", refreshMinutes: 60)
        #expect(text.hasSuffix("\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(lines.contains("SEQUENCE:3"))
        #expect(lines.contains("STATUS:CANCELLED"))
        #expect(lines.contains("DTSTART:20260309T140000Z"))
        #expect(lines.contains("DTSTAMP:20260301T080000Z"))
        #expect(lines.contains("METHOD:PUBLISH"))
        #expect(lines.contains("REFRESH-INTERVAL;VALUE=DURATION:PT60M"))
        #expect(lines.contains("SUMMARY:Ana\\, Ben\\; and \\\\ more"))
        // Unfolding gives back the escaped description, characters whole.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("DESCRIPTION:" + ICalendar.escape(long + "\nline two")))
        #expect(ICalendar.fold(String(repeating: "é", count: 100)).components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
    }

    @Test("private notes: sealed text round-trips; a changed byte, another note's context or another key is detected")
    func sealing() throws {
        let sealer = try NoteSealer(base64: NoteSealer.generateKey())
        let sealed = try sealer.seal("I feel unsure about our pace", context: "note-1")
        #expect(!sealed.contains("unsure"))
        #expect(try sealer.open(sealed, context: "note-1") == "I feel unsure about our pace")
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(3)))!)
        bytes[bytes.count / 2] ^= 0x01
        let tampered = "v1." + Data(bytes).base64EncodedString()
        #expect(throws: NoteSealer.Tampered.self) { try sealer.open(tampered, context: "note-1") }
        #expect(throws: NoteSealer.Tampered.self) { try sealer.open(sealed, context: "note-2") }
        let other = try NoteSealer(base64: NoteSealer.generateKey())
        #expect(throws: NoteSealer.Tampered.self) { try other.open(sealed, context: "note-1") }
        #expect(throws: NoteSealer.KeyProblem.self) { try NoteSealer(base64: Data(repeating: 1, count: 16).base64EncodedString()) }
        #expect(throws: NoteSealer.KeyProblem.self) { try NoteSealer(base64: "not base64!") }
    }

    @Test("delivery rules: backoff grows and caps, digests fall on Monday 08:00 local, essential topics keep email")
    func deliveryRules() {
        let waits = (1...10).map { DeliverySchedule.backoff(afterAttempt: $0) }
        #expect(waits[0] == 60)
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(waits.last == TimeInterval(6 * 3600))
        // Sunday 29 March 2026, the day Berlin moves to summer time: the next digest is Monday 08:00 CEST.
        let next = DeliverySchedule.nextDigest(after: Self.utc("2026-03-29T12:00:00Z"), zone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(next == Self.utc("2026-03-30T06:00:00Z"))
        #expect(DeliverySchedule.reminderDue(start: Self.utc("2026-03-30T10:00:00Z"), now: Self.utc("2026-03-29T11:00:00Z"), lead: 86_400))
        #expect(!DeliverySchedule.reminderDue(start: Self.utc("2026-03-30T10:00:00Z"), now: Self.utc("2026-03-29T09:00:00Z"), lead: 86_400))
        let off = DeliveryPreferences(channels: [:])
        #expect(off.channels(for: .invitation) == [.email])
        #expect(off.channels(for: .meetings).isEmpty)
        #expect(!off.isImmediate(kind: "meeting.reminder"))
        #expect(off.isImmediate(kind: "invitation"))
        #expect(MessageTopic.of(kind: "circle.invited") == .meetings)
        #expect(MessageTopic.of(kind: "concern.raised") == .concerns)
    }

    @Test("email: CRLF, dot-stuffing, encoded subject, quoted-printable lines of at most 76")
    func email() {
        let message = EmailMessage(
            from: "upward@example.com", to: "ana@example.com", subject: "Réunion demain",
            body: ".starts with a dot\n" + String(repeating: "ü", count: 60), date: Self.utc("2026-03-01T08:00:00Z"), messageID: "x@upward")
        let data = message.smtpData()
        let lines = data.components(separatedBy: "\r\n")
        #expect(lines.contains("Subject: =?utf-8?B?\(Data("Réunion demain".utf8).base64EncodedString())?="))
        #expect(lines.contains("..starts with a dot"))
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(!data.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!EmailMessage.isSafeAddress("a@b.c>\r\nRCPT TO:<x@y"))
        #expect(EmailMessage.isSafeAddress("ana.ruiz@example.com"))
    }

    @Test("goals are validated field by field and progress follows milestones unless set by hand")
    func goals() throws {
        let failure = #expect(throws: ValidationFailure.self) {
            try GoalDraft.validate(.init(title: "", targetDate: "31/03/2026", focusArea: "Cooking", owner: "boss", progress: 140), focusAreas: ["AI tools"])
        }
        #expect(Set(failure?.issues.map(\.field) ?? []) == ["title", "targetDate", "focusArea", "owner", "progress"])
        let draft = try GoalDraft.validate(
            .init(
                title: "Use AI for weekly reports", focusArea: "AI tools", owner: "mentee",
                milestones: [.init(title: "Try three tools", done: true), .init(title: "Pick one", done: false), .init(title: " ", done: false)]),
            focusAreas: ["AI tools"])
        #expect(draft.milestones.count == 2)
        #expect(GoalDraft.progress(milestones: draft.milestones, manual: nil, status: .open) == 50)
        #expect(GoalDraft.progress(milestones: draft.milestones, manual: 80, status: .open) == 80)
        #expect(GoalDraft.progress(milestones: draft.milestones, manual: nil, status: .achieved) == 100)
    }

    @Test("a meeting's local start is read in its own zone; bad zones and times are named")
    func meetings() throws {
        let draft = try MeetingDraft.validate(.init(start: "2026-03-30T09:00", timeZone: "Europe/Berlin", durationMinutes: 45))
        #expect(draft.start == Self.utc("2026-03-30T07:00:00Z"))
        let failure = #expect(throws: ValidationFailure.self) {
            try MeetingDraft.validate(.init(start: "2026-13-30 25:00", timeZone: "Mars/Olympus", durationMinutes: 5))
        }
        #expect(Set(failure?.issues.map(\.field) ?? []) == ["start", "timeZone", "durationMinutes"])
    }
}

@Suite("Pair health")
struct PairHealthTests {
    static let start = Date(timeIntervalSince1970: 1_772_438_400)
    static func days(_ n: Double) -> Date { start.addingTimeInterval(n * 86_400) }

    @Test("too early, then on track with regular meetings, then each warning sign with its reason")
    func signals() {
        var facts = PairHealth.Facts(liveSince: Self.start, cadenceDays: 14)
        #expect(PairHealth.assess(facts, now: Self.days(5)).status == .tooEarly)
        #expect(PairHealth.assess(facts, now: Self.days(15)).reasons == ["no meeting logged in the 14 days since matching"])
        #expect(PairHealth.assess(facts, now: Self.days(29)).reasons.contains("no meeting logged in the 28 days since matching"))
        facts.held = [Self.days(3), Self.days(17)]
        facts.goals = 2
        facts.lastActivity = Self.days(17)
        #expect(PairHealth.assess(facts, now: Self.days(25)).status == .onTrack)
        let overdue = PairHealth.assess(facts, now: Self.days(40))
        #expect(overdue.status == .needsCheckIn && overdue.reasons == ["the last meeting was 23 days ago; the cadence is every 14 days"])
        facts.held.append(Self.days(38))
        facts.missed = [Self.days(24), Self.days(31)]
        facts.openConcerns = 1
        facts.unloggedPast = 1
        let many = PairHealth.assess(facts, now: Self.days(40))
        #expect(many.reasons.count == 3)
        #expect(!many.proposeClosing)
        facts = PairHealth.Facts(liveSince: Self.start, cadenceDays: 14, goals: 0)
        #expect(PairHealth.assess(facts, now: Self.days(22)).reasons.contains("no goals after three weeks"))
        let idle = PairHealth.assess(
            PairHealth.Facts(liveSince: Self.start, cadenceDays: 14, held: [Self.days(2)], goals: 1, lastActivity: Self.days(2)), now: Self.days(95))
        #expect(idle.proposeClosing && idle.reasons.contains("no activity for 93 days"))
    }
}

@Suite("Pulses")
struct PulseTests {
    static let start = Date(timeIntervalSince1970: 1_772_438_400)
    static func days(_ n: Double) -> Date { start.addingTimeInterval(n * 86_400) }

    @Test("after the first meeting, at day 30, then every 60 days; only the latest window")
    func windows() {
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: nil, now: Self.days(10)) == nil)
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: Self.days(5), now: Self.days(10)) == "first-meeting")
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: Self.days(5), now: Self.days(31)) == "day-30")
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: nil, now: Self.days(89)) == "day-30")
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: nil, now: Self.days(90)) == "day-90")
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: nil, now: Self.days(400)) == "day-390")
        #expect(PulseSchedule.latestWindow(liveSince: Self.start, firstHeld: nil, now: Self.days(60), every: 14) == "day-58")
    }

    @Test("low, mismatched and falling pairing-fit answers are health signals")
    func signals() {
        #expect(PulseSignals.reasons([.init(mentee: 4, mentor: 5)]).isEmpty)
        #expect(
            PulseSignals.reasons([.init(mentee: 2, mentor: 4)]) == [
                "a low pairing-fit answer in the latest pulse", "the two sides see the pairing differently (2 and 4 of 5)",
            ])
        #expect(PulseSignals.reasons([.init(mentee: 5, mentor: 5), .init(mentee: 3, mentor: 4)]) == ["pairing fit is falling (5 to 3 of 5)"])
        #expect(PulseSignals.reasons([.init(mentee: nil, mentor: 1)]) == ["a low pairing-fit answer in the latest pulse"])
    }
}
