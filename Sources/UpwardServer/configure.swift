import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import NIOCore
import UpwardCore
import Vapor

/// Sets up storage, views, middleware, housekeeping and routes.
public func configure(_ app: Application, environment: UpwardEnvironment) async throws {
    app.upward = environment
    let config = environment.configuration

    // SQLite runs every statement on this pool's threads, and a connection that meets the write
    // lock from outside the write gate (another process, a stray autocommit write) sleeps on one in
    // SQLite's busy handler; with NIO's default of one thread per core, two sleepers stalled the
    // writer that held the lock until their busy timeout ran out.
    if case .postgres = config.storage {
    } else {
        app.threadPool = NIOThreadPool(numberOfThreads: 8)
    }

    // Each event loop has its own pool: one SQLite connection, or `postgresConnectionsPerLoop`.
    let loops = app.eventLoopGroup.makeIterator().reduce(0) { count, _ in count + 1 }
    let storage: (DatabaseConfigurationFactory, DatabaseID, TimeAmount?, Int)
    switch config.storage {
    case .sqliteFile(let path):
        storage = (.sqlite(.file(path), sqlLogLevel: .debug), .sqlite, nil, loops)
    case .sqliteMemory:
        storage = (.sqlite(.memory, sqlLogLevel: .debug), .sqlite, nil, loops)
    case .postgres(let url):
        storage = (
            try .postgres(url: url, maxConnectionsPerEventLoop: config.postgresConnectionsPerLoop, sqlLogLevel: .debug), .psql,
            .seconds(Int64(config.statementTimeoutSeconds)), loops * config.postgresConnectionsPerLoop
        )
    }
    let (factory, id, limit, poolSize) = storage
    let base = factory.make()
    let metrics = app.metrics
    // SQLite has one writer: this process's write transactions take turns (see WriteGate) and, on a
    // file, run on a connection and an event loop of their own (SQLiteWriter), so a writer never
    // queues behind a loop's requests; reads outside transactions run on the loop that asks
    // (SQLiteReaders).
    var writeGate: WriteGate?
    var readers: SQLiteReaders?
    app.directoryOrder = DirectoryOrderCache()
    app.navFragments = NavFragments()
    app.directoryOverview = DirectoryOverviewCache()
    app.directoryMembers = DirectoryMembersCache()
    if case .sqliteFile(let path) = config.storage {
        let fileReaders = SQLiteReaders(path: path, threadPool: app.threadPool)
        readers = fileReaders
        app.sqliteReaders = fileReaders
        let writer = try SQLiteWriter(app: app, path: path, inUse: metrics.connectionsInUse)
        app.sqliteWriter = writer
        writeGate = WriteGate(
            timeout: .milliseconds(SQLiteTuning.busyTimeoutMilliseconds),
            writer: { [weak writer, logger = app.logger] _ in writer?.database(logger: logger) },
            executor: writer.executor,
            committed: { writes in
                metrics.writeBatches.increment()
                metrics.writesCommitted.increment(by: Int64(writes))
            })
        metrics.poolSize(poolSize + 1 + fileReaders.limit)
        let checkpointer = SQLiteCheckpointer(path: path, logger: app.logger)
        app.sqliteCheckpointer = checkpointer
        app.lifecycle.use(checkpointer)
    } else {
        if id == .sqlite { writeGate = WriteGate(timeout: .milliseconds(SQLiteTuning.busyTimeoutMilliseconds)) }
        metrics.poolSize(poolSize)
    }
    // PostgreSQL plans a read once per connection, not on every request (see PostgresPreparedReads).
    let prepared = id == .psql && config.postgresPreparedReads ? PostgresPreparedReads() : nil
    app.postgresPreparedReads = prepared
    app.databases.use(
        DatabaseConfigurationFactory { [writeGate, readers] in
            MeteredDatabaseConfiguration(
                base: base, limit: limit, inUse: metrics.connectionsInUse, writeGate: writeGate, readers: readers, prepared: prepared)
        },
        as: id, isDefault: true)
    UpwardMigrations.register(on: app)
    if case .sqliteFile = config.storage {
        try await SQLiteTuning.apply(to: app, markAsDemo: environment.isDemo)
    }

    app.passwords.use(.bcrypt(cost: config.bcryptCost))

    // bundleURL, not resourceURL: Foundation on Linux treats a "Resources" folder inside the bundle as the resource root.
    let resources = Bundle.module.bundleURL.appendingPathComponent("Resources")
    app.directory.viewsDirectory = resources.appendingPathComponent("Views").path + "/"
    app.directory.publicDirectory = resources.appendingPathComponent("Public").path + "/"
    app.views.use(.leaf)
    app.leaf.tags["e"] = EscapedText()
    // The views sit in the build folder (.build/…), which Leaf's hidden-file guard would refuse;
    // keep the sandbox to the views folder itself.
    app.leaf.sources = .singleSource(
        NIOLeafFiles(
            fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
            sandboxDirectory: app.directory.viewsDirectory, viewDirectory: app.directory.viewsDirectory))
    // Request bodies keep Vapor's small default (16 KB); only the upload route declares a larger one.

    // Outermost first: headers on everything, then no error escapes with internal detail.
    _ = app.metrics  // made once here, before any request or job reads it
    let rates = environment.configuration
    app.apiRateLimiter = APIRateLimiter(
        perToken: rates.apiRatePerToken > 0 ? RateLimit(perSecond: rates.apiRatePerToken, burst: 2 * rates.apiRatePerToken) : nil,
        perAddress: rates.apiRatePerAddress > 0 ? RateLimit(perSecond: rates.apiRatePerAddress, burst: 2 * rates.apiRatePerAddress) : nil)
    app.middleware = Middlewares()
    app.middleware.use(
        MiddlewareChain(
            RequestIDMiddleware(), SecurityHeadersMiddleware(), FallbackErrorMiddleware(),
            StaticFilesMiddleware(publicDirectory: app.directory.publicDirectory), BrowserSessionMiddleware(), SessionUserMiddleware(),
            PageErrorMiddleware()))

    app.lifecycle.use(GracefulShutdown())
    if environment.runsHousekeeping {
        app.lifecycle.use(DirectoryWarmUp())
        app.lifecycle.use(RepeatingJob.housekeeping(every: config.housekeepingInterval))
        if config.deliveryWorker { app.lifecycle.use(RepeatingJob.delivery(every: config.deliveryInterval)) }
    }
    try routes(app)
}
