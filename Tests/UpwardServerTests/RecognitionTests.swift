import Fluent
import Testing
import UpwardCore
import UpwardTestSupport
import Vapor
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Ideas, stories and certificates")
    struct RecognitionTests {
        @Test("a pair raises an idea, the manager pilots it and the pair is told; a participant cannot change its status")
        func ideas() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let mentee = try await world.signIn(pair.mentee.person.employeeID)
                let page = SitePath.pair(pair.id!)
                try await mentee.get(page)
                let empty = try await mentee.post(SiteRoute.ideaCreate.path(pair.id!.uuidString), form: ["title": " ", "description": "x"])
                #expect(empty.status == .unprocessableEntity && empty.body.string.contains("title"))
                #expect(try await Idea.query(on: app.db).count() == 0)
                try await mentee.get(page)
                let raised = try await mentee.post(
                    SiteRoute.ideaCreate.path(pair.id!.uuidString),
                    form: ["title": "Use an AI meeting summarizer", "description": "Leaders spend hours writing minutes."])
                #expect(raised.status == .seeOther)
                let idea = try #require(try await Idea.query(on: app.db).first())
                #expect(idea.ideaStatus == .proposed && idea.$raisedBy.id == pair.mentee.$person.id)
                #expect(try await Delivery.query(on: app.db).filter(\.$kind == "idea").count() >= 1)
                #expect(try await mentee.get(page).body.string.contains("Use an AI meeting summarizer"))
                // Only the program's managers set the status.
                let statusPath = SiteRoute.ideaStatus.path(world.programA.id!.uuidString, idea.id!.uuidString)
                try await mentee.get(page)
                #expect(try await mentee.post(statusPath, form: ["status": "adopted"]).status == .forbidden)
                let other = try await world.signIn(manager: world.managerB)
                try await other.get("/programs")
                #expect(try await other.post(statusPath, form: ["status": "adopted"]).status == .notFound)
                let manager = try await world.signIn(manager: world.managerA)
                try await manager.get(SiteRoute.ideas.path(world.programA.id!.uuidString))
                #expect(try await manager.post(statusPath, form: ["status": "shipped"]).status == .unprocessableEntity)
                try await manager.get(SiteRoute.ideas.path(world.programA.id!.uuidString))
                #expect(try await manager.post(statusPath, form: ["status": "piloted"]).status == .seeOther)
                #expect(try await Idea.find(idea.id, on: app.db)?.ideaStatus == .piloted)
                let told = try await Notification.query(on: app.db).filter(\.$kind == "idea").all().map(\.$person.id)
                #expect(Set(told) == [pair.mentee.$person.id, pair.mentor.$person.id])
                let token = try await world.token(world.managerA)
                let adopted = try await world.api(
                    .PUT, "/api/v1/programs/\(world.programA.id!)/ideas/\(idea.id!)/status", token: token, json: #"{"status":"adopted"}"#)
                #expect(try adopted.content.decode(APIModel.IdeaOut.self).status == "adopted")
                let menteeToken = try await world.token(world.users[pair.mentee.person.employeeID]!)
                let raisedByAPI = try await world.api(
                    .POST, "/api/v1/pairs/\(pair.id!)/ideas", token: menteeToken, json: #"{"title":"Office hours","description":"  "}"#)
                #expect(raisedByAPI.status == .unprocessableEntity && raisedByAPI.body.string.contains("description"))
                _ = try await world.api(.PUT, "/api/v1/programs/\(world.programA.id!)/ideas/\(idea.id!)/status", token: token, json: #"{"status":"piloted"}"#)
                // The outcomes report counts it.
                let csv = try await manager.get(SiteRoute.dashboard.path(world.programA.id!.uuidString) + "?format=csv").body.string
                #expect(csv.contains("\"Ideas\",\"Piloted\",\"1\"") && csv.contains("\"Ideas\",\"Use an AI meeting summarizer\",\"Piloted\""))
            }
        }

        @Test("a story is published only while both consent; an edit asks the partner again; withdrawing unpublishes it")
        func stories() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pairs = try await world.goLive()
                let pair = try #require(pairs.first)
                let key = pair.id!.uuidString
                let storiesPage = SiteRoute.stories.path(world.programA.id!.uuidString)
                let mentee = try await world.signIn(pair.mentee.person.employeeID)
                let mentor = try await world.signIn(pair.mentor.person.employeeID)
                try await mentee.get(SitePath.pair(pair.id!))
                #expect(
                    try await mentee.post(
                        SiteRoute.storyCreate.path(key), form: ["title": "Teaching a CFO to prompt", "body": "We met weekly.", "consent": "yes"]
                    ).status == .seeOther)
                let story = try #require(try await Story.query(on: app.db).first())
                #expect(story.consent == StoryConsent(mentee: true, mentor: false))
                // Someone else in the program reads the stories page: nothing is published yet.
                let outsider = try await world.signIn(pairs[1].mentee.person.employeeID)
                #expect(try await outsider.get(storiesPage).body.string.contains("No published stories yet."))
                try await mentor.get(SitePath.pair(pair.id!))
                #expect(try await mentor.post(SiteRoute.storyConsent.path(key, story.id!.uuidString), form: ["agree": "yes"]).status == .seeOther)
                #expect(try await outsider.get(storiesPage).body.string.contains("Teaching a CFO to prompt"))
                // The mentee changes the text: the mentor must agree again.
                try await mentee.get(SitePath.pair(pair.id!))
                _ = try await mentee.post(
                    SiteRoute.storyUpdate.path(key, story.id!.uuidString),
                    form: ["title": "Teaching a CFO to prompt", "body": "We met weekly and wrote a policy.", "consent": "yes"])
                #expect(try await Story.find(story.id, on: app.db)?.consent == StoryConsent(mentee: true, mentor: false))
                #expect(!(try await outsider.get(storiesPage).body.string.contains("Teaching a CFO")))
                try await mentor.get(SitePath.pair(pair.id!))
                _ = try await mentor.post(SiteRoute.storyConsent.path(key, story.id!.uuidString), form: ["agree": "yes"])
                #expect(try await outsider.get(storiesPage).body.string.contains("wrote a policy"))
                // Either can withdraw at any time.
                try await mentor.get(SitePath.pair(pair.id!))
                _ = try await mentor.post(SiteRoute.storyConsent.path(key, story.id!.uuidString), form: ["agree": "no"])
                #expect(!(try await outsider.get(storiesPage).body.string.contains("wrote a policy")))
                try await mentor.get(SitePath.pair(pair.id!))
                #expect(try await mentor.post(SiteRoute.storyConsent.path(key, story.id!.uuidString), form: ["agree": "maybe"]).status == .unprocessableEntity)
                // The same through the API, on the same service.
                let second = pairs[1]
                let mentorToken = try await world.token(world.users[second.mentor.person.employeeID]!)
                let menteeToken = try await world.token(world.users[second.mentee.person.employeeID]!)
                let written = try await world.api(
                    .POST, "/api/v1/pairs/\(second.id!)/stories", token: mentorToken, json: #"{"title":"Two ways","body":"Both learned.","consent":true}"#)
                #expect(written.status == .created)
                let storyOut = try written.content.decode(APIModel.StoryOut.self)
                #expect(storyOut.mentorConsents && !storyOut.menteeConsents && !storyOut.published)
                let agreed = try await world.api(
                    .PUT, "/api/v1/pairs/\(second.id!)/stories/\(storyOut.id)/consent", token: menteeToken, json: #"{"agree":true}"#)
                #expect(try agreed.content.decode(APIModel.StoryOut.self).published)
                let listed = try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/stories", token: menteeToken)
                #expect(try listed.content.decode([APIModel.PublishedStoryOut].self).map(\.title) == ["Two ways"])
                // The manager reads published stories, not the pair's drafts.
                let managerToken = try await world.token(world.managerA)
                #expect(try await world.api(.GET, "/api/v1/pairs/\(second.id!)/stories", token: managerToken).status == .forbidden)
                // Someone outside the program cannot read its stories.
                let manager = try await world.signIn(manager: world.managerB)
                #expect(try await manager.get(storiesPage).status == .notFound)
                #expect(try await (try await world.signIn(manager: world.managerA)).get(storiesPage).status == .ok)
            }
        }

        @Test("a certificate after a completed program, for someone whose pair met; their own, or any for the manager")
        func certificates() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pairs = try await world.goLive()
                let pair = try #require(pairs.first)
                let programKey = world.programA.id!.uuidString
                let path = SiteRoute.certificate.path(programKey, pair.mentor.id!.uuidString)
                let mentor = try await world.signIn(pair.mentor.person.employeeID)
                #expect(try await mentor.get(path).status == .conflict)
                let meeting = try #require(try await Meeting.query(on: app.db).filter(\.$pair.$id == pair.id!).sort(\.$startsAt).first())
                world.clock.advance(by: meeting.startsAt.timeIntervalSince(world.clock.now) + 3600)
                let context = try await PairSpace(db: app.db).context(pair.id!, viewer: Viewer(world.users[pair.mentor.person.employeeID]!))
                _ = try await Meetings(db: app.db, clock: world.clock).log(
                    meeting, outcome: "held", summary: "Prompting basics", followUps: nil, in: context, by: Viewer(world.users[pair.mentor.person.employeeID]!))
                let (programs, _, _, _, _) = world.services
                try await programs.transition(world.programA, to: .completed, by: Viewer(world.managerA))
                // Days passed: sign in again.
                let mentorNow = try await world.signIn(pair.mentor.person.employeeID)
                let page = try await mentorNow.get(path)
                #expect(page.status == .ok)
                #expect(page.body.string.contains(pair.mentor.person.name) && page.body.string.contains("reverse mentor"))
                #expect(page.body.string.contains("<th scope=\"row\">Meetings held</th><td>1</td>"))
                #expect(try await mentorNow.get(SiteRoute.program.path(programKey)).body.string.contains(path))
                // The partner cannot open it; the manager can; another program's manager cannot.
                let mentee = try await world.signIn(pair.mentee.person.employeeID)
                #expect(try await mentee.get(path).status == .notFound)
                #expect(try await mentee.get(SiteRoute.certificate.path(programKey, pair.mentee.id!.uuidString)).status == .ok)
                #expect(try await (try await world.signIn(manager: world.managerA)).get(path).status == .ok)
                // The outcomes report counts the held meeting in its month, in UTC.
                var utc = Calendar(identifier: .gregorian)
                utc.timeZone = TimeZone(identifier: "UTC")!
                let held = utc.dateComponents([.year, .month], from: meeting.startsAt)
                let month = String(format: "%04d-%02d", held.year ?? 0, held.month ?? 0)
                let report = try await (try await world.signIn(manager: world.managerA)).get(SiteRoute.dashboard.path(programKey) + "?format=csv")
                #expect(report.body.string.contains("\"Meetings\",\"\(month) held\",\"1\""))
                #expect(try await (try await world.signIn(manager: world.managerB)).get(path).status == .notFound)
                let certificate = try await world.api(
                    .GET, "/api/v1/programs/\(programKey)/certificates/\(pair.mentor.id!)", token: try await world.token(world.managerA))
                let decoded = try certificate.content.decode(APIModel.CertificateOut.self)
                #expect(decoded.meetingsHeld == 1 && decoded.role == "mentor" && decoded.partners == [pair.mentee.person.name])
                // A pair that never met has nothing to certify.
                let idle = pairs[1]
                let idleMentor = try await world.signIn(idle.mentor.person.employeeID)
                #expect(try await idleMentor.get(SiteRoute.certificate.path(programKey, idle.mentor.id!.uuidString)).status == .conflict)
            }
        }
    }
}
