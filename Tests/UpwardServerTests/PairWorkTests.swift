import Fluent
import Foundation
import SQLKit
import Synchronization
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

/// Records what would have been sent; fails on demand.
final class FakeTransport: MessageTransport, @unchecked Sendable {
    struct Sent: Sendable {
        let channel: DeliveryChannel
        let address: String
        let message: OutgoingMessage
        let messageID: String
    }
    private let state = Mutex<(sent: [Sent], failuresLeft: Int, uncertain: Bool)>(([], 0, false))
    let channels: Set<DeliveryChannel> = [.email, .slack, .teams]
    var delay: Duration = .zero

    var sent: [Sent] { state.withLock { $0.sent } }
    func fail(next count: Int, uncertain: Bool = false) {
        state.withLock {
            $0.failuresLeft = count; $0.uncertain = uncertain
        }
    }

    func send(channel: DeliveryChannel, address: String, message: OutgoingMessage, messageID: String) async throws {
        if delay > .zero { try await Task.sleep(for: delay) }
        let failure = state.withLock { value -> DeliveryFailure? in
            if value.failuresLeft > 0 {
                value.failuresLeft -= 1
                return DeliveryFailure("simulated failure", certainlyNotDelivered: !value.uncertain)
            }
            value.sent.append(Sent(channel: channel, address: address, message: message, messageID: messageID))
            return nil
        }
        if let failure { throw failure }
    }
}

extension ProgramWorld {
    /// 2 March 2026, 08:00 UTC: inside program A (January to June).
    static let spring = Date(timeIntervalSince1970: 1_772_438_400)

    /// Runs matching and approves: every pair goes live (everyone is ready) and gets its meeting series.
    func goLive() async throws -> [Pair] {
        let (programs, _, _, matching, _) = services
        try await programs.transition(programA, to: .matching, by: Viewer(managerA))
        _ = try await matching.run(programA, by: Viewer(managerA))
        _ = try await matching.approve(programA, by: Viewer(managerA))
        return try await pairs(status: .live)
    }

    var outbox: Outbox { app.outbox }
}

