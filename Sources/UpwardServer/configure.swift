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

    switch config.storage {
    case .sqliteFile(let path):
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: .debug), as: .sqlite)
    case .postgres(let url):
        let postgres = try DatabaseConfigurationFactory.postgres(
            url: url, maxConnectionsPerEventLoop: config.postgresConnectionsPerLoop, sqlLogLevel: .debug
        ).make()
        app.databases.use(
            DatabaseConfigurationFactory { TimedDatabaseConfiguration(base: postgres, limit: .seconds(Int64(config.statementTimeoutSeconds))) }, as: .psql)
    }
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
    app.middleware.use(RequestIDMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(FallbackErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(BrowserSessionMiddleware())
    app.middleware.use(SessionUserMiddleware())
    app.middleware.use(PageErrorMiddleware())

    if environment.runsHousekeeping {
        app.lifecycle.use(RepeatingJob.housekeeping(every: config.housekeepingInterval))
        if config.deliveryWorker { app.lifecycle.use(RepeatingJob.delivery(every: config.deliveryInterval)) }
    }
    try routes(app)
}
