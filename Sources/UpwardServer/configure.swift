import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import NIOCore
import SQLKit
import Vapor

/// Sets up storage, sessions, views, middleware and routes.
public func configure(_ app: Application, environment: UpwardEnvironment) async throws {
    app.upward = environment
    let config = environment.configuration

    switch config.storage {
    case .sqliteFile(let path):
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: .debug), as: .sqlite)
    case .postgres(let url):
        app.databases.use(try .postgres(url: url, sqlLogLevel: .debug), as: .psql)
    }
    UpwardMigrations.register(on: app)
    if case .sqliteFile = config.storage {
        try await SQLiteTuning.apply(to: app)
    }

    app.passwords.use(.bcrypt(cost: config.bcryptCost))

    // Sessions live in the database, so restarts and extra instances keep everyone signed in.
    app.sessions.use(.fluent)
    let lifetime = Int(config.sessionLifetime)
    app.sessions.configuration = SessionsConfiguration(cookieName: SessionCookie.name) { id in
        HTTPCookies.Value(string: id.string, maxAge: lifetime, path: "/", isSecure: false, isHTTPOnly: true, sameSite: .lax)
    }

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
    app.routes.defaultMaxBodySize = "25mb"

    app.middleware = Middlewares()
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(SecureCookieMiddleware(cookieName: SessionCookie.name))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(SessionUserMiddleware())
    app.middleware.use(PageErrorMiddleware())

    try routes(app)
}

enum SessionCookie {
    static let name = "upward-session"
}

/// SQLite settings for a file database: WAL for concurrent readers, full fsync,
/// a bounded wait on locks. Applied to every pooled connection at start-up.
enum SQLiteTuning {
    static let busyTimeoutMilliseconds = 5000

    static func apply(to app: Application) async throws {
        // One connection per event loop; touch each so each gets the per-connection settings.
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(.sqlite, logger: app.logger, on: eventLoop)! as! any SQLDatabase
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = FULL").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            try await db.raw(SQLQueryString("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))")).run()
        }
    }
}