extension AppTests {
    @Suite("Pairs at work")
    struct PairWorkTests {
        @Test("GET /api/v1/pairs/{id}: its two people and its program's managers see it, managers alone see warnings, nobody else learns it exists")
        func pairCardVisibility() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock())
                let live = try await world.goLive()
                let pair = try #require(live.first)
                let other = try #require(live.first { $0.id != pair.id })
                pair.warningsJSON = JSONText.encode(["a low score"])
                pair.manualReason = "pilot request"
                try await pair.save(on: app.db)
                let path = "/api/v1/pairs/\(pair.id!)"
                func get(_ user: User) async throws -> TestingHTTPResponse { try await world.api(.GET, path, token: try await world.token(user)) }
                let menteeUser = try #require(world.users[pair.mentee.person.employeeID])
                let mentee = try await get(menteeUser)
                #expect(mentee.status == .ok)
                let card = try mentee.content.decode(APIModel.PairOut.self)
                #expect(card.id == pair.id && card.mentee.name == pair.mentee.person.name && card.mentor.name == pair.mentor.person.name)
                #expect(card.reasons == pair.reasons && !card.reasons.isEmpty)
                #expect(card.warnings.isEmpty && card.manualReason == nil)
                #expect(try await get(try #require(world.users[pair.mentor.person.employeeID])).status == .ok)
                // Someone in another pair of the same program, and the other program's manager: not found.
                #expect(try await get(try #require(world.users[other.mentee.person.employeeID])).status == .notFound)
                #expect(try await get(world.managerB).status == .notFound)
                let manager = try await get(world.managerA)
                #expect(manager.status == .ok)
                let managed = try manager.content.decode(APIModel.PairOut.self)
                #expect(managed.warnings == ["a low score"] && managed.manualReason == "pilot request")
                // While only proposed, its people don't see it; its manager does.
                pair.status = Pair.Status.proposed.rawValue
                try await pair.save(on: app.db)
                #expect(try await get(menteeUser).status == .notFound)
                #expect(try await get(world.managerA).status == .ok)
                #expect(try await world.api(.GET, "/api/v1/pairs/\(UUID())", token: try await world.token(world.managerA)).status == .notFound)
                #expect(try await world.api(.GET, "/api/v1/pairs/not-an-id", token: try await world.token(world.managerA)).status == .badRequest)
            }
        }

        static func withTransport(_ clock: FixedClock, _ transport: FakeTransport, _ body: (Application) async throws -> Void) async throws {
            try await withUpward(clock: clock) { app in
                app.upward.transport = transport
                try await body(app)
            }
        }

        @Test("a live pair gets a meeting series inside both people's working hours, and its page shows it")
        func series() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let live = try await world.goLive()
                #expect(live.count == 3)
                for pair in live {
                    let meetings = try await Meetings(db: app.db, clock: world.clock).list(pair: pair.id!)
                    // Every 14 days from 4 March to the end of June.
                    #expect(meetings.count == 9)
                    for meeting in meetings {
                        #expect(MeetingPlanner.fits(start: meeting.startsAt, minutes: meeting.durationMinutes, zones: [TimeZone(identifier: "Europe/Berlin")!]))
                        #expect(meeting.timeZone == "Europe/Berlin")
                    }
                    #expect(meetings.first!.agenda.contains("Planned topics") && meetings.first!.agenda.contains("Open time"))
                }
                let pair = live[0]
                let browser = try await world.signIn(pair.mentee.person.employeeID)
                let page = try await browser.get(SitePath.pair(pair.id!))
                #expect(page.status == .ok)
                #expect(page.body.string.contains("Wed 4 Mar 2026, 10:00 (Europe/Berlin)"))
            }
        }

        @Test("moving and cancelling raise SEQUENCE, cancelled meetings are STATUS:CANCELLED, the partner is told, others get 404")
        func moveAndCancel() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let meetings = try await Meetings(db: app.db, clock: world.clock).list(pair: pair.id!)
                let meeting = meetings[1]
                let mentee = try await world.signIn(pair.mentee.person.employeeID)
                _ = try await mentee.get(SitePath.pair(pair.id!))
                let moved = try await mentee.post(
                    SiteRoute.meetingUpdate.path(pair.id!.uuidString, meeting.id!.uuidString),
                    form: ["start": "2026-03-19T15:30", "timeZone": "Europe/Berlin", "durationMinutes": "60", "location": "Café Einstein", "agenda": "AI demo"])
                #expect(moved.status == .seeOther)
                var ics = try await mentee.get(SitePath.meetingICS(meeting.id!), accept: "text/calendar")
                #expect(ics.status == .ok)
                #expect(ics.headers.contentType?.description.hasPrefix("text/calendar") == true)
                #expect(ics.body.string.contains("SEQUENCE:1\r\n"))
                #expect(ics.body.string.contains("DTSTART:20260319T143000Z\r\n"))
                #expect(ics.body.string.contains("DTEND:20260319T153000Z\r\n"))
                #expect(ics.body.string.contains("UID:meeting-\(meeting.id!.uuidString.lowercased())@upward\r\n"))
                let partnerNote = try await Notification.query(on: app.db).filter(\.$person.$id == pair.mentor.$person.id).filter(\.$kind == "meeting.changed")
                    .first()
                #expect(partnerNote?.title.contains("moved a meeting") == true)
                _ = try await mentee.get(SitePath.pair(pair.id!))
                #expect(try await mentee.post(SiteRoute.meetingCancel.path(pair.id!.uuidString, meeting.id!.uuidString)).status == .seeOther)
                let mentor = try await world.signIn(pair.mentor.person.employeeID)
                ics = try await mentor.get(SitePath.meetingICS(meeting.id!), accept: "text/calendar")
                #expect(ics.body.string.contains("STATUS:CANCELLED\r\n"))
                #expect(ics.body.string.contains("SEQUENCE:2\r\n"))
                // Someone else in the program, and the other program's manager, see nothing.
                let others = try await world.pairs(status: .live).filter { $0.id != pair.id }
                let outsider = try await world.signIn(others[0].mentee.person.employeeID)
                #expect(try await outsider.get(SitePath.meetingICS(meeting.id!)).status == .notFound)
                let managerB = try await world.signIn(manager: world.managerB)
                #expect(try await managerB.get(SitePath.meetingICS(meeting.id!)).status == .notFound)
                #expect(try await managerB.get(SitePath.pair(pair.id!)).status == .notFound)
                // Bad input is named, nothing changes.
                let before = try await Meeting.find(meetings[2].id!, on: app.db)!.sequence
                _ = try await mentee.get(SitePath.pair(pair.id!))
                let bad = try await mentee.post(
                    SiteRoute.meetingUpdate.path(pair.id!.uuidString, meetings[2].id!.uuidString),
                    form: ["start": "tomorrow", "timeZone": "Mars/Base", "durationMinutes": "9999999999999999999999"])
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.body.string.contains("durationMinutes"))
                #expect(try await Meeting.find(meetings[2].id!, on: app.db)!.sequence == before)
                #expect(try await mentee.get("/meetings/not-a-meeting.ics").status == .badRequest)
            }
        }

        @Test("a calendar address works until it is regenerated or revoked")
        func feedTokens() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let token = try await world.token(world.users[pair.mentee.person.employeeID]!)
                let created = try await world.api(.POST, "/api/v1/me/calendar", token: token)
                #expect(created.status == .created)
                let url = try created.content.decode(APIModel.CalendarFeedOut.self).url
                let path = try #require(URL(string: url)?.path)
                let feed = try await app.testing().sendRequest(.GET, path)
                #expect(feed.status == .ok)
                #expect(feed.body.string.contains("METHOD:PUBLISH\r\n"))
                #expect(feed.body.string.contains("REFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n"))
                #expect(feed.body.string.components(separatedBy: "BEGIN:VEVENT").count - 1 == 9)
                // Only the hash is stored.
                #expect(try await CalendarFeed.query(on: app.db).filter(\.$tokenHash == String(path.dropFirst("/calendar/".count).dropLast(4))).count() == 0)
                let again = try await world.api(.POST, "/api/v1/me/calendar", token: token)
                let newPath = try #require(URL(string: try again.content.decode(APIModel.CalendarFeedOut.self).url)?.path)
                #expect(try await app.testing().sendRequest(.GET, path).status == .notFound)
                #expect(try await app.testing().sendRequest(.GET, newPath).status == .ok)
                // A mentor circle shows in the mentors' feeds only.
                var circle = MeetingDraft.Input()
                (circle.start, circle.timeZone, circle.durationMinutes) = ("2026-03-20T16:00", "Europe/Berlin", 60)
                _ = try await Circles(db: app.db, clock: world.clock).schedule(
                    in: world.programA, audience: "mentor", title: "Mentors only circle", meeting: circle, by: Viewer(world.managerA))
                #expect(!(try await app.testing().sendRequest(.GET, newPath).body.string.contains("Mentors only circle")))
                let mentorToken = try await world.token(world.users[pair.mentor.person.employeeID]!)
                let mentorFeed = try await world.api(.POST, "/api/v1/me/calendar", token: mentorToken).content.decode(APIModel.CalendarFeedOut.self).url
                let mentorBody = try await app.testing().sendRequest(.GET, try #require(URL(string: mentorFeed)?.path)).body.string
                #expect(mentorBody.contains("SUMMARY:Mentors only circle"))
                #expect(try await world.api(.DELETE, "/api/v1/me/calendar", token: token).status == .noContent)
                #expect(try await app.testing().sendRequest(.GET, newPath).status == .notFound)
                #expect(try await app.testing().sendRequest(.GET, "/calendar/\(String(repeating: "x", count: 500)).ics").status == .notFound)
            }
        }

        @Test("a private note is readable by its author only: not the partner, the manager, the API or the audit export")
        func privateNotes() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let secret = "my-private-worry-\(UUID().uuidString.prefix(8))"
                let mentee = try await world.signIn(pair.mentee.person.employeeID)
                _ = try await mentee.get(SitePath.pair(pair.id!))
                #expect(
                    try await mentee.post(SiteRoute.noteCreate.path(pair.id!.uuidString), form: ["body": secret, "visibility": "private"]).status == .seeOther)
                #expect(
                    try await mentee.post(SiteRoute.noteCreate.path(pair.id!.uuidString), form: ["body": "shared-hello", "visibility": "shared"]).status
                        == .seeOther)
                #expect(try await mentee.get(SitePath.pair(pair.id!)).body.string.contains(secret))
                // Stored sealed.
                let stored = try #require(try await PairNote.query(on: app.db).filter(\.$visibility == "private").first())
                #expect(!stored.body.contains(secret) && stored.body.hasPrefix("v1."))
                let mentor = try await world.signIn(pair.mentor.person.employeeID)
                let partnerPage = try await mentor.get(SitePath.pair(pair.id!)).body.string
                #expect(partnerPage.contains("shared-hello"))
                #expect(!partnerPage.contains(secret))
                let mentorToken = try await world.token(world.users[pair.mentor.person.employeeID]!)
                let partnerAPI = try await world.api(.GET, "/api/v1/pairs/\(pair.id!)/notes", token: mentorToken)
                #expect(partnerAPI.status == .ok)
                #expect(partnerAPI.body.string.contains("shared-hello") && !partnerAPI.body.string.contains(secret))
                #expect(try partnerAPI.content.decode([APIModel.NoteOut].self).count == 1)
                // The partner cannot delete it either.
                #expect(try await world.api(.DELETE, "/api/v1/pairs/\(pair.id!)/notes/\(stored.id!)", token: mentorToken).status == .notFound)
                let manager = try await world.signIn(manager: world.managerA)
                let managerPage = try await manager.get(SitePath.pair(pair.id!))
                #expect(managerPage.status == .ok)
                #expect(!managerPage.body.string.contains(secret) && !managerPage.body.string.contains("shared-hello"))
                let managerToken = try await world.token(world.managerA)
                let managerAPI = try await world.api(.GET, "/api/v1/pairs/\(pair.id!)/notes", token: managerToken)
                #expect(managerAPI.status == .forbidden)
                let export = try await manager.get(SiteRoute.programAudit.path(world.programA.id!.uuidString) + "?format=csv")
                #expect(export.status == .ok && !export.body.string.contains(secret))
                let menteeToken = try await world.token(world.users[pair.mentee.person.employeeID]!)
                let own = try await world.api(.GET, "/api/v1/pairs/\(pair.id!)/notes", token: menteeToken)
                #expect(own.body.string.contains(secret))
            }
        }

        @Test("the plaintext of a private note is nowhere in the SQLite file")
        func notInDatabaseFile() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upward-notes-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("upward.sqlite").path
            let secret = "plaintext-that-must-not-be-stored-\(UUID().uuidString)"
            let app = try await Application.make(.testing)
            do {
                let clock = FixedClock(ProgramWorld.spring)
                try await configure(
                    app, environment: UpwardEnvironment(configuration: UpwardConfiguration(storage: .sqliteFile(path: path), bcryptCost: 4), clock: clock))
                try await app.autoMigrate()
                let world = try await ProgramWorld.make(app, clock: clock)
                let pair = try #require(try await world.goLive().first)
                let context = PairContext(pair: pair, program: world.programA, me: pair.mentee)
                _ = try await app.notesService.create(text: secret, visibility: "private", in: context, by: Viewer(world.users[pair.mentee.person.employeeID]!))
                _ = try await app.notesService.create(
                    text: "shared-control-\(secret.suffix(8))", visibility: "shared", in: context, by: Viewer(world.users[pair.mentee.person.employeeID]!))
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            var bytes = Data()
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                bytes.append(try Data(contentsOf: directory.appendingPathComponent(file)))
            }
            // The shared note is there in clear (so the search works), the private one is not.
            #expect(bytes.range(of: Data("shared-control-\(secret.suffix(8))".utf8)) != nil)
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
        }

        @Test("a changed ciphertext is reported as tampered, never shown as garbage")
        func tampering() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let user = world.users[pair.mentee.person.employeeID]!
                let context = PairContext(pair: pair, program: world.programA, me: pair.mentee)
                let first = try await app.notesService.create(text: "first secret", visibility: "private", in: context, by: Viewer(user))
                let second = try await app.notesService.create(text: "second secret", visibility: "private", in: context, by: Viewer(user))
                let one = try #require(try await PairNote.find(first.id, on: app.db))
                let two = try #require(try await PairNote.find(second.id, on: app.db))
                var bytes = Array(Data(base64Encoded: String(one.body.dropFirst(3)))!)
                bytes[bytes.count - 1] ^= 0x40
                one.body = "v1." + Data(bytes).base64EncodedString()
                try await one.save(on: app.db)
                // A valid ciphertext moved onto another note fails too: it is bound to its note.
                let stolen = try #require(try await PairNote.find(second.id, on: app.db)).body
                let third = try await app.notesService.create(text: "third", visibility: "private", in: context, by: Viewer(user))
                let three = try #require(try await PairNote.find(third.id, on: app.db))
                three.body = stolen
                try await three.save(on: app.db)
                _ = two
                let token = try await world.token(user)
                let notes = try await world.api(.GET, "/api/v1/pairs/\(pair.id!)/notes", token: token).content.decode([APIModel.NoteOut].self)
                let byID = Dictionary(uniqueKeysWithValues: notes.map { ($0.id, $0) })
                #expect(byID[first.id]?.tampered == true && byID[first.id]?.body == nil)
                #expect(byID[third.id]?.tampered == true)
                #expect(byID[second.id]?.body == "second secret")
                let page = try await world.signIn(pair.mentee.person.employeeID).get(SitePath.pair(pair.id!)).body.string
                #expect(page.contains("failed its integrity check"))
                #expect(page.contains("second secret"))
            }
        }

        @Test("a concern goes to the program manager only: the partner never sees it, not even that one exists")
        func concerns() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let words = "concern-words-\(UUID().uuidString.prefix(8))"
                let mentor = try await world.signIn(pair.mentor.person.employeeID)
                _ = try await mentor.get(SitePath.pair(pair.id!))
                let raised = try await mentor.post(SiteRoute.concernRaise.path(pair.id!.uuidString), form: ["category": "feels_patronizing", "body": words])
                #expect(raised.status == .seeOther)
                #expect(try await mentor.get(SitePath.pair(pair.id!)).body.string.contains("I feel patronized"))
                // The partner: page, API, notifications and calendar show nothing.
                let mentee = try await world.signIn(pair.mentee.person.employeeID)
                let page = try await mentee.get(SitePath.pair(pair.id!)).body.string
                #expect(!page.contains(words) && !page.contains("Your concerns"))
                let menteeToken = try await world.token(world.users[pair.mentee.person.employeeID]!)
                for path in ["/api/v1/pairs/\(pair.id!)", "/api/v1/pairs/\(pair.id!)/notes", "/api/v1/pairs/\(pair.id!)/goals", "/api/v1/notifications"] {
                    let body = try await world.api(.GET, path, token: menteeToken).body.string
                    #expect(!body.contains(words) && !body.contains("concern"), "\(path)")
                }
                #expect(try await world.api(.GET, "/api/v1/concerns", token: menteeToken).status == .forbidden)
                // The manager's queue has it; the other program's manager does not.
                let manager = try await world.signIn(manager: world.managerA)
                let queue = try await manager.get(SitePath.concerns)
                #expect(queue.body.string.contains("I feel patronized"))
                let concern = try #require(try await Concern.query(on: app.db).first())
                let detail = try await manager.get(SiteRoute.concern.path(concern.id!.uuidString))
                #expect(detail.body.string.contains(words))
                #expect(
                    try await manager.post(SiteRoute.concernHandle.path(concern.id!.uuidString), form: ["status": "in_progress", "note": "Called them"]).status
                        == .seeOther)
                let otherManager = try await world.signIn(manager: world.managerB)
                #expect(try await otherManager.get(SiteRoute.concern.path(concern.id!.uuidString)).status == .notFound)
                #expect(!(try await otherManager.get(SitePath.concerns)).body.string.contains("I feel patronized"))
                let actions = try await world.actions()
                #expect(actions.isSuperset(of: ["concern.raised", "concern.status", "concern.note"]))
                // The audit log records the step, not the words.
                #expect(try await AuditEntry.query(on: app.db).all().allSatisfy { !$0.detail.contains(words) })
                // Managers are told through their own channels, the raiser hears of progress.
                #expect(try await Delivery.query(on: app.db).filter(\.$kind == "concern.raised").count() == 1)
                #expect(
                    try await Notification.query(on: app.db).filter(\.$person.$id == pair.mentor.$person.id).filter(\.$kind == "concern.updated").count() == 1)
                #expect(
                    try await Notification.query(on: app.db).filter(\.$person.$id == pair.mentee.$person.id).filter(
                        \.$kind ~~ ["concern.updated", "concern.raised"]
                    ).count() == 0)
            }
        }

        @Test("goals from the page and the API; pause cancels upcoming meetings, end is a no-fault exit")
        func goalsPauseEnd() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let mentor = try await world.signIn(pair.mentor.person.employeeID)
                _ = try await mentor.get(SitePath.pair(pair.id!))
                let added = try await mentor.post(
                    SiteRoute.goalCreate.path(pair.id!.uuidString),
                    form: [
                        "title": "Lead a team meeting", "owner": "mentor", "why": "Grow as a leader", "milestones": "Observe one\nRun one",
                        "targetDate": "2026-05-01",
                    ])
                #expect(added.status == .seeOther)
                let goal = try #require(try await Goal.query(on: app.db).first())
                #expect(goal.owner == "mentor" && goal.milestones.count == 2 && goal.progress == 0)
                _ = try await mentor.get(SitePath.pair(pair.id!))
                _ = try await mentor.post(SiteRoute.goalUpdate.path(pair.id!.uuidString, goal.id!.uuidString), form: ["done[]": "0", "status": "open"])
                #expect(try await Goal.find(goal.id, on: app.db)?.progress == 50)
                let token = try await world.token(world.users[pair.mentee.person.employeeID]!)
                let bad = try await world.api(.POST, "/api/v1/pairs/\(pair.id!)/goals", token: token, json: #"{"title":"","owner":"boss","progress":101}"#)
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.body.string.contains("owner") && bad.body.string.contains("progress"))
                let made = try await world.api(
                    .POST, "/api/v1/pairs/\(pair.id!)/goals", token: token, json: #"{"title":"Use AI tools weekly","owner":"mentee","focusArea":"AI tools"}"#)
                #expect(made.status == .created)
                // The body's type is checked: a form post is refused with 415 naming JSON, JSON with a charset is taken.
                let goalJSON = #"{"title":"Teach the team a prompt","owner":"mentee"}"#
                for (type, status) in [("application/x-www-form-urlencoded", HTTPStatus.unsupportedMediaType), ("application/json; charset=utf-8", .created)] {
                    let sent = try await app.testing().sendRequest(
                        .POST, "/api/v1/pairs/\(pair.id!)/goals", headers: ["Authorization": "Bearer \(token)", "Content-Type": type],
                        body: ByteBuffer(string: goalJSON))
                    #expect(sent.status == status, "\(type)")
                    if status == .unsupportedMediaType { #expect(sent.body.string.contains("must be JSON")) }
                }
                let listed = try await world.api(.GET, "/api/v1/pairs/\(pair.id!)/goals", token: try await world.token(world.managerA))
                #expect(try listed.content.decode([APIModel.GoalOut].self).count == 3)
                // Managers read goals but do not write them.
                #expect(
                    try await world.api(
                        .POST, "/api/v1/pairs/\(pair.id!)/goals", token: try await world.token(world.managerA), json: #"{"title":"x","owner":"mentee"}"#
                    ).status == .forbidden)
                world.clock.advance(by: 20 * 86_400)
                let paused = try await world.api(.POST, "/api/v1/pairs/\(pair.id!)/pause", token: token)
                #expect(paused.status == .ok)
                let upcoming = try await Meeting.query(on: app.db).filter(\.$pair.$id == pair.id!).filter(\.$startsAt > world.clock.now).all()
                #expect(!upcoming.isEmpty && upcoming.allSatisfy { $0.meetingStatus == .cancelled && $0.sequence == 1 })
                #expect(try await world.api(.POST, "/api/v1/pairs/\(pair.id!)/pause", token: token).status == .conflict)
                #expect(try await world.api(.POST, "/api/v1/pairs/\(pair.id!)/resume", token: token).status == .ok)
                #expect(try await world.api(.POST, "/api/v1/pairs/\(pair.id!)/end", token: token).status == .ok)
                #expect(try await Pair.find(pair.id, on: app.db)?.pairStatus == .ended)
                let told = try #require(
                    try await Notification.query(on: app.db).filter(\.$person.$id == pair.mentor.$person.id).filter(\.$kind == "pair.ended").first())
                #expect(told.body.contains("no-fault"))
                #expect(try await world.api(.POST, "/api/v1/pairs/\(pair.id!)/notes", token: token, json: #"{"body":"late"}"#).status == .conflict)
            }
        }

        @Test("reminders, not-logged nudges and the weekly digest fall due with the clock, once each")
        func scheduling() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            let transport = FakeTransport()
            try await Self.withTransport(clock, transport) { app in
                let world = try await ProgramWorld.make(app, clock: clock)
                let pair = try #require(try await world.goLive().first)
                try await world.outbox.runOnce()
                let first = try #require(try await Meetings(db: app.db, clock: clock).list(pair: pair.id!).first)
                func reminders() async throws -> Int {
                    try await Notification.query(on: app.db).filter(\.$kind == "meeting.reminder").filter(\.$person.$id == pair.mentee.$person.id).count()
                }
                // 25 hours before: nothing yet.
                clock.advance(by: first.startsAt.timeIntervalSince(clock.now) - 25 * 3600)
                try await world.outbox.runOnce()
                #expect(try await reminders() == 0)
                clock.advance(by: 2 * 3600)
                try await world.outbox.runOnce()
                try await world.outbox.runOnce()
                #expect(try await reminders() == 1)
                #expect(transport.sent.filter { $0.message.title.hasPrefix("Coming up") && $0.address == pair.mentee.person.email }.count == 1)
                // A day after it ended without a log: one nudge each.
                clock.advance(by: first.endsAt.timeIntervalSince(clock.now) + 24 * 3600 + 60)
                try await world.outbox.runOnce()
                try await world.outbox.runOnce()
                let nudged = try await Notification.query(on: app.db).filter(\.$kind == "meeting.unlogged").all().map(\.$person.id)
                #expect(nudged.filter { $0 == pair.mentee.$person.id || $0 == pair.mentor.$person.id }.count == 2)
                // With matching updates left to the digest, they wait for Monday 08:00 Berlin time and go out as one message.
                let user = world.users[pair.mentee.person.employeeID]!
                _ = try await DeliverySettings(db: app.db, clock: clock, hosts: []).save(
                    channels: ["matching": [], "meetings": ["email"], "digest": ["email"]], slackURL: nil, teamsURL: nil, by: Viewer(user))
                let sentBefore = transport.sent.count
                for title in ["Update one", "Update two"] {
                    try await Notifications(db: app.db, clock: clock).send(to: pair.mentee.$person.id, kind: "pair.note", title: title, body: "…")
                }
                try await world.outbox.runOnce()
                #expect(transport.sent.count == sentBefore)
                let monday = DeliverySchedule.nextDigest(after: clock.now, zone: TimeZone(identifier: "Europe/Berlin")!)
                clock.advance(by: monday.timeIntervalSince(clock.now) - 60)
                try await world.outbox.runOnce()
                #expect(!transport.sent.contains { $0.message.title.hasPrefix("Your week in Upward") && $0.address == pair.mentee.person.email })
                clock.advance(by: 120)
                try await world.outbox.runOnce()
                try await world.outbox.runOnce()
                let digests = transport.sent.filter { $0.message.title.hasPrefix("Your week in Upward") && $0.address == pair.mentee.person.email }
                #expect(digests.count == 1)
                #expect(digests.first?.message.body.contains("Update one") == true && digests.first?.message.body.contains("Update two") == true)
            }
        }

        @Test("delivery retries with backoff after a certain failure, and never repeats an attempt cut short by a crash")
        func retriesAndCrash() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            let transport = FakeTransport()
            try await Self.withTransport(clock, transport) { app in
                let world = try await ProgramWorld.make(app, clock: clock, enroll: false, ready: false)
                let person = try await ProgramWorld.person(app, "S1")
                try await world.outbox.runOnce()
                let baseline = transport.sent.count
                try await Notifications(db: app.db, clock: clock).send(to: person.requireID(), kind: "pair.matched", title: "Retry me", body: "…")
                transport.fail(next: 2)
                var report = try await world.outbox.runOnce()
                #expect(report.retried == 1)
                let row = try #require(try await Delivery.query(on: app.db).filter(\.$title == "Retry me").first())
                #expect(row.status == "pending" && row.attempts == 1 && row.nextAttemptAt == clock.now.addingTimeInterval(60))
                report = try await world.outbox.runOnce()
                #expect(report.sent == 0)
                clock.advance(by: 61)
                report = try await world.outbox.runOnce()
                #expect(report.retried == 1)
                clock.advance(by: 4 * 60 + 1)
                report = try await world.outbox.runOnce()
                #expect(report.sent == 1)
                #expect(transport.sent.count == baseline + 1)
                #expect(try await Delivery.find(row.id, on: app.db)?.attempts == 3)
                // A crash between claiming and finishing: the attempt is on record, so it is never sent again.
                try await Notifications(db: app.db, clock: clock).send(to: person.requireID(), kind: "pair.matched", title: "Crash me", body: "…")
                _ = try await world.outbox.route()
                let claimed = try await world.outbox.claim(limit: 10)
                #expect(claimed.map(\.title) == ["Crash me"])
                // … the process dies here. A restarted instance finds the row still "sending".
                clock.advance(by: 5 * 60)
                try await world.outbox.runOnce()
                #expect(try await Delivery.find(claimed[0].id, on: app.db)?.status == "sending")
                clock.advance(by: 6 * 60)
                report = try await world.outbox.runOnce()
                #expect(report.interrupted == 1)
                clock.advance(by: 24 * 3600)
                try await world.outbox.runOnce()
                #expect(!transport.sent.contains { $0.message.title == "Crash me" })
                #expect(try await Delivery.find(claimed[0].id, on: app.db)?.status == "interrupted")
                // An uncertain failure (the server may have accepted it) is not retried either.
                try await Notifications(db: app.db, clock: clock).send(to: person.requireID(), kind: "pair.matched", title: "Maybe", body: "…")
                transport.fail(next: 1, uncertain: true)
                try await world.outbox.runOnce()
                clock.advance(by: 3600)
                try await world.outbox.runOnce()
                #expect(try await Delivery.query(on: app.db).filter(\.$title == "Maybe").first()?.status == "interrupted")
                #expect(!transport.sent.contains { $0.message.title == "Maybe" })
            }
        }

        @Test("two instances working one outbox at once never deliver a message twice")
        func twoInstances() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            let transport = FakeTransport()
            transport.delay = .milliseconds(2)
            try await Self.withTransport(clock, transport) { app in
                let world = try await ProgramWorld.make(app, clock: clock, enroll: false, ready: false)
                try await world.outbox.runOnce()
                let baseline = transport.sent.count
                let person = try await ProgramWorld.person(app, "S2")
                for index in 0..<150 {
                    try await Notifications(db: app.db, clock: clock).send(to: person.requireID(), kind: "pair.matched", title: "Message \(index)", body: "…")
                }
                var first = app.upward.configuration
                first.instanceName = "instance-a"
                var second = app.upward.configuration
                second.instanceName = "instance-b"
                let a = Outbox(db: app.db, clock: clock, configuration: first, transport: transport)
                let b = Outbox(db: app.db, clock: clock, configuration: second, transport: transport)
                async let runA = a.runOnce(limit: 7)
                async let runB = b.runOnce(limit: 7)
                let (reportA, reportB) = try await (runA, runB)
                #expect(reportA.sent + reportB.sent == 150)
                let titles = transport.sent.dropFirst(baseline).map(\.message.title)
                #expect(titles.count == 150)
                #expect(Set(titles).count == 150)
                let byInstance = Dictionary(grouping: try await Delivery.query(on: app.db).filter(\.$title ~~ titles).all(), by: { $0.claimedBy ?? "" })
                if TestDatabase.isPostgres {
                    // On PostgreSQL both really worked at once.
                    #expect(byInstance["instance-a"]?.isEmpty == false && byInstance["instance-b"]?.isEmpty == false)
                }
                #expect(try await Delivery.query(on: app.db).filter(\.$title ~~ titles).all().allSatisfy { $0.attempts == 1 && $0.status == "sent" })
            }
        }

        @Test("chat settings accept only allowed webhook hosts; essential email cannot be switched off")
        func deliverySettings() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock, enroll: false, ready: false)
                let token = try await world.token(world.users["S1"]!)
                // A new token is a security message: essential, so email even with every topic switched off below.
                #expect(
                    try await Notification.query(on: app.db).filter(\.$kind == "security.notice").filter(\.$person.$id == world.users["S1"]!.$person.id!)
                        .count() == 1)
                let evil = try await world.api(
                    .PUT, "/api/v1/me/delivery", token: token,
                    json: #"{"channels":{"meetings":["slack"]},"slackUrl":"http://169.254.169.254/latest/meta-data"}"#)
                #expect(evil.status == .unprocessableEntity)
                #expect(evil.body.string.contains("slackUrl"))
                let good = try await world.api(
                    .PUT, "/api/v1/me/delivery", token: token,
                    json:
                        #"{"channels":{"invitation":[],"meetings":["slack","teams"],"matching":[]},"slackUrl":"https://hooks.slack.com/services/T0/B0/x","teamsUrl":"https://prod-01.westeurope.logic.azure.com/workflows/abc"}"#
                )
                #expect(good.status == .ok)
                let out = try good.content.decode(APIModel.DeliveryOut.self)
                #expect(out.channels["invitation"] == ["email"])
                #expect(out.channels["meetings"] == ["slack", "teams"])
                #expect(out.channels["matching"] == [])
                let unknown = try await world.api(.PUT, "/api/v1/me/delivery", token: token, json: #"{"channels":{"meetings":["pigeon"]}}"#)
                #expect(unknown.status == .unprocessableEntity)
                let transport = FakeTransport()
                app.upward.transport = transport
                _ = try await world.api(.PUT, "/api/v1/me/delivery", token: token, json: #"{"channels":{"security":[],"invitation":[]}}"#)
                try await app.outbox.runOnce()
                #expect(transport.sent.contains { $0.channel == .email && $0.address == "s1@example.com" && $0.message.title == "A new API token was created" })
            }
        }
    }
}

