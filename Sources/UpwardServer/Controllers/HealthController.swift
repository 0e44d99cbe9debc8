import Vapor

/// `GET /health`: is the app up and can it reach its database. Anonymous callers learn only
/// whether it works, never why not; the cause goes to the log.
struct HealthController: SiteController {
    func register(on router: SiteRouter) {
        router.on(.health, use: health)
    }

    struct Health: Content {
        struct DatabaseStatus: Content {
            let status: String
            let driver: String
            let latencyMilliseconds: Double?
        }

        let status: String
        let version: String
        let database: DatabaseStatus
    }

    @Sendable func health(req: Request) async throws -> Response {
        let driver: String
        switch req.upward.configuration.storage {
        case .postgres: driver = "postgresql"
        case .sqliteFile, .sqliteMemory: driver = "sqlite"
        }
        var database: Health.DatabaseStatus
        do {
            let latency = try await DatabaseHealth(db: req.database).ping()
            database = .init(status: "ok", driver: driver, latencyMilliseconds: latency)
        } catch {
            req.logger.error("health check: the database did not answer: \(String(reflecting: error))")
            database = .init(status: "unavailable", driver: driver, latencyMilliseconds: nil)
        }
        let healthy = database.status == "ok"
        let body = Health(status: healthy ? "ok" : "degraded", version: UpwardVersion.current, database: database)
        return try await body.encodeResponse(status: healthy ? .ok : .serviceUnavailable, for: req)
    }
}
