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
        var issues: [Issue] = []
    }

    func page(_ req: Request, newToken: String? = nil) async throws -> AccountPage {
        let viewer = try req.viewer
        let formatter = ISO8601DateFormatter()
        let tokens = try await req.apiTokens.list(for: viewer.user).map {
            TokenRow(
                name: $0.name, created: formatter.string(from: $0.createdAt), lastUsed: $0.lastUsedAt.map(formatter.string) ?? "never",
                revokePath: SiteRoute.tokenRevoke.path($0.id!.uuidString))
        }
        return AccountPage(
            layout: LayoutContext(req, title: "Account"), name: viewer.name, email: viewer.user.email,
            role: viewer.isOrganizationAdmin ? "Program manager (organization-wide)" : viewer.isAdmin ? "Program manager" : "Participant", tokens: tokens,
            newToken: newToken)
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
}
