import Vapor

/// Deny by default: every route is registered through ``SiteRouter`` into the group that enforces
/// the access its ``SiteRoute`` declares.
func routes(_ app: Application) throws {
    // Forms are CSRF-checked everywhere; for signed-in routes the check comes after the sign-in
    // check, so anonymous visitors are always sent to sign in first.
    // Each group's middlewares run as one chain (see ``MiddlewareChain``).
    let router = SiteRouter(
        anyone: app.grouped(CSRFMiddleware()), signedIn: app.grouped(MiddlewareChain(RequireUserMiddleware(), CSRFMiddleware())),
        programManager: app.grouped(MiddlewareChain(RequireUserMiddleware(), CSRFMiddleware(), RequireAdminMiddleware())),
        uploadLimit: ByteCount(value: app.upward.configuration.uploadLimitBytes))
    let controllers: [any SiteController] = [
        AuthController(), HealthController(), HomeController(), PeopleController(), ProgramPages(), MatchingPages(), ParticipantPages(), PairPages(),
        ConcernPages(), SurveyPages(), DashboardPages(), RecognitionPages(), MetricsController(),
        AccountPages(),
    ]
    for controller in controllers { controller.register(on: router) }
    try APIController().register(on: app)
}