extension Application {
    var notesService: Notes { Notes(db: db, clock: upward.clock, sealer: upward.noteSealer) }
}

extension AppTests.PairWorkTests {
    @Test("the program page lists the pairs that need a check-in first, each group by name")
    func atRiskFirst() async throws {
        let clock = FixedClock(ProgramWorld.spring)
        try await withUpward(clock: clock) { app in
            let world = try await ProgramWorld.make(app, clock: clock)
            let pairs = try await world.goLive().sorted { $0.mentee.person.name < $1.mentee.person.name }
            try #require(pairs.count >= 3)
            clock.advance(by: 15 * 86_400)
            // The pair first by name goes back on track (a held meeting and a goal); the others need a check-in.
            let first = pairs[0]
            let meeting = try #require(try await Meetings(db: app.db, clock: clock).list(pair: first.id!).first)
            let context = PairContext(pair: first, program: world.programA, me: first.mentee)
            let viewer = Viewer(world.users[first.mentee.person.employeeID]!)
            _ = try await Meetings(db: app.db, clock: clock).log(meeting, outcome: "held", summary: "Good", followUps: nil, in: context, by: viewer)
            _ = try await Goals(db: app.db, clock: clock).create(.init(title: "A goal", owner: "mentee"), in: context, by: viewer)
            let health = try await PairHealthMonitor(db: app.db, clock: clock).assess(program: world.programA)
            #expect(health[first.id!]?.status != .needsCheckIn)
            #expect(pairs.dropFirst().allSatisfy { health[$0.id!]?.status == .needsCheckIn })
            let page = try await (try await world.signIn(manager: world.managerA)).get(SitePath.program(world.programA.id!)).body.string
            let positions = try pairs.map { pair in
                try #require(page.range(of: "\(pair.mentee.person.name) &amp; \(pair.mentor.person.name)")?.lowerBound)
            }
            // Those needing a check-in in name order, then the one on track, though its name comes first.
            #expect(Array(positions.dropFirst()) == positions.dropFirst().sorted())
            #expect(positions.dropFirst().allSatisfy { $0 < positions[0] })
        }
    }

