import Vapor

/// Lets requests being answered finish when the server is told to stop (SIGTERM, SIGINT).
///
/// Vapor shuts the HTTP server and the database pools down together, from one storage, in no
/// set order: a request still running when the pools closed found no database and stopped the
/// process (a force unwrap in Fluent's `Request.db`), so a restart under load lost every answer
/// in flight. Lifecycle handlers stop before that storage, so this one stops the HTTP server
/// first (no new connections; open ones close once their current request is answered), then
/// waits until every started request has been answered, for at most `timeout`.
struct GracefulShutdown: LifecycleHandler {
    var timeout: Duration = .seconds(10)

    func shutdownAsync(_ app: Application) async {
        await app.http.server.shared.shutdown()
        let deadline = ContinuousClock.now + timeout
        while app.metrics.requestsInFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let left = app.metrics.requestsInFlight
        if left > 0 { app.logger.warning("stopping with \(left) request(s) still unanswered after \(timeout)") }
    }
}
