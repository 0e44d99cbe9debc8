import FluentKit
import FluentSQLiteDriver
import NIOCore
import NIOPosix
import Prometheus
import Vapor

/// The one connection SQLite write transactions use, on an event loop of its own.
///
/// A batch of the write gate (see ``WriteGate``) runs its statements one after another, each a
/// round trip: to SQLiteNIO's thread pool and back to the connection's event loop, then on to the
/// task that waits for it. On the server's own event loops each of those returns queued behind
/// the requests the loop was parsing and answering, so under load a batch spent most of its time
/// waiting in line, not writing. Here the connection lives on a loop that does nothing else, and
/// the batch's task prefers that loop as its executor (``EventLoopTaskExecutor``), so each step
/// follows the last at once.
final class SQLiteWriter: LifecycleHandler, Sendable {
    let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    let databases: Databases
    let executor: EventLoopTaskExecutor
    /// SQLiteNIO runs each statement on a thread pool; the writer's have a thread of their own, so
    /// a batch never waits behind the readers' slow statements on the shared pool.
    let threadPool: NIOThreadPool

    init(app: Application, path: String, inUse: Gauge) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        databases = Databases(threadPool: threadPool, on: group)
        let base = DatabaseConfigurationFactory.sqlite(.file(path), sqlLogLevel: .debug).make()
        databases.use(
            DatabaseConfigurationFactory { MeteredDatabaseConfiguration(base: base, limit: nil, inUse: inUse) },
            as: .sqliteWriter, isDefault: true)
        executor = EventLoopTaskExecutor(loop)
        app.lifecycle.use(self)
    }

    func database(logger: Logger) -> any Database {
        databases.database(.sqliteWriter, logger: logger, on: loop)!
    }

    func shutdownAsync(_ application: Application) async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}

/// Runs a task's jobs on one event loop (for `withTaskExecutorPreference`).
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
