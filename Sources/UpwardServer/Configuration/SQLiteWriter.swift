import FluentKit
import FluentSQLiteDriver
import NIOCore
import NIOPosix
import Prometheus
import Vapor

/// The one connection SQLite write transactions use, on an event loop of its own.
///
/// A batch of the write gate (see ``WriteGate``) runs its statements one after another. On the
/// server's own event loops each step would wait behind the requests the loop was parsing and
/// answering. Here the connection lives on a loop that does nothing else, the batch's task prefers
/// that loop as its executor (``EventLoopTaskExecutor``), and each statement runs on that loop's
/// thread as it is asked for (``DirectSQLiteDatabase``), with no thread pool between.
final class SQLiteWriter: LifecycleHandler, Sendable {
    let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    let databases: Databases
    let executor: EventLoopTaskExecutor

    init(app: Application, path: String, inUse: Gauge) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        databases = Databases(threadPool: app.threadPool, on: group)
        let base = DirectSQLiteConfiguration(connection: try SQLiteReaders.Connection(path: path, readOnly: false))
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
