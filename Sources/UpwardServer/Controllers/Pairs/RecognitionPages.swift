import Fluent
import Foundation
import UpwardCore
import Vapor

/// Ideas and success stories from the pair page, the program's idea list and published stories,
/// and certificates after a completed program.
struct RecognitionPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.ideaCreate, use: createIdea)
        router.on(.ideas, use: ideas)
        router.on(.ideaStatus, use: ideaStatus)
        router.on(.storyCreate, use: createStory)
        router.on(.storyUpdate, use: updateStory)
        router.on(.storyConsent, use: consent)
        router.on(.stories, use: stories)
        router.on(.certificate, use: certificate)
    }

    struct IdeaForm: Content {
        var title: String?
        var description: String?
        var status: String?
    }

    @Sendable func createIdea(req: Request) async throws -> Response {
        let form = try req.form(IdeaForm.self)
        return try await PairPages.change(req, notice: "Idea sent to the program team.") { context, viewer in
            _ = try await req.recognition.raiseIdea(title: form.title, description: form.description, in: context, by: viewer)
        }
    }

    struct IdeaRow: Encodable {
        let title: String
        let description: String
        let pair: String
        let raisedBy: String
        let status: String
        let statuses: [PairPages.Option]
        let action: String
    }

    struct IdeasPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let ideas: [IdeaRow]
        let counts: [PairPages.Option]
        let notice: String?
    }

    @Sendable func ideas(req: Request) async throws -> View {
        let program = try await req.programs.managed(try IDParameter.parse(req, "programID"), by: try req.viewer)
        let ideas = try await req.recognition.ideas(program: program.requireID())
        let pairs = try await Pair.query(on: req.database).filter(\.$id ~~ ideas.map(\.$pair.id))
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
        let names = Dictionary(uniqueKeysWithValues: pairs.map { ($0.id!, "\($0.mentee.person.name) & \($0.mentor.person.name)") })
        let rows = ideas.map { idea in
            IdeaRow(
                title: idea.title, description: idea.description, pair: names[idea.$pair.id] ?? "", raisedBy: idea.raisedBy.name,
                status: idea.ideaStatus.label,
                statuses: IdeaStatus.allCases.map { PairPages.Option(value: $0.rawValue, label: $0.label, selected: $0 == idea.ideaStatus) },
                action: SiteRoute.ideaStatus.path(program.id!.text, idea.id!.text))
        }
        return try await req.view.render(
            "ideas",
            IdeasPage(
                layout: try await LayoutContext.rendered(req, title: "Ideas · \(program.name)"), program: ProgramSummary(program), ideas: rows,
                counts: IdeaStatus.allCases.map { status in
                    PairPages.Option(value: String(ideas.filter { $0.ideaStatus == status }.count), label: status.label, selected: false)
                }, notice: req.notice))
    }

    @Sendable func ideaStatus(req: Request) async throws -> Response {
        let form = try req.form(IdeaForm.self)
        let program = try await req.programs.managed(try IDParameter.parse(req, "programID"), by: try req.viewer)
        let idea = try await req.recognition.setStatus(try IDParameter.parse(req, "ideaID"), in: program, to: form.status, by: try req.viewer)
        return req.redirect(SiteRoute.ideas.path(program.id!.text), notice: "\"\(idea.title)\" is \(idea.ideaStatus.label.lowercased()).")
    }

    struct StoryForm: Content {
        var title: String?
        var body: String?
        var consent: String?
        var agree: String?
    }

    @Sendable func createStory(req: Request) async throws -> Response {
        let form = try req.form(StoryForm.self)
        return try await PairPages.change(req, notice: "Story saved. It is published only when you both agree.") { context, viewer in
            _ = try await req.recognition.writeStory(
                nil, title: form.title, body: form.body, consent: form.consent == "yes", in: context, by: viewer)
        }
    }

    @Sendable func updateStory(req: Request) async throws -> Response {
        let form = try req.form(StoryForm.self)
        return try await PairPages.change(req, notice: "Story saved; your partner is asked to agree again.") { context, viewer in
            _ = try await req.recognition.writeStory(
                try IDParameter.parse(req, "storyID"), title: form.title, body: form.body, consent: form.consent == "yes", in: context, by: viewer)
        }
    }

    @Sendable func consent(req: Request) async throws -> Response {
        let form = try req.form(StoryForm.self)
        return try await PairPages.change(
            req, notice: form.agree == "yes" ? "Thank you: you agreed to publish the story." : "Your consent is withdrawn; the story is not published."
        ) { context, viewer in
            guard form.agree == "yes" || form.agree == "no" else { throw ValidationFailure("agree", "must be yes or no") }
            _ = try await req.recognition.consent(try IDParameter.parse(req, "storyID"), agree: form.agree == "yes", in: context, by: viewer)
        }
    }

    struct StoryCard: Encodable {
        let title: String
        let body: String
        let names: String
    }

    struct StoriesPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let stories: [StoryCard]
    }

    @Sendable func stories(req: Request) async throws -> View {
        let (program, _) = try await req.programs.visible(try IDParameter.parse(req, "programID"), to: try req.viewer)
        let published = try await req.recognition.published(program: program.requireID())
        return try await req.view.render(
            "stories",
            StoriesPage(
                layout: try await LayoutContext.rendered(req, title: "Success stories · \(program.name)"), program: ProgramSummary(program),
                stories: published.map {
                    StoryCard(title: $0.story.title, body: $0.story.body, names: "\($0.pair.mentee.person.name) & \($0.pair.mentor.person.name)")
                }))
    }

    struct CertificatePage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let name: String
        let role: String
        let partners: String
        let meetings: Int
        let goals: Int
        let ideas: Int
        let completed: String
    }

    @Sendable func certificate(req: Request) async throws -> View {
        let certificate = try await req.recognition.certificate(
            try IDParameter.parse(req, "participantID"), program: try IDParameter.parse(req, "programID"), viewer: try req.viewer)
        return try await req.view.render(
            "certificate",
            CertificatePage(
                layout: try await LayoutContext.rendered(req, title: "Certificate · \(certificate.person.name)"), program: ProgramSummary(certificate.program),
                name: certificate.person.name,
                role: certificate.role == .mentor ? "reverse mentor" : "mentee",
                partners: certificate.partners.joined(separator: ", "), meetings: certificate.meetingsHeld, goals: certificate.goalsAchieved,
                ideas: certificate.ideas, completed: certificate.program.settings.endsOn.description))
    }
}
