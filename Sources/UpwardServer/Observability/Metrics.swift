import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Prometheus
import Vapor

/// What `GET /metrics` reports, in the Prometheus text format (swift-prometheus): requests by
/// route pattern, method and status with a latency histogram, requests in flight, outbox queue
/// length and delivery outcomes, background job runs and their durations, database connections in use.
final class UpwardMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let inFlight: Gauge
    /// The same count, readable: a stopping server waits for it to reach zero (``GracefulShutdown``).
    private let active = NIOLockedValueBox(0)
    private let queue: Gauge
    /// Pooled database connections held by a statement or a transaction now.
    let connectionsInUse: Gauge
    private let connections: Gauge
    /// SQLite's group commit (``WriteGate``): transactions committed, and the writes they carried.
    let writeBatches: Counter
    let writesCommitted: Counter
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    init() {
        inFlight = registry.makeGauge(descriptor: Self.gauge("upward_http_requests_in_flight", "Requests being answered now."))
        queue = registry.makeGauge(descriptor: Self.gauge("upward_outbox_pending", "Deliveries waiting to be sent (due or backing off)."))
        connectionsInUse = registry.makeGauge(descriptor: Self.gauge("upward_db_connections_in_use", "Pooled database connections in use now."))
        connections = registry.makeGauge(descriptor: Self.gauge("upward_db_connections", "Database connections the pools may open."))
        writeBatches = registry.makeCounter(
            descriptor: Self.counter("upward_db_write_batches", "SQLite: write transactions committed (each holds one or more writes)."))
        writesCommitted = registry.makeCounter(descriptor: Self.counter("upward_db_writes", "SQLite: writes that took their turn at the write gate."))
    }

    /// A counter's name: `base` and the unit `total`.
    private static func counter(_ base: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: base, unitName: "total", helpText: help)
    }

    /// A gauge's name, a count without a unit.
    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func poolSize(_ size: Int) { connections.set(Double(size)) }

    func started() {
        inFlight.increment()
        active.withLockedValue { $0 += 1 }
    }

    /// Requests started and not yet answered.
    var requestsInFlight: Int { active.withLockedValue { $0 } }

    /// One answered request; `route` is the pattern (`GET /pairs/:pairID`), never the concrete path.
    func answered(route: String, method: String, status: UInt, duration: Duration) {
        inFlight.decrement()
        active.withLockedValue { $0 -= 1 }
        let labels = [("route", route), ("method", method), ("status", String(status))]
        registry.makeCounter(descriptor: Self.counter("upward_http_requests", "Requests answered, by route, method and status."), labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "upward_http_request_duration", unitName: "seconds", helpText: "Time to answer, by route."),
            labels: [("route", route), ("method", method)], buckets: Self.buckets
        ).record(duration)
    }

    func delivery(_ outcome: String) {
        let name = Self.counter("upward_deliveries", "Delivery attempts by outcome (sent, retry, failed).")
        registry.makeCounter(descriptor: name, labels: [("outcome", outcome)]).increment()
    }

    /// `outcome`: ok, failed, or elsewhere (another instance held this run's lease).
    func job(_ name: String, outcome: String) {
        registry.makeCounter(descriptor: Self.counter("upward_job_runs", "Background job ticks by outcome."), labels: [("job", name), ("outcome", outcome)])
            .increment()
    }

    static let jobBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    /// How long a job's run on this instance took, finished or failed (a tick that found the lease
    /// taken elsewhere did no work and is not timed). Housekeeping's shows what it costs at scale.
    func jobRan(_ name: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "upward_job_duration", unitName: "seconds", helpText: "Time a background job's run took, by job."),
            labels: [("job", name)], buckets: Self.jobBuckets
        ).record(duration)
    }

    /// The text exposition, with the outbox queue read from the database at scrape time.
    func exposition(db: any Database) async throws -> String {
        queue.set(
            Double(try await Delivery.query(on: db).filter(\.$status == Delivery.Status.pending.rawValue).filter(\.$channel != "user").count()))
        return registry.emitToString()
    }

    /// Whether `header` is `Bearer <token>`, compared in constant time.
    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = SHA256.hash(data: Data(header.dropFirst(7).utf8))
        let wanted = SHA256.hash(data: Data(token.utf8))
        return given == wanted
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = UpwardMetrics }

    /// This process's metrics (one registry per application).
    var metrics: UpwardMetrics {
        if let existing = storage[MetricsKey.self] { return existing }
        let made = UpwardMetrics()
        storage[MetricsKey.self] = made
        return made
    }
}

/// `GET /metrics` behind its bearer token; 404 when no token is configured, 401 for a wrong one.
struct MetricsController: SiteController {
    func register(on router: SiteRouter) {
        router.on(.metrics, use: metrics)
    }

    @Sendable func metrics(req: Request) async throws -> Response {
        guard let token = req.upward.configuration.metricsToken else { throw Abort(.notFound) }
        guard UpwardMetrics.authorized(req.headers.first(name: .authorization), token: token) else {
            var headers = HTTPHeaders()
            headers.add(name: .wwwAuthenticate, value: "Bearer realm=\"metrics\"")
            throw Abort(.unauthorized, headers: headers, reason: "GET /metrics needs Authorization: Bearer <UPWARD_METRICS_TOKEN>.")
        }
        let response = Response(status: .ok, body: .init(string: try await req.application.metrics.exposition(db: req.database)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }
}
