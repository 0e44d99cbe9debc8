import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Program access")
    struct ProgramAccessTests {
        /// A live program A with pairs; returns the world and one live pair.
        static func live(_ app: Application) async throws -> (ProgramWorld, [Pair]) {
            // Inside program A's dates, so live pairs get their meeting series.
            let world = try await ProgramWorld.make(app, clock: FixedClock(ProgramWorld.spring))
            let (programs, _, _, matching, _) = world.services
            try await programs.transition(world.programA, to: .matching, by: Viewer(world.managerA))
            _ = try await matching.run(world.programA, by: Viewer(world.managerA))
            _ = try await matching.approve(world.programA, by: Viewer(world.managerA))
            return (world, try await world.pairs(status: .live))
        }

        /// Every route with its parameters filled from program A.
        static func paths(_ world: ProgramWorld, pair: Pair) async throws -> [String: String] {
            let module = try #require(try await TrainingModule.query(on: world.app.db).filter(\.$program.$id == world.programA.id!).first())
            return [
                "programID": world.programA.id!.uuidString, "programId": world.programA.id!.uuidString, "pairID": pair.id!.uuidString,
                "pairId": pair.id!.uuidString, "participantID": pair.$mentee.id.uuidString, "moduleID": module.id!.uuidString,
                "moduleId": module.id!.uuidString, "requestID": UUID().uuidString, "requestId": UUID().uuidString,
            ]
        }

        static func fill(_ components: [String], _ values: [String: String]) -> String {
            "/" + components.map { $0.hasPrefix(":") ? values[String($0.dropFirst())] ?? UUID().uuidString : $0 }.joined(separator: "/")
        }

        @Test("a program manager of another program gets 404 on every page and API call about program A")
        func otherManager() async throws {
            try await withUpward { app in
                let (world, pairs) = try await Self.live(app)
                let values = try await Self.paths(world, pair: try #require(pairs.first))
                let browser = try await world.signIn(manager: world.managerB)
                try await browser.get("/programs")
                var checked = 0
                for route in SiteRoute.all where route.components.contains(where: { $0 == ":programID" || $0 == ":pairID" }) {
                    let path = Self.fill(route.components, values)
                    let response =
                        route.method == .GET ? try await browser.get(path) : try await browser.post(path, form: ["to": "cancelled", "locked": "true"])
                    #expect(response.status == .notFound, "\(route.method) \(path)")
                    checked += 1
                }
                let token = try await world.token(world.managerB)
                for route in APIRoute.all where route.path.contains("{programId}") || route.path.contains("{pairId}") {
                    let path = Self.fill(route.components.map(\.description), values)
                    let response = try await world.api(route.method, path, token: token, json: "{}")
                    #expect(response.status == .notFound, "\(route.method) \(path)")
                    checked += 1
                }
                #expect(checked >= 40)
                // Nothing changed: A is still active with its live pairs.
                #expect(try await Program.find(world.programA.id, on: app.db)?.programStatus == .active)
                #expect(try await world.pairs(status: .live).count == pairs.count)
                // Program B's manager doesn't even see A in the list.
                #expect(!(try await browser.get("/programs").body.string.contains("Program A")))
                // An organization-wide admin sees both.
                let org = try await Accounts(db: app.db, hasher: app.password.async, environment: app.upward).createUser(
                    email: "org@example.com", name: "Org Admin", password: ProgramWorld.password, role: .admin, organizationAdmin: true)
                let orgToken = try await world.token(org)
                #expect(try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)", token: orgToken).status == .ok)
                #expect(try await world.api(.GET, "/api/v1/programs", token: orgToken).content.decode([APIModel.ProgramOut].self).count == 2)
            }
        }

        @Test("a participant of one pair gets 404 on every page and API call about another pair")
        func otherPair() async throws {
            try await withUpward { app in
                let (world, pairs) = try await Self.live(app)
                #expect(pairs.count >= 2)
                let mine = pairs[0]
                let theirs = pairs[1]
                let me = mine.mentee.person.employeeID
                let browser = try await world.signIn(me)
                #expect(try await browser.get(SitePath.pair(mine.id!)).status == .ok)
                #expect(try await browser.get(SitePath.pair(theirs.id!)).status == .notFound)
                try await browser.get(SitePath.pair(mine.id!))
                #expect(try await browser.post(SiteRoute.pairDecline.path(theirs.id!.uuidString)).status == .notFound)
                let token = try await world.token(world.users[me]!)
                #expect(try await world.api(.GET, "/api/v1/pairs/\(theirs.id!)", token: token).status == .notFound)
                #expect(try await world.api(.POST, "/api/v1/pairs/\(theirs.id!)/decline", token: token, json: "{}").status == .notFound)
                #expect(try await world.api(.GET, "/api/v1/pairs/\(mine.id!)", token: token).status == .ok)
                let listed = try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/pairs", token: token).content.decode([APIModel.PairOut].self)
                #expect(listed.map(\.id) == [mine.id!])
                #expect(listed[0].warnings.isEmpty && listed[0].manualReason == nil)
                // The other pair is still live.
                #expect(try await Pair.find(theirs.id, on: app.db)?.pairStatus == .live)
                // Every page and API route about the other pair's goals, meetings, notes, concerns and
                // status, with its real ids: 404 (403 for manager routes), and nothing changes.
                let theirUser = world.users[theirs.mentee.person.employeeID]!
                let theirContext = PairContext(pair: theirs, program: world.programA, me: theirs.mentee)
                let goal = try await Goals(db: app.db, clock: world.clock).create(
                    .init(title: "Their goal", owner: "mentee"), in: theirContext, by: Viewer(theirUser))
                let note = try await app.notesService.create(text: "their private words", visibility: "private", in: theirContext, by: Viewer(theirUser))
                let meeting = try #require(try await Meeting.query(on: app.db).filter(\.$pair.$id == theirs.id!).first())
                let values: [String: String] = [
                    "pairID": theirs.id!.uuidString, "pairId": theirs.id!.uuidString, "goalID": goal.id!.uuidString, "goalId": goal.id!.uuidString,
                    "meetingID": meeting.id!.uuidString, "meetingId": meeting.id!.uuidString, "noteID": note.id.uuidString, "noteId": note.id.uuidString,
                    "meetingFile": meeting.id!.uuidString + ".ics", "meetingIdFile": meeting.id!.uuidString + ".ics",
                ]
                var walked = 0
                for route in SiteRoute.all where route.components.contains(where: { $0 == ":pairID" || $0 == ":meetingFile" }) {
                    try await browser.get("/")
                    let path = Self.fill(route.components, values)
                    let response =
                        route.method == .GET
                        ? try await browser.get(path)
                        : try await browser.post(
                            path, form: ["title": "x", "owner": "mentee", "body": "x", "category": "other", "start": "2026-12-01T10:00", "timeZone": "UTC"])
                    #expect(response.status == (route.access == .programManager ? .forbidden : .notFound), "\(route.method) \(path)")
                    #expect(!response.body.string.contains("their private words"))
                    walked += 1
                }
                for route in APIRoute.all where route.parameters.contains(where: { values[$0] != nil || values[$0 + "File"] != nil }) {
                    let path = Self.fill(route.components.map(\.description), values)
                    let response = try await world.api(route.method, path, token: token, json: #"{"title":"x","owner":"mentee","body":"x","category":"other"}"#)
                    #expect(response.status == (route.access == .programManager ? .forbidden : .notFound), "\(route.method) \(path)")
                    walked += 1
                }
                #expect(walked >= 35)
                #expect(try await Goal.query(on: app.db).filter(\.$pair.$id == theirs.id!).count() == 1)
                #expect(try await PairNote.query(on: app.db).filter(\.$pair.$id == theirs.id!).count() == 1)
                #expect(try await Concern.query(on: app.db).count() == 0)
                #expect(try await Meeting.find(meeting.id, on: app.db)?.sequence == meeting.sequence)
                #expect(try await Pair.find(theirs.id, on: app.db)?.pairStatus == .live)
                // A participant is not a member of program B: 404 on its pages and API.
                #expect(try await browser.get(SitePath.program(world.programB.id!)).status == .notFound)
                #expect(try await world.api(.GET, "/api/v1/programs/\(world.programB.id!)", token: token).status == .notFound)
                // Every route about program B, as a participant of A only: 403 on manager routes, 404 on the rest.
                let valuesB = ["programID": world.programB.id!.uuidString, "programId": world.programB.id!.uuidString]
                for route in SiteRoute.all where route.components.contains(":programID") {
                    let path = Self.fill(route.components, valuesB)
                    try await browser.get("/")
                    let response = route.method == .GET ? try await browser.get(path) : try await browser.post(path)
                    #expect(response.status == (route.access == .programManager ? .forbidden : .notFound), "\(route.method) \(path)")
                }
                for route in APIRoute.all where route.path.contains("{programId}") {
                    let response = try await world.api(route.method, Self.fill(route.components.map(\.description), valuesB), token: token, json: "{}")
                    #expect(response.status == (route.access == .programManager ? .forbidden : .notFound), "\(route.method) \(route.path)")
                }
                // Another participant's enrollment answers (avoid lists, diversity) never show on the partner's pages.
                let partner = mine.mentor.person.employeeID
                let partnerBrowser = try await world.signIn(partner)
                let partnerToken = try await world.token(world.users[partner]!)
                var seen: [String] = []
                for path in ["/", SitePath.pair(mine.id!), SitePath.program(world.programA.id!), SitePath.notifications] {
                    let page = try await partnerBrowser.get(path)
                    #expect(page.status == .ok, "\(path)")
                    seen.append(page.body.string)
                }
                for path in ["/api/v1/pairs/\(mine.id!)", "/api/v1/programs/\(world.programA.id!)/pairs", "/api/v1/notifications"] {
                    seen.append(try await world.api(.GET, path, token: partnerToken).body.string)
                }
                for text in seen {
                    #expect(!text.contains("Casey Chief") && !text.contains(ProgramWorld.privateMarker))
                }
                // The mentee's own enrollment shows their answers, so the marker is really there to leak.
                #expect(
                    try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/enrollment", token: token).body.string.contains(
                        ProgramWorld.privateMarker))
                // Diversity answers are never shown per person, not even to the program manager.
                let managerToken = try await world.token(world.managerA)
                #expect(
                    !(try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/participants", token: managerToken).body.string.contains(
                        ProgramWorld.privateMarker)))
                let managerPage = try await (try await world.signIn(manager: world.managerA)).get(SitePath.program(world.programA.id!))
                #expect(!managerPage.body.string.contains(ProgramWorld.privateMarker))
                #expect(managerPage.body.string.contains("Casey Chief"))
            }
        }

        @Test("the participant's home page shows the partner and why they were paired")
        func home() async throws {
            try await withUpward { app in
                let (world, pairs) = try await Self.live(app)
                let pair = try #require(pairs.first)
                let page = try await (try await world.signIn(pair.mentor.person.employeeID)).get("/")
                #expect(page.status == .ok)
                #expect(page.body.string.contains("Your mentee: \(pair.mentee.person.name)"))
                for reason in pair.reasons { #expect(page.body.string.contains(reason.replacingOccurrences(of: "'", with: "&#39;"))) }
                // Only their own pairs: nobody else's partner appears.
                let own = Set([pair.mentee.person.name, pair.mentor.person.name])
                for other in pairs.dropFirst() where other.$mentor.id != pair.$mentor.id {
                    for name in [other.mentee.person.name, other.mentor.person.name] where !own.contains(name) {
                        #expect(!page.body.string.contains(name), "\(name)")
                    }
                }
            }
        }

        @Test("the audit log records every action, filters, and exports CSV")
        func audit() async throws {
            try await withUpward { app in
                let (world, pairs) = try await Self.live(app)
                let (programs, _, _, _, _) = world.services
                _ = try await programs.clone(world.programA, by: Viewer(world.managerA))
                let added = try await world.api(
                    .POST, "/api/v1/programs/\(world.programA.id!)/managers", token: try await world.token(world.managerA),
                    json: #"{"email":"pm-b@example.com"}"#)
                #expect(added.status == .noContent)
                let unknown = try await world.api(
                    .POST, "/api/v1/programs/\(world.programA.id!)/managers", token: try await world.token(world.managerA), json: #"{"email":"j2@example.com"}"#
                )
                #expect(unknown.status == .unprocessableEntity)
                #expect(unknown.body.string.contains("is a participant"))
                // Removing: B can go, the last manager can't.
                let tokenA = try await world.token(world.managerA)
                #expect(
                    try await world.api(.DELETE, "/api/v1/programs/\(world.programA.id!)/managers/\(world.managerB.id!)", token: tokenA).status == .noContent)
                let last = try await world.api(.DELETE, "/api/v1/programs/\(world.programA.id!)/managers/\(world.managerA.id!)", token: tokenA)
                #expect(last.status == .conflict)
                #expect(last.body.string.contains("keeps at least one program manager"))
                try await programs.addManager(world.programA, email: "pm-b@example.com", by: Viewer(world.managerA))
                #expect(try await world.actions().contains("program.manager_removed"))
                let pair = try #require(pairs.first)
                try await world.services.3.stepBack(
                    from: pair, participant: pair.mentee, note: nil, in: world.programA, by: Viewer(world.users[pair.mentee.person.employeeID]!))
                let actions = try await world.actions()
                for action in [
                    "program.created", "program.transition", "program.cloned", "program.manager_added", "invitation.sent", "invitation.accepted",
                    "enrollment.submitted", "training.added", "training.completed", "agreement.accepted", "matching.run", "matching.approved", "pair.live",
                    "pair.rematch_requested",
                ] {
                    #expect(actions.contains(action), "\(action)")
                }
                let browser = try await world.signIn(manager: world.managerA)
                let page = try await browser.get(SiteRoute.programAudit.path(world.programA.id!.uuidString) + "?action=matching.run")
                #expect(page.status == .ok)
                #expect(page.body.string.contains("matching.run"))
                #expect(!page.body.string.contains("<code>invitation.sent</code>"))
                let csv = try await browser.get(SiteRoute.programAudit.path(world.programA.id!.uuidString) + "?format=csv")
                #expect(csv.headers.contentType?.subType == "csv")
                let lines = csv.body.string.split(separator: "\r\n")
                #expect(lines.first == "time,actor,action,object,object_id,program_id,detail")
                #expect(lines.count > 20)
                #expect(try await browser.get(SiteRoute.programAudit.path(world.programA.id!.uuidString) + "?action=drop").status == .badRequest)
                // Cells a spreadsheet would run are defused.
                #expect(AuditLog.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
                // Program B's own manager sees none of A's entries in the organization-wide log.
                let other = try await world.signIn(manager: world.managerB)
                let orgLog = try await other.get(SitePath.audit)
                #expect(orgLog.status == .ok)
                #expect(orgLog.body.string.contains("program.manager_added"))  // B now manages A too
            }
        }

        @Test("the OpenAPI document is the one committed, and names every registered API route with its security and errors")
        func openAPI() async throws {
            try await withUpward { app in
                let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                let committed = try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))
                #expect(committed == OpenAPIDocument.json(), "docs/openapi.json is stale: run `upward openapi > docs/openapi.json`")
                let served = try await app.testing().sendRequest(.GET, "/api/v1/openapi.json")
                #expect(served.status == .ok)
                #expect(Data(buffer: served.body) == committed)
                let document = try #require(try JSONSerialization.jsonObject(with: committed) as? [String: Any])
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let registered = app.routes.all.filter { $0.path.first?.description == "api" && $0.path.last?.description != "openapi.json" }
                #expect(registered.count == APIRoute.all.filter { !$0.registeredBySite }.count)
                // The feed outside /api/v1 is documented too, and served by the site's route.
                #expect(paths["/calendar/{token}.ics"]?["get"] != nil)
                for route in registered {
                    let concrete = route.path.map(\.description)
                    let api = try #require(
                        APIRoute.all.first { $0.method == route.method && $0.components.map(\.description) == concrete }, "\(route.method) \(concrete)")
                    let path = api.path
                    let operation = try #require(paths[path]?[route.method.rawValue.lowercased()] as? [String: Any], "\(route.method) \(path)")
                    let responses = try #require(operation["responses"] as? [String: Any])
                    for status in ["400", "404"] { #expect(responses[status] != nil, "\(path) \(status)") }
                    let security = try #require(operation["security"] as? [[String: Any]])
                    #expect(security.isEmpty == (api.access == .anyone))
                    if api.access != .anyone { #expect(responses["401"] != nil && responses["403"] != nil) }
                }
            }
        }

        @Test("the demo has an active pilot with live pairs and an enrolling cohort with invitations out")
        func demo() async throws {
            try await withUpward { app in
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                let credentials = try await DemoSeeder(db: app.db, accounts: accounts).seed()
                let programs = try await Program.query(on: app.db).all()
                let pilot = try #require(programs.first { $0.isPilot && $0.programStatus != .completed })
                let spring = try #require(programs.first { !$0.isPilot })
                #expect(pilot.programStatus == .active)
                #expect(spring.programStatus == .enrolling)
                let live = try await Pair.query(on: app.db).filter(\.$program.$id == pilot.id!).filter(\.$status == Pair.Status.live.rawValue).count()
                #expect(live == 6)
                let invited = try await Participant.query(on: app.db).filter(\.$program.$id == spring.id!).all()
                #expect(invited.contains { $0.acceptedAt == nil })
                #expect(invited.contains { $0.acceptedAt != nil && $0.enrolledAt == nil })
                #expect(invited.contains { $0.enrolledAt != nil })
                #expect(credentials.contains { $0.role.hasPrefix("pilot mentor") })
                #expect(credentials.contains { $0.role.hasPrefix("pilot mentee") })
                // The printed mentee can sign in and sees their live partner.
                let mentee = try #require(credentials.first { $0.role.hasPrefix("pilot mentee") })
                let browser = Browser(app)
                try await browser.signIn(mentee.email, mentee.password)
                #expect(try await browser.get("/").body.string.contains("Your mentor:"))
                // Pairs at work: goals with milestones, held and missed meetings, meetings ahead, notes, a concern, a circle.
                let goals = try await Goal.query(on: app.db).all()
                #expect(goals.count == 32 && goals.allSatisfy { !$0.milestones.isEmpty })
                let meetings = try await Meeting.query(on: app.db).filter(\.$pair.$id != nil).all()
                let now = app.upward.clock.now
                #expect(meetings.contains { $0.meetingStatus == .held && $0.summary != nil })
                #expect(meetings.contains { $0.meetingStatus == .missed })
                #expect(meetings.contains { $0.meetingStatus == .scheduled && $0.startsAt > now })
                #expect(try await PairNote.query(on: app.db).filter(\.$visibility == "shared").count() == 6)
                #expect(try await PairNote.query(on: app.db).filter(\.$visibility == "private").count() == 6)
                #expect(try await Concern.query(on: app.db).filter(\.$status == "open").count() == 1)
                #expect(try await Circle.query(on: app.db).count() == 1)
                let pairPage = try await browser.get("/").body.string
                let pairPath = try #require(pairPage.range(of: #"/pairs/[0-9A-F-]{36}"#, options: .regularExpression).map { String(pairPage[$0]) })
                let page = try await browser.get(pairPath).body.string
                #expect(page.contains("Use an AI assistant for my weekly reports"))
                #expect(page.contains("Private: I still find it hard"))
                #expect(page.contains("held"))
                // Last year's completed pilot: ended pairs, assessments before and after, ideas, stories.
                let completed = try #require(programs.first { $0.programStatus == .completed })
                #expect(try await Pair.query(on: app.db).filter(\.$program.$id == completed.id!).filter(\.$status == Pair.Status.ended.rawValue).count() == 10)
                let growth = try await SurveyService(db: app.db, clock: app.upward.clock).skillChange(program: completed)
                #expect(growth.count == 6 && growth.allSatisfy { ($0.summary?.n ?? 0) >= 10 })
                #expect(try await Idea.query(on: app.db).filter(\.$status == IdeaStatus.adopted.rawValue).count() == 1)
                #expect(try await Recognition(db: app.db, clock: app.upward.clock).published(program: completed.id!).count == 2)
            }
        }
    }
}