    @Test("pair health: managers are told once when a pair needs a check-in; idle pairs get a closing proposal once")
    func health() async throws {
        let clock = FixedClock(ProgramWorld.spring)
        try await withUpward(clock: clock) { app in
            let world = try await ProgramWorld.make(app, clock: clock)
            let pair = try #require(try await world.goLive().first)
            let monitor = PairHealthMonitor(db: app.db, clock: clock)
            try await monitor.run()
            #expect(try await Pair.find(pair.id, on: app.db)?.health == "too_early")
            clock.advance(by: 15 * 86_400)
            try await monitor.run()
            try await monitor.run()
            #expect(try await Pair.find(pair.id, on: app.db)?.health == "needs_check_in")
            let alerts = try await Delivery.query(on: app.db).filter(\.$kind == "pair.at_risk").all()
            #expect(alerts.filter { $0.title.contains(pair.mentee.person.name) }.count == 1)
            let manager = try await world.signIn(manager: world.managerA)
            let page = try await manager.get(SitePath.program(world.programA.id!)).body.string
            #expect(page.contains("Needs a check-in") && page.contains("no meeting logged in the 14 days since matching"))
            // Logging a held meeting and adding a goal puts it back on track.
            let meeting = try #require(try await Meetings(db: app.db, clock: clock).list(pair: pair.id!).first)
            let context = PairContext(pair: pair, program: world.programA, me: pair.mentee)
            let viewer = Viewer(world.users[pair.mentee.person.employeeID]!)
            _ = try await Meetings(db: app.db, clock: clock).log(meeting, outcome: "held", summary: "Good", followUps: nil, in: context, by: viewer)
            _ = try await Goals(db: app.db, clock: clock).create(.init(title: "A goal", owner: "mentee"), in: context, by: viewer)
            try await monitor.run()
            let health = try await monitor.assess(program: world.programA)
            #expect(health[pair.id!]?.reasons.allSatisfy { !$0.contains("no meeting logged") } == true)
            // The first held meeting opened the pair's pulse (once); both were asked; their answers are health signals.
            try await monitor.run()
            let pulses = try await Survey.query(on: app.db).filter(\.$pairID == pair.id!).all()
            #expect(pulses.map(\.window) == ["first-meeting"])
            let pulse = try #require(pulses.first)
            #expect(try await Notification.query(on: app.db).filter(\.$kind == "survey.pulse").count() == 2)
            let service = SurveyService(db: app.db, clock: clock)
            // Open to the pair's own two people, and to no one of another pair.
            let other = try #require(try await world.pairs(status: .live).first { $0.id != pair.id })
            #expect(try await service.open(for: pair.mentee).contains { $0.id == pulse.id })
            #expect(try await service.open(for: pair.mentor).contains { $0.id == pulse.id })
            #expect(try await service.open(for: other.mentee).allSatisfy { $0.id != pulse.id })
            try await service.answer(pulse, by: pair.mentee, raw: ["fit": "2"])
            try await service.answer(pulse, by: pair.mentor, raw: ["fit": "4"])
            let signals = try await monitor.assess(program: world.programA)[pair.id!]?.reasons ?? []
            #expect(signals.contains("the two sides see the pairing differently (2 and 4 of 5)"))
            // Someone from another pair cannot open this pair's pulse; the program's list does not show it.
            await #expect(throws: Abort.self) { try await service.forParticipant(pulse.id!, viewer: Viewer(world.users[other.mentee.person.employeeID]!)) }
            #expect(try await service.list(program: world.programA.id!).isEmpty)
            // 100 idle days: both people and the managers hear once.
            for other in try await Meeting.query(on: app.db).filter(\.$pair.$id == pair.id!).filter(\.$status == "scheduled").all() {
                other.status = "cancelled"
                try await other.save(on: app.db)
            }
            clock.advance(by: 100 * 86_400)
            try await monitor.run()
            try await monitor.run()
            #expect(try await Pair.find(pair.id, on: app.db)?.closingProposedAt != nil)
            let told = try await Notification.query(on: app.db).filter(\.$kind == "pair.closing_proposed").all().map(\.$person.id)
            #expect(told.filter { $0 == pair.mentee.$person.id || $0 == pair.mentor.$person.id }.count == 2)
        }
    }
}

