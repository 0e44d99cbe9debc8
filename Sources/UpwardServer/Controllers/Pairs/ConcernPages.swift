import Fluent
import Foundation
import UpwardCore
import Vapor

/// Program managers: the concerns queue, mentor circles and the delivery log.
struct ConcernPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.concerns, use: queue)
        router.on(.concern, use: show)
        router.on(.concernHandle, use: handle)
        router.on(.circleSchedule, use: scheduleCircle)
        router.on(.deliveries, use: deliveries)
    }

    struct Row: Encodable {
        let href: String
        let program: String
        let category: String
        let status: String
        let statusKey: String
        let raisedBy: String
        let when: String
    }

    struct QueuePage: Encodable {
        let layout: LayoutContext
        let rows: [Row]
        let open: Int
    }

    @Sendable func queue(req: Request) async throws -> View {
        let concerns = try await req.concerns.queue(for: try req.viewer, programs: req.programs)
        let rows = concerns.map {
            Row(
                href: SiteRoute.concern.path($0.id!.text), program: $0.program.name, category: $0.concernCategory.label, status: $0.concernStatus.label,
                statusKey: $0.status, raisedBy: "\($0.raisedBy.person.name) (\($0.raisedBy.role))", when: DateText.iso8601($0.createdAt))
        }
        return try await req.view.render(
            "concerns",
            QueuePage(
                layout: try await LayoutContext.rendered(req, title: "Concerns"), rows: rows, open: concerns.filter { $0.concernStatus != .resolved }.count))
    }

    struct NoteRow: Encodable {
        let author: String
        let body: String
        let when: String
    }

    struct DetailPage: Encodable {
        let layout: LayoutContext
        let row: Row
        let body: String
        let pairHref: String
        let notes: [NoteRow]
        let statuses: [PairPages.Option]
        let action: String
        let notice: String?
        var issues: [Issue] = []
    }

    func detail(_ req: Request, _ concern: Concern) async throws -> DetailPage {
        let notes = try await req.concerns.notes(concern).map { NoteRow(author: $0.authorName, body: $0.body, when: DateText.iso8601($0.createdAt)) }
        return DetailPage(
            layout: try await LayoutContext.rendered(req, title: "Concern"),
            row: Row(
                href: "", program: concern.program.name, category: concern.concernCategory.label, status: concern.concernStatus.label,
                statusKey: concern.status,
                raisedBy: "\(concern.raisedBy.person.name) (\(concern.raisedBy.role))", when: DateText.iso8601(concern.createdAt)),
            body: concern.body, pairHref: SitePath.pair(concern.$pair.id), notes: notes,
            statuses: ConcernStatus.allCases.map { PairPages.Option(value: $0.rawValue, label: $0.label, selected: $0 == concern.concernStatus) },
            action: SiteRoute.concernHandle.path(concern.id!.text), notice: req.notice)
    }

    @Sendable func show(req: Request) async throws -> View {
        let concern = try await req.concerns.find(try IDParameter.parse(req, "concernID"), viewer: try req.viewer, programs: req.programs)
        return try await req.view.render("concern", try await detail(req, concern))
    }

    struct HandleForm: Content {
        var status: String?
        var note: String?
    }

    @Sendable func handle(req: Request) async throws -> Response {
        let viewer = try req.viewer
        let concern = try await req.concerns.find(try IDParameter.parse(req, "concernID"), viewer: viewer, programs: req.programs)
        let form = try req.form(HandleForm.self)
        do {
            try await req.concerns.handle(concern, status: form.status, note: form.note, by: viewer)
            return req.redirect(SiteRoute.concern.path(concern.id!.text), notice: "Saved.")
        } catch let failure as ValidationFailure {
            var page = try await detail(req, concern)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("concern", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct CircleForm: Content {
        var audience: String?
        var title: String?
        var start: String?
        var timeZone: String?
        var durationMinutes: String?
        var location: String?
        var agenda: String?
    }

    @Sendable func scheduleCircle(req: Request) async throws -> Response {
        let viewer = try req.viewer
        let program = try await req.programs.managed(try IDParameter.parse(req, "programID"), by: viewer)
        let form = try req.form(CircleForm.self)
        let input = try PairPages.input(
            PairPages.MeetingForm(
                start: form.start, timeZone: form.timeZone, durationMinutes: form.durationMinutes, location: form.location, agenda: form.agenda))
        let (_, _, invited) = try await req.circles.schedule(in: program, audience: form.audience, title: form.title, meeting: input, by: viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Circle scheduled; \(invited) invited with a calendar link.")
    }

    struct DeliveryRow: Encodable {
        let channel: String
        let address: String
        let kind: String
        let title: String
        let status: String
        let attempts: Int
        let sent: String
        let error: String
    }

    struct DeliveriesPage: Encodable {
        let layout: LayoutContext
        let rows: [DeliveryRow]
        let guarantee: String
    }

    /// The outbox as organization-wide managers see it: what went out, what waits, what failed.
    @Sendable func deliveries(req: Request) async throws -> View {
        let viewer = try req.viewer
        guard viewer.isOrganizationAdmin else { throw Abort(.forbidden, reason: "Only organization-wide program managers see the delivery log.") }
        let rows = try await Delivery.query(on: req.database).filter(\.$channel != "user").sort(\.$createdAt, .descending).range(..<200).all().map {
            DeliveryRow(
                channel: $0.channel, address: $0.channel == "email" ? $0.address : "webhook", kind: $0.kind, title: $0.title, status: $0.status,
                attempts: $0.attempts, sent: $0.sentAt.map(DateText.iso8601) ?? "", error: $0.lastError ?? "")
        }
        return try await req.view.render(
            "deliveries",
            DeliveriesPage(
                layout: try await LayoutContext.rendered(req, title: "Deliveries"), rows: rows,
                guarantee:
                    "Each message is delivered at most once: the attempt is recorded before sending, only failures that certainly delivered nothing are retried (with backoff), and an attempt cut short by a crash is marked interrupted and never repeated."
            ))
    }
}
