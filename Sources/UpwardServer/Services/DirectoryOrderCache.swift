import FluentKit
import NIOConcurrencyHelpers
import SQLKit
import UpwardCore
import Vapor

/// The directory's name order (``DirectoryOrder``), kept in memory while the database's
/// `directory_version` (see ``CreateDirectoryVersion``) stays the same. Every view asks the
/// database for the version, so a change made anywhere, by any instance, shows on the next view.
///
/// The version is read before the order: a change that lands between the two leaves an order newer
/// than its version, which the next view reads again; never an order older than its version.
/// Only reads outside transactions use it (a transaction's own uncommitted changes would label
/// the order with a version that a rollback takes back).
final class DirectoryOrderCache: Sendable {
    private struct State {
        var order: DirectoryOrder?
        /// The read under way, which every view that finds the same version waits for: when the
        /// directory changes under load, the order is read once, not once per view.
        var loading: (version: Int64, task: Task<DirectoryOrder, any Error>)?
        var loads = 0
    }

    private let state = NIOLockedValueBox(State())
    /// Reads the order at a version (tests slow it down to see that views share one read).
    private let load: @Sendable (Int64, any SQLDatabase) async throws -> DirectoryOrder

    init(load: @escaping @Sendable (Int64, any SQLDatabase) async throws -> DirectoryOrder = DirectoryOrderCache.read) {
        self.load = load
    }

    /// How many times the order was read from the database (tests check it is kept).
    var reads: Int { state.withLockedValue { $0.loads } }

    private struct Version: SQLRowReadable {
        let version: Int64
        init(row: some SQLRow) throws { version = try row.read("version") }
    }

    /// The current order: the kept one while the version is unchanged, else read again.
    func current(on db: any SQLDatabase) async throws -> DirectoryOrder {
        guard let version = try await db.raw("SELECT version FROM directory_version WHERE id = 1").first(reading: Version.self)?.version else {
            throw Abort(.serviceUnavailable, reason: "The directory's version is missing: run `upward migrate`.")
        }
        enum Found {
            case kept(DirectoryOrder)
            case reading(Task<DirectoryOrder, any Error>)
        }
        let found = state.withLockedValue { state -> Found in
            if let order = state.order, order.version == version { return .kept(order) }
            if let loading = state.loading, loading.version == version { return .reading(loading.task) }
            let task = Task { [load] in try await load(version, db) }
            state.loading = (version, task)
            state.loads += 1
            return .reading(task)
        }
        let read: Task<DirectoryOrder, any Error>
        switch found {
        case .kept(let order): return order
        case .reading(let task): read = task
        }
        do {
            let order = try await read.value
            // Two reads of different versions may finish in either order; the next view reads again
            // if the one kept is not the current version.
            state.withLockedValue { state in
                if state.loading?.version == version { state.loading = nil }
                state.order = order
            }
            return order
        } catch {
            state.withLockedValue { state in
                if state.loading?.version == version { state.loading = nil }
            }
            throw error
        }
    }

    /// Everyone's id and leaving date, in the directory's name order.
    @Sendable static func read(version: Int64, on db: any SQLDatabase) async throws -> DirectoryOrder {
        struct Entry: Decodable {
            let id: UUID
            let termination_date: String?
        }
        let people = try await db.raw("SELECT id, termination_date FROM people ORDER BY name, employee_id").all(decoding: Entry.self)
        return DirectoryOrder(version: version, people: people.map { ($0.id, $0.termination_date != nil) })
    }
}

extension Application {
    private struct DirectoryOrderKey: StorageKey {
        typealias Value = DirectoryOrderCache
    }

    /// Set by `configure` (see ``DirectoryOrderCache``).
    var directoryOrder: DirectoryOrderCache? {
        get { storage[DirectoryOrderKey.self] }
        set { storage[DirectoryOrderKey.self] = newValue }
    }
}
