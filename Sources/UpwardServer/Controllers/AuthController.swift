import UpwardCore
import Vapor

/// Sign in and sign out.
struct AuthController: SiteController {
    func register(on router: SiteRouter) {
        router.on(.loginForm, use: showLogin)
        router.on(.login, use: login)
        router.on(.logout, use: logout)
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    @Sendable func showLogin(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: SitePath.home) }
        let next = (try? req.query.get(String.self, at: "next")).map(SitePath.safeRedirect) ?? ""
        let page = LoginPage(layout: try await LayoutContext.rendered(req, title: "Sign in"), next: next == SitePath.home ? "" : next)
        return try await req.view.render("login", page).encodeResponse(for: req)
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let email = String((form.email?.trimmingCharacters(in: .whitespaces) ?? "").prefix(FieldRules.maximumEmailLength + 1))
        let password = form.password ?? ""
        let next = SitePath.safeRedirect(form.next)
        func fail(_ message: String, _ status: HTTPResponseStatus, headers: HTTPHeaders = [:]) async throws -> Response {
            let page = LoginPage(
                layout: try await LayoutContext.rendered(req, title: "Sign in"), email: String(email.prefix(FieldRules.maximumEmailLength)),
                next: next == SitePath.home ? "" : next, error: message)
            let response = try await req.view.render("login", page).encodeResponse(status: status, for: req)
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
        guard !email.isEmpty, !password.isEmpty else {
            return try await fail("Enter your email and password.", .badRequest)
        }
        do {
            let user = try await req.accounts.authenticate(email: email, password: password, address: req.clientAddress)
            try await req.signIn(user)
            return req.redirect(to: next)
        } catch let failure as Accounts.Failure {
            return try await fail(failure.reason, failure.status, headers: failure.headers)
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.signOut()
        return req.redirect(to: SitePath.login)
    }
}
