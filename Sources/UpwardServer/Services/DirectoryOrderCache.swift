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
    private let kept = NIOLockedValueBox<DirectoryOrder?>(nil)
    private let loads = NIOLockedValueBox<Int>(0)

    /// How many times the order was read from the database (tests check it is kept).
    var reads: Int { loads.withLockedValue { $0 } }

    /// The current order: the kept one while the version is unchanged, else read again.
    func current(on db: any SQLDatabase) async throws -> DirectoryOrder {
        struct Version: Decodable { let version: Int64 }
        guard let version = try await db.raw("SELECT version FROM directory_version WHERE id = 1").first(decoding: Version.self)?.version else {
            throw Abort(.serviceUnavailable, reason: "The directory's version is missing: run `upward migrate`.")
        }
        if let order = kept.withLockedValue({ $0 }), order.version == version { return order }
        struct Entry: Decodable {
            let id: UUID
            let termination_date: String?
        }
        let people = try await db.raw("SELECT id, termination_date FROM people ORDER BY name, employee_id").all(decoding: Entry.self)
        let order = DirectoryOrder(version: version, people: people.map { ($0.id, $0.termination_date != nil) })
        loads.withLockedValue { $0 += 1 }
        // Two views that read at once may leave the older of their orders: the next view sees it is
        // not the current version and reads again.
        kept.withLockedValue { $0 = order }
        return order
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
