import Vapor

/// Deny by default: everything is behind sign-in except the few public routes listed here.
func routes(_ app: Application) throws {
    // Public: sign-in and health. Forms are CSRF-checked everywhere; the check for signed-in
    // routes comes after the sign-in check, so anonymous visitors are always sent to sign in.
    try app.grouped(CSRFMiddleware()).register(collection: AuthController())
    try app.register(collection: HealthController())

    let signedIn = app.grouped(RequireUserMiddleware(), CSRFMiddleware())
    try signedIn.register(collection: HomeController())

    let admin = signedIn.grouped(RequireAdminMiddleware())
    try admin.register(collection: PeopleController())
}

/// Routes anyone may reach without signing in. Tests check that every other route refuses anonymous visitors.
enum PublicRoutes {
    static let paths: Set<String> = ["/login", "/logout", "/health"]
}
