import Vapor

/// Sign in and sign out.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: showLogin)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    @Sendable func showLogin(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: SitePath.home) }
        let next = try? req.query.get(String.self, at: "next")
        let page = LoginPage(layout: LayoutContext(req, title: "Sign in"), next: next ?? "")
        return try await req.view.render("login", page).encodeResponse(for: req)
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let email = form.email?.trimmingCharacters(in: .whitespaces) ?? ""
        let password = form.password ?? ""
        func fail(_ message: String, _ status: HTTPResponseStatus, headers: HTTPHeaders = [:]) async throws -> Response {
            let page = LoginPage(layout: LayoutContext(req, title: "Sign in"), email: email, next: form.next ?? "", error: message)
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
            return req.redirect(to: SitePath.safeRedirect(form.next))
        } catch let failure as Accounts.Failure {
            return try await fail(failure.reason, failure.status, headers: failure.headers)
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.signOut()
        return req.redirect(to: SitePath.login)
    }
}

extension Request {
    var accounts: Accounts {
        Accounts(db: db, hasher: password.async, environment: upward)
    }

    var directory: PeopleDirectory { PeopleDirectory(db: db) }
}
