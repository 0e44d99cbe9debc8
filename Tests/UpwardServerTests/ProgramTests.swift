import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Programs")
    struct ProgramTests {
        @Test("the lifecycle refuses illegal steps with a message that says why")
        func lifecycle() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock(), enroll: false, ready: false)
                let token = try await world.token(world.managerB)
                let body = #"{"name":"Pilot","focusAreas":["AI tools"],"startsOn":"2026-01-01","endsOn":"2026-03-31"}"#
                let created = try await world.api(.POST, "/api/v1/programs", token: token, json: body)
                #expect(created.status == .created)
                let id = try created.content.decode(APIModel.ProgramOut.self).id
                let skip = try await world.api(.POST, "/api/v1/programs/\(id)/transition", token: token, json: #"{"to":"matching"}"#)
                #expect(skip.status == .conflict)
                #expect(skip.body.string.contains("can only move to enrolling or cancelled"))
                #expect(try await world.api(.POST, "/api/v1/programs/\(id)/transition", token: token, json: #"{"to":"enrolling"}"#).status == .ok)
                let empty = try await world.api(.POST, "/api/v1/programs/\(id)/transition", token: token, json: #"{"to":"matching"}"#)
                #expect(empty.status == .conflict)
                #expect(empty.body.string.contains("at least one enrolled mentor and one enrolled mentee"))
                let bogus = try await world.api(.POST, "/api/v1/programs/\(id)/transition", token: token, json: #"{"to":"finished"}"#)
                #expect(bogus.status == .unprocessableEntity)
                #expect(bogus.body.string.contains("\"field\":\"to\""))
                #expect(try await world.api(.POST, "/api/v1/programs/\(id)/transition", token: token, json: #"{"to":"cancelled"}"#).status == .ok)
                let final = try await world.api(.POST, "/api/v1/programs/\(id)/transition", token: token, json: #"{"to":"active"}"#)
                #expect(final.status == .conflict)
                #expect(final.body.string.contains("cancelled program is final"))
                // In the browser: the same refusal on the program page's form.
                let browser = try await world.signIn(manager: world.managerA)
                try await browser.get(SitePath.program(world.programA.id!))
                let page = try await browser.post(SiteRoute.programTransition.path(world.programA.id!.uuidString), form: ["to": "active"])
                #expect(page.status == .conflict)
                #expect(page.body.string.contains("can only move to matching or cancelled"))
                // Core: every pair of states.
                for from in ProgramStatus.allCases {
                    for to in ProgramStatus.allCases {
                        let facts = ProgramLifecycle.Facts(enrolledMentors: 1, enrolledMentees: 1, publishedPairs: 1)
                        let allowed = (try? ProgramLifecycle.check(from: from, to: to, facts: facts)) != nil
                        #expect(allowed == ProgramLifecycle.next(after: from).contains(to), "\(from) → \(to)")
                    }
                }
            }
        }

        @Test("settings are validated with every problem named")
        func settingsValidation() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock(), enroll: false, ready: false, modules: false)
                let browser = try await world.signIn(manager: world.managerA)
                try await browser.get(SiteRoute.programNew.path())
                let response = try await browser.post(
                    SitePath.programs,
                    form: [
                        "name": "", "startsOn": "2026-05-01", "endsOn": "2026-04-01", "cadence": "custom", "customDays": "400", "minimumLevelGap": "two",
                        "objective": "happiest", "weights[goals]": "-1",
                    ])
                #expect(response.status == .unprocessableEntity)
                for field in ["name", "focusAreas", "endsOn", "cadenceDays", "minimumLevelGap", "objective", "weights.goals"] {
                    #expect(response.body.string.contains("<code>\(field)</code>"), "\(field)")
                }
                #expect(try await Program.query(on: app.db).count() == 2)
            }
        }

        @Test("invitations: one-time links, stored hashed, expiring, never for people who left")
        func invitations() async throws {
            let clock = FixedClock()
            try await withUpward(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock, enroll: false, ready: false)
                let browser = try await world.signIn(manager: world.managerB)
                let programB = world.programB.id!.uuidString
                try await browser.get(SiteRoute.invitations.path(programB))
                let j1 = try await ProgramWorld.person(app, "J1").requireID().uuidString
                let j9 = try await ProgramWorld.person(app, "J9").requireID().uuidString
                let body = "_csrf=\(browser.csrf!)&role=mentor&people%5B%5D=\(j1)&people%5B%5D=\(j9)"
                let page = try await browser.send(
                    .POST, SiteRoute.invite.path(programB), contentType: "application/x-www-form-urlencoded", body: ByteBuffer(string: body))
                #expect(page.status == .ok)
                #expect(page.body.string.contains("Jamie Gone: left the organization"))
                let html = page.body.string
                let start = try #require(html.range(of: "/invitations/"))
                let token = String(html[start.upperBound...].prefix(43))
                // Only the hash is stored.
                let row = try #require(try await Participant.query(on: app.db).filter(\.$program.$id == world.programB.id!).first())
                #expect(row.invitationHash == SessionStore.hash(token))
                #expect(try await Participant.query(on: app.db).filter(\.$invitationHash == token).count() == 0)
                #expect(try await Participant.query(on: app.db).filter(\.$program.$id == world.programB.id!).count() == 1)
                // J1 already has an account: they must sign in as themselves to join.
                let stranger = Browser(app)
                #expect(try await stranger.get(SitePath.invitation(token)).body.string.contains("Sign in to join"))
                let invitee = try await world.signIn("J1")
                try await invitee.get(SitePath.invitation(token))
                let joined = try await invitee.post(SitePath.invitation(token))
                #expect(joined.status == .seeOther)
                #expect(try await invitee.get(SitePath.invitation(token)).status == .notFound)
                #expect(try await invitee.post(SitePath.invitation(token)).status == .notFound)

                // A new person: the link sets a password; weak ones are refused; it expires after 14 days.
                try await browser.get(SiteRoute.invitations.path(programB))
                let l1 = try await ProgramWorld.person(app, "L1").requireID().uuidString
                let second = try await browser.send(
                    .POST, SiteRoute.invite.path(programB), contentType: "application/x-www-form-urlencoded",
                    body: ByteBuffer(string: "_csrf=\(browser.csrf!)&role=mentee&people%5B%5D=\(l1)"))
                let secondHTML = second.body.string
                let token2 = String(secondHTML[try #require(secondHTML.range(of: "/invitations/")).upperBound...].prefix(43))
                let newcomer = Browser(app)
                try await newcomer.get(SitePath.invitation(token2))
                let weak = try await newcomer.post(SitePath.invitation(token2), form: ["password": "short", "confirm": "short"])
                #expect(weak.status == .unprocessableEntity)
                #expect(weak.body.string.contains("<code>password</code>"))
                // The program page shows where each place stands: J1 joined, L1 is invited.
                let before = try await browser.get(SitePath.program(world.programB.id!)).body.string
                #expect(before.contains("<td>Accepted</td>") && before.contains("<td>Invited</td>") && !before.contains("Invitation expired"))
                clock.advance(by: 14 * 86_400 + 1)
                let expired = try await newcomer.get(SitePath.invitation(token2))
                #expect(expired.status == .gone)
                #expect(expired.body.string.contains("expired"))
                // Fourteen days on, the manager signs in again (sessions end too).
                let after = try await world.signIn(manager: world.managerB).get(SitePath.program(world.programB.id!)).body.string
                #expect(after.contains("<td>Invitation expired</td>") && !after.contains("<td>Invited</td>"))
                // A new link works, and the old one no longer does.
                let participant = try #require(try await Participant.query(on: app.db).filter(\.$person.$id == UUID(uuidString: l1)!).first())
                let reissued = try await world.api(
                    .POST, "/api/v1/programs/\(world.programB.id!)/participants/\(participant.id!)/reissue", token: try await world.token(world.managerB))
                #expect(reissued.status == .created)
                let fresh = String(try #require(try reissued.content.decode(APIModel.InvitationLinkOut.self).url.split(separator: "/").last))
                #expect(try await newcomer.get(SitePath.invitation(token2)).status == .notFound)
                try await newcomer.get(SitePath.invitation(fresh))
                let accepted = try await newcomer.post(SitePath.invitation(fresh), form: ["password": ProgramWorld.password, "confirm": ProgramWorld.password])
                #expect(accepted.status == .seeOther)
                #expect(accepted.location?.hasPrefix(SiteRoute.enrollForm.path(programB)) == true)
                #expect(try await world.actions().isSuperset(of: ["invitation.sent", "invitation.accepted", "invitation.reissued"]))
            }
        }

        @Test("enrollment names every problem and saves nothing until all are fixed")
        func enrollmentValidation() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock(), enroll: false, ready: false)
                let token = try await world.token(world.users["J2"]!)
                let bad = """
                    {"offers":[{"skill":"AI tools","level":9},{"skill":"ai tools","level":3}],"goals":[{"skill":"Leadership","current":3,"target":2}],
                     "style":"loud","capacity":5,"avoid":["NOBODY"],"diversity":{"gender":"x"}}
                    """
                let response = try await world.api(.PUT, "/api/v1/programs/\(world.programA.id!)/enrollment", token: token, json: bad)
                #expect(response.status == .unprocessableEntity)
                let error = try response.content.decode(APIErrorBody.self)
                let fields = Set(error.issues?.map(\.field) ?? [])
                #expect(fields == ["offers[0].level", "offers[1].skill", "goals[0].target", "style", "capacity", "avoid[0]", "diversityConsent"])
                #expect(world.participants["J2"]!.enrolledAt == nil)
                #expect(try await Participant.find(world.participants["J2"]!.id, on: app.db)?.answersJSON == nil)
                let good = #"{"offers":[{"skill":"AI tools","level":5}],"goals":[{"skill":"Leadership","current":1,"target":3}],"avoid":["S2"]}"#
                #expect(try await world.api(.PUT, "/api/v1/programs/\(world.programA.id!)/enrollment", token: token, json: good).status == .ok)
                // The avoid list is the manager's to see, marked confidential.
                let manager = try await world.signIn(manager: world.managerA)
                let programPage = try await manager.get(SitePath.program(world.programA.id!)).body.string
                #expect(programPage.contains("confidential") && programPage.contains("Sky Senior<br>"))
                // The browser form reports the same way.
                let browser = try await world.signIn("J3")
                try await browser.get(SiteRoute.enrollForm.path(world.programA.id!.uuidString))
                let page = try await browser.post(
                    SiteRoute.enroll.path(world.programA.id!.uuidString),
                    form: [
                        "offers[0][skill]": "Video", "offers[0][level]": "x", "goals[0][skill]": "Strategy", "goals[0][current]": "1", "goals[0][target]": "1",
                    ])
                #expect(page.status == .unprocessableEntity)
                #expect(page.body.string.contains("<code>offers[0].level</code>"))
            }
        }

        @Test("a pair goes live only when both have finished training and accepted the code of conduct")
        func gating() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock(), ready: false)
                let (programs, _, _, matching, _) = world.services
                try await programs.transition(world.programA, to: .matching, by: Viewer(world.managerA))
                _ = try await matching.run(world.programA, by: Viewer(world.managerA))
                #expect(try await matching.approve(world.programA, by: Viewer(world.managerA)) == 3)
                #expect(world.programA.programStatus == .active)
                var pairs = try await world.pairs()
                #expect(pairs.allSatisfy { $0.pairStatus == .waiting })
                let pair = try #require(pairs.first)
                // The manager sees what each side still owes.
                let browser = try await world.signIn(manager: world.managerA)
                let review = try await browser.get(SiteRoute.matching.path(world.programA.id!.uuidString))
                #expect(review.body.string.contains("\(pair.mentee.person.name): training: Basics, code of conduct"))
                try await world.makeReady(pair.mentee.person.employeeID)
                pairs = try await world.pairs()
                #expect(pairs.first { $0.id == pair.id }?.pairStatus == .waiting)
                try await world.makeReady(pair.mentor.person.employeeID)
                pairs = try await world.pairs()
                #expect(pairs.first { $0.id == pair.id }?.pairStatus == .live)
                #expect(pairs.filter { $0.pairStatus == .live }.count == 1)
                let notes = try await Notification.query(on: app.db).filter(\.$kind == "pair.live").count()
                #expect(notes == 2)
            }
        }

        @Test(
            "the matching review pages through the pairs 100 at a time; its lists show the first 200 candidates and proposals, narrowed by find; a bad page is a 400"
        )
        func reviewPages() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock())
                let (programs, _, _, matching, _) = world.services
                let viewer = Viewer(world.managerA)
                try await programs.transition(world.programA, to: .matching, by: viewer)
                _ = try await matching.run(world.programA, by: viewer)
                let first = try #require(try await world.pairs(status: .proposed).first)
                // 247 more proposals, each a minute younger than the one before: 250 in all, three pages.
                for n in 1...247 {
                    let copy = Pair()
                    copy.$program.id = first.$program.id
                    copy.$mentee.id = first.$mentee.id
                    copy.$mentor.id = first.$mentor.id
                    copy.score = Double(n)
                    copy.reasonsJSON = "[]"
                    copy.warningsJSON = "[]"
                    copy.status = Pair.Status.proposed.rawValue
                    copy.locked = false
                    copy.source = "engine"
                    copy.createdAt = first.createdAt.addingTimeInterval(Double(n) * 60)
                    try await copy.create(on: app.db)
                }
                let all = try await world.pairs()
                #expect(all.count == 250)
                let browser = try await world.signIn(manager: world.managerA)
                let path = SiteRoute.matching.path(world.programA.id!.uuidString)
                func rows(_ html: String) -> Int { html.components(separatedBy: "/lock\"").count - 1 }
                let one = try await browser.get(path).body.string
                #expect(rows(one) == 100)
                #expect(one.contains("Showing 1–100 of 250") && one.contains("?page=2#pairs") && !one.contains("Previous"))
                #expect(one.contains("Approve 250 pairs"))
                let three = try await browser.get(path + "?page=3").body.string
                #expect(rows(three) == 50 && three.contains("Showing 201–250 of 250") && three.contains("?page=2#pairs"))
                // Oldest first: the youngest proposal (its score 247) is on the last page only.
                #expect(three.contains("<td class=\"num\">247</td>") && !one.contains("<td class=\"num\">247</td>"))
                // Past the end: the last page.
                #expect(rows(try await browser.get(path + "?page=9").body.string) == 50)
                // The swap form offers proposals from every page, the first 200 of them, and says so.
                #expect(three.components(separatedBy: "<option value=\"\(first.id!.uuidString)\">").count - 1 == 2)
                func options(_ html: String, _ select: String) -> [String] {
                    guard let start = html.range(of: "<select id=\"\(select)\""), let end = html[start.upperBound...].range(of: "</select>") else { return [] }
                    return html[start.upperBound..<end.lowerBound].components(separatedBy: "<option value=\"").dropFirst().map { String($0.prefix(36)) }
                }
                #expect(options(one, "swap-pair").count == 200 && options(one, "menteeId").count == 3 && options(one, "mentorId").count == 4)
                #expect(one.contains("The lists below show the first 3 of 3 mentees, 4 of 4 mentors and 200 of 250 proposals."))
                let youngest = try #require(all.first { $0.score == 247 }?.id?.uuidString)
                #expect(!options(one, "swap-pair").contains(youngest))
                // Find narrows every list by name or department, ignoring case and accents, and the page links keep it.
                let finance = try await browser.get(path + "?find=FINANCE").body.string
                let sky = try #require(try await Person.query(on: app.db).filter(\.$employeeID == "S2").first())
                let skyParticipant = try #require(
                    try await Participant.query(on: app.db).filter(\.$program.$id == world.programA.id!).filter(\.$person.$id == sky.id!).first())
                #expect(options(finance, "menteeId") == [skyParticipant.id!.uuidString] && options(finance, "mentorId").isEmpty)
                #expect(options(finance, "swap-pair").isEmpty && finance.contains("Matching “FINANCE”: 1 of 3 mentees, 0 of 4 mentors and 0 of 250 proposals."))
                #expect(
                    finance.contains("value=\"FINANCE\"") && finance.contains("?page=2&amp;find=FINANCE#pairs"),
                    "\(finance.components(separatedBy: "pager").last ?? "")")
                let juniors = try await browser.get(path + "?find=j%C3%BAnior&page=2").body.string
                #expect(options(juniors, "mentorId").count == 4 && options(juniors, "menteeId").isEmpty && rows(juniors) == 100)
                #expect(juniors.contains("?page=3&amp;find=j%C3%BAnior#pairs") && juniors.contains("?page=1&amp;find=j%C3%BAnior#pairs"))
                let pairMentee = try #require(try await Participant.query(on: app.db).filter(\.$id == first.$mentee.id).with(\.$person).first())
                let byName = try await browser.get(path + "?find=" + pairMentee.person.name.replacingOccurrences(of: " ", with: "+")).body.string
                #expect(
                    options(byName, "swap-pair").count == 200
                        && byName.contains("\(all.filter { $0.$mentee.id == pairMentee.id }.count) of 250 proposals; the first 200 of each are listed."),
                    "\(byName.components(separatedBy: "class=\"hint\"").dropFirst().first ?? "")")
                let long = try await browser.get(path + "?find=" + String(repeating: "a", count: 101))
                #expect(long.status == .badRequest && long.body.string.contains("find must be at most 100 characters"))
                // The manual pairing lists hold the engine's candidates, in its order.
                let built = try await matching.model(for: world.programA)
                let candidates = try await matching.candidates(of: world.programA.id!)
                #expect(candidates.mentees.map(\.id) == built.mentees.map { $0.id! })
                #expect(candidates.mentors.map(\.id) == built.mentors.map { $0.id! })
                #expect(!candidates.mentees.isEmpty && !candidates.mentors.isEmpty)
                for bad in ["0", "-1", "100001", "abc", "99999999999999999999"] {
                    let response = try await browser.get(path + "?page=\(bad)")
                    #expect(response.status == .badRequest, "page=\(bad)")
                }
                #expect(try await browser.get(path + "?page=0").body.string.contains("page must be a page number from 1 to 100000"))

                // The API: the whole list as before, or a page of it with where the next one is.
                let token = try await world.token(world.managerA)
                let api = "/api/v1/programs/\(world.programA.id!)/pairs"
                let whole = try await world.api(.GET, api, token: token)
                let everyPair = try whole.content.decode([APIModel.PairOut].self).map(\.id)
                #expect(everyPair.count == 250 && whole.headers.first(name: "X-Total-Count") == "250" && whole.headers.first(name: "Link") == nil)
                let second = try await world.api(.GET, api + "?page=2&per_page=100", token: token)
                #expect(try second.content.decode([APIModel.PairOut].self).map(\.id) == Array(everyPair[100..<200]))
                #expect(second.headers.first(name: "Link") == "<\(api)?page=3&per_page=100>; rel=\"next\"")
                let third = try await world.api(.GET, api + "?page=3", token: token)
                #expect(try third.content.decode([APIModel.PairOut].self).map(\.id) == Array(everyPair[200...]))
                #expect(third.headers.first(name: "Link") == nil && third.headers.first(name: "X-Total-Count") == "250")
                let past = try await world.api(.GET, api + "?page=9223372036854775807&per_page=500", token: token)
                let pastItems = try past.content.decode([APIModel.PairOut].self)
                #expect(past.status == .ok && pastItems.isEmpty)
                for bad in ["page=0", "page=-1", "page=abc", "page=", "per_page=0", "per_page=501", "per_page=1e2", "page=99999999999999999999"] {
                    let response = try await world.api(.GET, api + "?" + bad, token: token)
                    #expect(response.status == .badRequest && response.body.string.contains(String(bad.prefix { $0 != "=" })), "\(bad)")
                }
                // A participant pages through their own published pairs only.
                let participants = try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/participants?per_page=2", token: token)
                let total = try await Participant.query(on: app.db).filter(\.$program.$id == world.programA.id!).count()
                #expect(try participants.content.decode([APIModel.ParticipantOut].self).count == 2)
                #expect(participants.headers.first(name: "X-Total-Count") == String(total) && total > 2)
                #expect(participants.headers.first(name: "Link")?.contains("page=2&per_page=2") == true)
            }
        }

        @Test("a participant in two programs sees on their home page what each program still asks of them, and only that")
        func homeChecklists() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock(), ready: false)
                let (programs, invitations, enrollments, _, _) = world.services
                let managerB = Viewer(world.managerB)
                _ = try await enrollments.addModule(.init(title: "Welcome to B", content: "Hi", audience: "both"), to: world.programB, by: managerB)
                try await programs.transition(world.programB, to: .enrolling, by: managerB)
                let j1 = try await ProgramWorld.person(app, "J1")
                let link = try #require(try await invitations.invite([j1.requireID()], role: .mentor, to: world.programB, by: managerB).links.first)
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                _ = try await invitations.accept(
                    token: link.token, password: nil, name: nil, signedIn: Viewer(world.users["J1"]!), accounts: accounts)
                let browser = try await world.signIn("J1")
                /// The "still to do" tags of each program's card on the home page.
                func todo() async throws -> [String: [String]] {
                    let html = try await browser.get("/").body.string
                    var result: [String: [String]] = [:]
                    for card in html.components(separatedBy: "<section class=\"card\">").dropFirst() {
                        guard let name = ["Program A", "Program B"].first(where: { card.contains(">\($0)</a>") }) else { continue }
                        result[name] = card.matches(of: /<span class="tag warn">([^<]*)<\/span>/).map { String($0.output.1) }
                    }
                    return result
                }
                var lists = try await todo()
                #expect(lists["Program A"] == ["training: Basics", "training: For mentors", "code of conduct"])
                #expect(lists["Program B"] == ["enrollment form", "training: Welcome to B", "code of conduct"])
                try await world.makeReady("J1")
                lists = try await todo()
                #expect(lists["Program A"] == [])
                #expect(lists["Program B"] == ["enrollment form", "training: Welcome to B", "code of conduct"])
            }
        }

        @Test("a manual pair that breaks a hard rule is refused with the rule named; a low score needs a reason")
        func manualPairs() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock())
                let (programs, _, _, _, _) = world.services
                try await programs.transition(world.programA, to: .matching, by: Viewer(world.managerA))
                let token = try await world.token(world.managerA)
                let path = "/api/v1/programs/\(world.programA.id!)/pairs"
                let s1 = world.participants["S1"]!.id!
                let j1 = world.participants["J1"]!.id!
                let chain = try await world.api(.POST, path, token: token, json: #"{"menteeId":"\#(s1)","mentorId":"\#(j1)"}"#)
                #expect(chain.status == .unprocessableEntity)
                #expect(chain.body.string.contains("in the same reporting chain"))
                // Mentor and mentee swapped: a mentee as mentor is not an enrolled mentor.
                let wrongRole = try await world.api(.POST, path, token: token, json: #"{"menteeId":"\#(j1)","mentorId":"\#(s1)"}"#)
                #expect(wrongRole.status == .unprocessableEntity)
                #expect(wrongRole.body.string.contains("menteeId"))
                // Raise the threshold above any score: a reason becomes necessary.
                var settings = world.programA.settings
                settings.reviewThreshold = 100
                try await programs.update(world.programA, with: settings, by: Viewer(world.managerA))
                let s2 = world.participants["S2"]!.id!
                let j2 = world.participants["J2"]!.id!
                let noReason = try await world.api(.POST, path, token: token, json: #"{"menteeId":"\#(s2)","mentorId":"\#(j2)"}"#)
                #expect(noReason.status == .unprocessableEntity)
                #expect(noReason.body.string.contains("a written reason is needed"))
                let withReason = try await world.api(
                    .POST, path, token: token, json: #"{"menteeId":"\#(s2)","mentorId":"\#(j2)","reason":"They asked for each other"}"#)
                #expect(withReason.status == .created)
                let pair = try withReason.content.decode(APIModel.PairOut.self)
                #expect(pair.locked && pair.source == "manual" && pair.manualReason == "They asked for each other")
                // The browser form shows the refusal on the review page.
                let browser = try await world.signIn(manager: world.managerA)
                try await browser.get(SiteRoute.matching.path(world.programA.id!.uuidString))
                let page = try await browser.post(
                    SiteRoute.matchingAssign.path(world.programA.id!.uuidString), form: ["menteeId": s1.uuidString, "mentorId": j1.uuidString])
                #expect(page.status == .unprocessableEntity)
                #expect(page.body.string.contains("same reporting chain"))
                #expect(try await world.actions().contains("pair.manual"))
            }
        }

        @Test("a locked pair the optimum would not choose survives a re-run; the rest is re-matched")
        func lockAndRerun() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock())
                let (programs, _, _, matching, _) = world.services
                let viewer = Viewer(world.managerA)
                try await programs.transition(world.programA, to: .matching, by: viewer)
                let first = try await matching.run(world.programA, by: viewer)
                let optimum = try await world.pairs(status: .proposed)
                let chosen = Set(optimum.map(\.names))
                // An allowed pair the optimum did not choose.
                let built = try await matching.model(for: world.programA)
                var candidate: (UUID, UUID, String)?
                for (i, mentee) in built.mentees.enumerated() {
                    for (j, mentor) in built.mentors.enumerated() where built.model.violation(mentee: i, mentor: j) == nil {
                        let name = "\(built.person(mentee)!.employeeID)-\(built.person(mentor)!.employeeID)"
                        if !chosen.contains(name) { candidate = (mentee.id!, mentor.id!, name) }
                    }
                }
                let (mentee, mentor, name) = try #require(candidate)
                _ = try await matching.assign(world.programA, mentee: mentee, mentor: mentor, reason: "pilot request", by: viewer)
                let second = try await matching.run(world.programA, by: viewer)
                let after = try await world.pairs(status: .proposed)
                #expect(after.contains { $0.names == name && $0.locked })
                // The re-run started from the first run's solution and duals, and is still the proven optimum.
                #expect(first.proof.contains("from scratch"))
                #expect(second.proof.contains("optimal") && second.proof.contains("from the last run"), "\(second.proof)")
                let lockedIndex = try #require(built.menteeIndex[mentee])
                let cold = try MatchingEngine(model: built.model, denseLimit: .max).match(locked: [(lockedIndex, try #require(built.mentorIndex[mentor]))])
                #expect(abs(second.totalScore - cold.totalScore) < 1e-9)
                #expect(try await MatchingRun.query(on: app.db).filter(\.$solverState != nil).all().map(\.id) == [second.id])
                #expect(after.count == 3)
                #expect(second.totalScore <= first.totalScore + 1e-9)
                // Unlock and re-run: the optimum comes back.
                let lockedPair = try #require(after.first { $0.names == name })
                try await matching.setLocked(lockedPair, false, in: world.programA, by: viewer)
                let third = try await matching.run(world.programA, by: viewer)
                #expect(abs(third.totalScore - first.totalScore) < 1e-9)
                #expect(third.proof.contains("from the last run"))
                #expect(try await world.actions().isSuperset(of: ["matching.run", "pair.manual", "pair.unlocked"]))
            }
        }

        @Test("a rematch request hides the reason from the partner and excludes the pair from the next run")
        func rematch() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock())
                let (programs, _, _, matching, _) = world.services
                let viewer = Viewer(world.managerA)
                try await programs.transition(world.programA, to: .matching, by: viewer)
                _ = try await matching.run(world.programA, by: viewer)
                _ = try await matching.approve(world.programA, by: viewer)
                let pair = try #require(try await world.pairs(status: .live).first)
                let mentee = pair.mentee.person.employeeID
                let browser = try await world.signIn(mentee)
                let page = try await browser.get(SitePath.pair(pair.id!))
                #expect(page.body.string.contains("Ask for a rematch"))
                let response = try await browser.post(SiteRoute.pairDecline.path(pair.id!.uuidString), form: ["note": "We never find a time"])
                #expect(response.status == .seeOther)
                #expect(try await world.pairs(status: .rematched).count == 1)
                // The partner is told, without the reason; the manager sees the note.
                let partnerNotes = try await Notification.query(on: app.db).filter(\.$person.$id == pair.mentor.$person.id).filter(\.$kind == "pair.ended")
                    .all()
                #expect(partnerNotes.count == 1)
                #expect(!(partnerNotes.first?.body.contains("never find") ?? true))
                let manager = try await world.signIn(manager: world.managerA)
                #expect(try await manager.get(SiteRoute.matching.path(world.programA.id!.uuidString)).body.string.contains("We never find a time"))
                // The next run never pairs them again, and a manual pair is refused.
                _ = try await matching.run(world.programA, by: viewer)
                let again = try await world.pairs(status: .proposed)
                #expect(!again.contains { $0.$mentee.id == pair.$mentee.id && $0.$mentor.id == pair.$mentor.id })
                await #expect(throws: ValidationFailure.self) {
                    _ = try await matching.assign(world.programA, mentee: pair.$mentee.id, mentor: pair.$mentor.id, reason: "x", by: viewer)
                }
                #expect(try await world.actions().contains("pair.rematch_requested"))
            }
        }

        @Test("suggestions: the mentor accepts or declines, and an unanswered request passes on after 3 days")
        func suggestions() async throws {
            let clock = FixedClock()
            try await withUpward(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock, mode: .suggestions)
                let (programs, _, _, _, _) = world.services
                try await programs.transition(world.programA, to: .matching, by: Viewer(world.managerA))
                let menteeToken = try await world.token(world.users["S2"]!)
                let programPath = "/api/v1/programs/\(world.programA.id!)"
                let listed = try await world.api(.GET, "\(programPath)/suggestions", token: menteeToken)
                #expect(listed.status == .ok)
                let options = try listed.content.decode([APIModel.SuggestionOut].self)
                #expect(options.count >= 3)
                #expect(options.allSatisfy { !$0.reasons.isEmpty })
                // Request the first; that mentor declines.
                let request = try await world.api(.POST, "\(programPath)/requests", token: menteeToken, json: #"{"mentorId":"\#(options[0].mentorId)"}"#)
                #expect(request.status == .created)
                let requestID = try request.content.decode(APIModel.RequestOut.self).id
                let firstMentor = world.participants.first { $0.value.id == options[0].mentorId }!.key
                let firstToken = try await world.token(world.users[firstMentor]!)
                let declined = try await world.api(.POST, "/api/v1/requests/\(requestID)/answer", token: firstToken, json: #"{"accept":false}"#)
                #expect(declined.status == .ok)
                var stored = try #require(try await MatchRequest.find(requestID, on: app.db))
                #expect(stored.$mentor.id == options[1].mentorId)
                // The declining mentor can't answer again.
                #expect(try await world.api(.POST, "/api/v1/requests/\(requestID)/answer", token: firstToken, json: #"{"accept":true}"#).status == .notFound)
                // The second never answers: after 3 days the request passes to the third, and the mentee is told.
                clock.advance(by: 3 * 86_400 + 60)
                let mentee = try await world.signIn("S2")
                try await mentee.get(SitePath.program(world.programA.id!))
                stored = try #require(try await MatchRequest.find(requestID, on: app.db))
                #expect(stored.$mentor.id == options[2].mentorId)
                let menteePerson = world.participants["S2"]!.$person.id
                let told = try await Notification.query(on: app.db).filter(\.$person.$id == menteePerson).filter(\.$kind == "request.passed").all().map(\.body)
                #expect(told.contains { $0.contains("can't take you on") })
                #expect(told.contains { $0.contains("did not answer within 3 days") })
                // The third accepts: a pair, live since everyone finished training.
                let thirdMentor = world.participants.first { $0.value.id == options[2].mentorId }!.key
                let accepted = try await world.api(
                    .POST, "/api/v1/requests/\(requestID)/answer", token: try await world.token(world.users[thirdMentor]!), json: #"{"accept":true}"#)
                #expect(accepted.status == .ok)
                let pair = try #require(try accepted.content.decode(APIModel.AnswerOut.self).pair)
                #expect(pair.mentor.participantId == options[2].mentorId)
                #expect(try await Pair.find(pair.id, on: app.db)?.pairStatus == .live)
                #expect(try await world.actions().isSuperset(of: ["request.sent", "request.declined", "request.passed", "request.accepted"]))
            }
        }

        @Test("the notifications page marks what it shows read: a new one stands out once, and a view with nothing new writes nothing")
        func notificationsRead() async throws {
            try await withUpward { app in
                let world = try await ProgramWorld.make(app, clock: FixedClock())
                let person = try #require(world.participants["S1"]?.$person.id)
                let browser = try await world.signIn("S1")
                func unread(_ html: String) -> Int { html.components(separatedBy: "class=\"card unread\"").count - 1 }
                func unreadRows() async throws -> Int {
                    try await Notification.query(on: app.db).filter(\.$person.$id == person).filter(\.$readAt == nil).count()
                }
                // What the fixture sent (invitation, enrollment) stands out on the first view only.
                let before = try await unreadRows()
                #expect(before > 0)
                #expect(unread(try await browser.get(SitePath.notifications).body.string) == before)
                #expect(try await unreadRows() == 0)
                try await Notifications(db: app.db, clock: world.clock).send(to: person, kind: "test", title: "Your pair is live", body: "Say hello")
                let first = try await browser.get(SitePath.notifications).body.string
                #expect(first.contains("Your pair is live") && unread(first) == 1)
                #expect(try await unreadRows() == 0)
                // SQLite files count their write transactions: a view with nothing unread adds none.
                func commits() -> Double? {
                    app.sqliteWriter == nil ? nil : MetricsTests.value("upward_db_write_batches_total", in: app.metrics.registry.emitToString())
                }
                let committed = commits()
                let second = try await browser.get(SitePath.notifications).body.string
                #expect(second.contains("Your pair is live") && unread(second) == 0)
                #expect(commits() == committed)
            }
        }
    }
}
