import Vapor

/// Deny by default: everything is behind sign-in except the few public routes listed here.
func routes(_ app: Application) throws {
    // Public: sign-in and health.
    try app.register(collection: AuthController())
    try app.register(collection: HealthController())

    let signedIn = app.grouped(RequireUserMiddleware())
    try signedIn.register(collection: HomeController())

    let admin = signedIn.grouped(RequireAdminMiddleware())
    try admin.register(collection: PeopleController())
}

/// Routes anyone may reach without signing in. Tests check that every other route refuses anonymous visitors.
enum PublicRoutes {
    static let paths: Set<String> = ["/login", "/logout", "/health"]
}
