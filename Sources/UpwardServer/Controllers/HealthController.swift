import Fluent
import SQLKit
import Vapor

/// `GET /health`: is the app up and can it reach its database.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    struct Health: Content {
        struct DatabaseStatus: Content {
            let status: String
            let driver: String
            let latencyMilliseconds: Double?
            let error: String?
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
        let started = ContinuousClock.now
        var database: Health.DatabaseStatus
        do {
            _ = try await (req.db as! any SQLDatabase).raw("SELECT 1 AS ok").first()
            let elapsed = ContinuousClock.now - started
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            database = .init(status: "ok", driver: driver, latencyMilliseconds: (ms * 100).rounded() / 100, error: nil)
        } catch {
            database = .init(status: "unavailable", driver: driver, latencyMilliseconds: nil, error: String(describing: error))
        }
        let healthy = database.status == "ok"
        let body = Health(status: healthy ? "ok" : "degraded", version: UpwardVersion.current, database: database)
        return try await body.encodeResponse(status: healthy ? .ok : .serviceUnavailable, for: req)
    }
}

public enum UpwardVersion {
    public static let current = "0.1.0"
}
