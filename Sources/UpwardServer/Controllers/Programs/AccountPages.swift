import Fluent
import Foundation
import UpwardCore
import Vapor

/// The account page: API tokens, created (shown once), listed and revoked.
struct AccountPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.account, use: account)
        router.on(.tokenCreate, use: create)
        router.on(.tokenRevoke, use: revoke)
        router.on(.calendarRegenerate, use: regenerateCalendar)
        router.on(.calendarRevoke, use: revokeCalendar)
        router.on(.deliverySettings, use: saveDelivery)
    }

    struct TopicRow: Encodable {
        let topic: String
        let label: String
        let essential: Bool
        let email: Bool
        let slack: Bool
        let teams: Bool
    }

    struct TokenRow: Encodable {
        let name: String
        let created: String
        let lastUsed: String
        let revokePath: String
    }

    struct AccountPage: Encodable {
        let layout: LayoutContext
        let name: String
        let email: String
        let role: String
        let tokens: [TokenRow]
        let newToken: String?
        let createPath = SiteRoute.tokenCreate.path()
        let hasFeed: Bool
        let feedURL: String?
        let calendarPath = SiteRoute.calendarRegenerate.path()
        let calendarRevokePath = SiteRoute.calendarRevoke.path()
        let deliveryPath = SiteRoute.deliverySettings.path()
        let topics: [TopicRow]
        let slackUrl: String
        let teamsUrl: String
        let emailEnabled: Bool
        var issues: [Issue] = []
    }

    func page(_ req: Request, newToken: String? = nil, feedToken: String? = nil) async throws -> AccountPage {
        let viewer = try req.viewer
        let choice = try await req.deliverySettings.load(viewer)
        let tokens = try await req.apiTokens.list(for: viewer.user).map {
            TokenRow(
                name: $0.name, created: DateText.iso8601($0.createdAt), lastUsed: $0.lastUsedAt.map(DateText.iso8601) ?? "never",
                revokePath: SiteRoute.tokenRevoke.path($0.id!.text))
        }
        return AccountPage(
            layout: try await LayoutContext.rendered(req, title: "Account"), name: viewer.name, email: viewer.user.email,
            role: viewer.isOrganizationAdmin ? "Program manager (organization-wide)" : viewer.isAdmin ? "Program manager" : "Participant", tokens: tokens,
            newToken: newToken, hasFeed: try await req.calendars.hasFeed(viewer),
            feedURL: feedToken.map { req.upward.configuration.publicURL + Calendars.feedPath($0) },
            topics: MessageTopic.allCases.map { topic in
                let channels = choice.preferences.channels(for: topic)
                return TopicRow(
                    topic: topic.rawValue, label: topic.label, essential: topic.isEssential, email: channels.contains(.email), slack: channels.contains(.slack),
                    teams: channels.contains(.teams))
            }, slackUrl: choice.slackURL ?? "", teamsUrl: choice.teamsURL ?? "",
            emailEnabled: req.upward.configuration.smtp != nil || req.upward.transport != nil)
    }

    @Sendable func account(req: Request) async throws -> View {
        try await req.view.render("account", try await page(req))
    }

    struct TokenForm: Content { var name: String? }

    @Sendable func create(req: Request) async throws -> Response {
        let viewer = try req.viewer
        let form = try req.form(TokenForm.self)
        do {
            let (_, secret) = try await req.apiTokens.create(for: viewer.user, name: form.name, by: viewer)
            return try await req.view.render("account", try await page(req, newToken: secret)).encodeResponse(for: req)
        } catch let failure as ValidationFailure {
            var page = try await page(req)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("account", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable func revoke(req: Request) async throws -> Response {
        let viewer = try req.viewer
        try await req.apiTokens.revoke(try IDParameter.parse(req, "tokenID"), of: viewer.user, by: viewer)
        return req.redirect(SitePath.account)
    }

    @Sendable func regenerateCalendar(req: Request) async throws -> View {
        let token = try await req.calendars.regenerate(for: try req.viewer)
        return try await req.view.render("account", try await page(req, feedToken: token))
    }

    @Sendable func revokeCalendar(req: Request) async throws -> Response {
        try await req.calendars.revoke(for: try req.viewer)
        return req.redirect(SitePath.account)
    }

    /// `email[]`, `slack[]`, `teams[]`: the topics ticked in each column.
    struct DeliveryForm: Content {
        var email: [String]?
        var slack: [String]?
        var teams: [String]?
        var slackUrl: String?
        var teamsUrl: String?
    }

    @Sendable func saveDelivery(req: Request) async throws -> Response {
        let form = try req.form(DeliveryForm.self)
        var channels: [String: [String]] = [:]
        for topic in MessageTopic.allCases { channels[topic.rawValue] = [] }
        for (name, topics) in [("email", form.email), ("slack", form.slack), ("teams", form.teams)] {
            for topic in topics ?? [] { channels[topic, default: []].append(name) }
        }
        do {
            _ = try await req.deliverySettings.save(channels: channels, slackURL: form.slackUrl, teamsURL: form.teamsUrl, by: try req.viewer)
            return req.redirect(SitePath.account, notice: "Delivery settings saved.")
        } catch let failure as ValidationFailure {
            var page = try await page(req)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("account", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