extension AppTests.PairWorkTests {
    @Test("housekeeping writes pair health and pulses batch by batch: every pair is reached once, and a run with nothing new writes nothing")
    func healthInBatches() async throws {
        let clock = FixedClock(ProgramWorld.spring)
        try await withUpward(clock: clock) { app in
            let world = try await ProgramWorld.make(app, clock: clock)
            let pairs = try await world.goLive()
            try #require(pairs.count >= 3)
            // Two pairs per transaction: the program's pairs take more than one batch.
            let monitor = PairHealthMonitor(db: app.db, clock: clock, batchSize: 2)
            clock.advance(by: 15 * 86_400)
            try await monitor.run()
            for pair in pairs {
                #expect(try await Pair.find(pair.id, on: app.db)?.health == "needs_check_in")
                let alerts = try await Delivery.query(on: app.db).filter(\.$kind == "pair.at_risk").all()
                #expect(alerts.filter { $0.title.contains("\(pair.mentee.person.name) & \(pair.mentor.person.name)") }.count == 1)
            }
            // Each pair holds its first meeting: each gets its first pulse, and both sides are asked.
            for pair in pairs {
                let meeting = try #require(try await Meetings(db: app.db, clock: clock).list(pair: pair.id!).first)
                let viewer = Viewer(world.users[pair.mentee.person.employeeID]!)
                _ = try await Meetings(db: app.db, clock: clock).log(
                    meeting, outcome: "held", summary: "Good", followUps: nil, in: PairContext(pair: pair, program: world.programA, me: pair.mentee),
                    by: viewer)
            }
            try await monitor.run()
            for pair in pairs {
                #expect(try await Survey.query(on: app.db).filter(\.$pairID == pair.id!).all().map(\.window) == ["first-meeting"])
                #expect(try await Pair.find(pair.id, on: app.db)?.health != "needs_check_in")
            }
            let asked = try await Notification.query(on: app.db).filter(\.$kind == "survey.pulse").all().map(\.$person.id)
            #expect(Set(asked) == Set(pairs.flatMap { [$0.mentee.$person.id, $0.mentor.$person.id] }) && asked.count == 2 * pairs.count)
            // Nothing new: another run adds no pulse, message, alert or audit entry.
            let counts = {
                (
                    try await Survey.query(on: app.db).count(), try await Notification.query(on: app.db).count(),
                    try await Delivery.query(on: app.db).count(), try await AuditEntry.query(on: app.db).count()
                )
            }
            let before = try await counts()
            try await monitor.run()
            #expect(try await counts() == before)
        }
    }
}
