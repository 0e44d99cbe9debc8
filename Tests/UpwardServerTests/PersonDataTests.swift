import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("A person's data on request")
    struct PersonDataTests {
        @Test("export holds their record and work (private notes only for themselves); erase leaves nothing of them in the SQLite files")
        func exportAndErase() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upward-erase-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("upward.sqlite").path
            let app = try await Application.make(.testing)
            var name = ""
            var email = ""
            do {
                let clock = FixedClock(ProgramWorld.spring)
                try await configure(
                    app, environment: UpwardEnvironment(configuration: UpwardConfiguration(storage: .sqliteFile(path: path), bcryptCost: 4), clock: clock))
                try await app.autoMigrate()
                let world = try await ProgramWorld.make(app, clock: clock)
                let pair = try #require(try await world.goLive().first)
                let mentee = pair.mentee.person
                name = mentee.name
                email = mentee.email
                let menteeUser = world.users[mentee.employeeID]!
                let mentorUser = world.users[pair.mentor.person.employeeID]!
                let mine = PairContext(pair: pair, program: world.programA, me: pair.mentee)
                let theirs = PairContext(pair: pair, program: world.programA, me: pair.mentor)
                _ = try await Goals(db: app.db, clock: clock).create(.init(title: "Learn prompting", owner: "mentee"), in: mine, by: Viewer(menteeUser))
                _ = try await app.notesService.create(text: "my-private-thought", visibility: "private", in: mine, by: Viewer(menteeUser))
                _ = try await app.notesService.create(text: "my-shared-thought", visibility: "shared", in: mine, by: Viewer(menteeUser))
                _ = try await app.notesService.create(text: "Great session with \(name) today", visibility: "shared", in: theirs, by: Viewer(mentorUser))
                _ = try await Concerns(db: app.db, clock: clock).raise(category: "other", body: "a concern of mine", in: mine, by: Viewer(menteeUser))
                _ = try await Recognition(db: app.db, clock: clock).writeStory(
                    nil, title: "Our story", body: "by \(name)", consent: true, in: mine, by: Viewer(menteeUser))
                let survey = try await SurveyService(db: app.db, clock: clock).create(
                    in: world.programA, phase: "baseline", anonymous: false, audience: "both", by: Viewer(world.managerA))
                try await SurveyService(db: app.db, clock: clock).answer(survey, by: world.participants[mentee.employeeID]!, raw: ["skill0": "2"])
                _ = try await world.token(menteeUser)
                let participantsBefore = try await Participant.query(on: app.db).filter(\.$program.$id == world.programA.id!).count()

                let data = PersonData(db: app.db, clock: clock, sealer: app.upward.noteSealer)
                let person = try await data.find(email: email.uppercased())
                let forManager = String(decoding: try JSONEncoder().encode(try await data.export(person, includePrivate: false)), as: UTF8.self)
                #expect(forManager.contains("Learn prompting") && forManager.contains("my-shared-thought") && forManager.contains("a concern of mine"))
                #expect(forManager.contains(#""skill0":"2""#) && !forManager.contains("my-private-thought"))
                let forThemselves = String(decoding: try JSONEncoder().encode(try await data.export(person, includePrivate: true)), as: UTF8.self)
                #expect(forThemselves.contains("my-private-thought"))

                try await data.erase(person, by: nil)
                // Counts stay; the person is gone from accounts, notes, concerns, answers and stories.
                #expect(try await Participant.query(on: app.db).filter(\.$program.$id == world.programA.id!).count() == participantsBefore)
                #expect(try await User.query(on: app.db).filter(\.$email == email).count() == 0)
                #expect(try await Concern.query(on: app.db).count() == 0)
                #expect(try await Story.query(on: app.db).count() == 0)
                #expect(try await SurveyResponse.query(on: app.db).count() == 0)
                let shared = try await PairNote.query(on: app.db).filter(\.$visibility == "shared").all().map(\.body)
                #expect(shared == ["Great session with a former participant today"])
                let erased = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "person.erased").first())
                #expect(erased.detail.isEmpty && erased.objectID == nil)
                // With the server still running: nothing of them in the database file or its WAL.
                var bytes = Data()
                for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                    bytes.append(try Data(contentsOf: directory.appendingPathComponent(file)))
                }
                #expect(bytes.count > 100_000)
                #expect(!name.isEmpty && bytes.range(of: Data(name.utf8)) == nil, "\(name) is still in the files")
                #expect(bytes.range(of: Data(email.utf8)) == nil, "\(email) is still in the files")
                #expect(bytes.range(of: Data("my-private-thought".utf8)) == nil && bytes.range(of: Data("my-shared-thought".utf8)) == nil)
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        }

        @Test("erase on the configured database (PostgreSQL in CI's second run): name and email replaced in every text column")
        func eraseOnConfiguredDatabase() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let pair = try #require(try await world.goLive().first)
                let name = pair.mentee.person.name
                let theirs = PairContext(pair: pair, program: world.programA, me: pair.mentor)
                let mentorUser = world.users[pair.mentor.person.employeeID]!
                _ = try await app.notesService.create(
                    text: "Met \(name) (\(pair.mentee.person.email))", visibility: "shared", in: theirs, by: Viewer(mentorUser))
                let data = PersonData(db: app.db, clock: world.clock, sealer: app.upward.noteSealer)
                try await data.erase(try await data.find(email: pair.mentee.person.email), by: Viewer(world.managerA))
                #expect(try await PairNote.query(on: app.db).all().map(\.body) == ["Met a former participant (an erased address)"])
                #expect(try await Person.find(pair.mentee.$person.id, on: app.db)?.name == "Erased person")
                let audit = try await AuditEntry.query(on: app.db).all()
                #expect(!audit.contains { $0.actor.contains(name) || $0.detail.contains(name) })
                #expect(audit.contains { $0.action == "person.erased" && $0.actor.contains(world.managerA.name) })
                // The page export: organization-wide managers only.
                let other = pair.mentor.person
                let scoped = try await world.signIn(manager: world.managerA)
                let org = try await Accounts(db: app.db, hasher: app.password.async, environment: app.upward).createUser(
                    email: "org@example.com", name: "Org Admin", password: ProgramWorld.password, role: .admin, organizationAdmin: true)
                let orgBrowser = Browser(app)
                try await orgBrowser.signIn(org.email, ProgramWorld.password)
                let path = SiteRoute.personExport.path(other.id!.uuidString)
                #expect(try await orgBrowser.get(SiteRoute.person.path(other.id!.uuidString)).body.string.contains(path))
                let exported = try await orgBrowser.get(path)
                #expect(exported.status == .ok && exported.headers.contentType == .json && exported.body.string.contains(other.email))
                #expect(!world.managerA.organizationAdmin)
                #expect(try await scoped.get(path).status == .forbidden)
            }
        }
    }
}
