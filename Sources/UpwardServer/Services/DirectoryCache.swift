import FluentKit
import NIOConcurrencyHelpers
import SQLKit
import UpwardCore
import Vapor

/// A value read from the people directory (its name order, the program manager's figures), kept in
/// memory while the database's `directory_version` (see ``CreateDirectoryVersion`` and
/// ``WidenDirectoryVersion``) stays the same. Every view asks the database for the version, so a
/// change made anywhere, by any instance, shows on the next view.
///
/// The version is read before the value: a change that lands between the two leaves a value newer
/// than its version, which the next view reads again; never a value older than its version.
/// Only reads outside transactions use it (a transaction's own uncommitted changes would label
/// the value with a version that a rollback takes back).
final class DirectoryCache<Value: Sendable>: Sendable {
    private struct State {
        var kept: (version: Int64, value: Value)?
        /// The read under way, which every view that finds the same version waits for: when the
        /// directory changes under load, the value is read once, not once per view.
        var loading: (version: Int64, task: Task<Value, any Error>)?
        var loads = 0
    }

    private enum Found {
        case kept(Value)
        case reading(Task<Value, any Error>)
    }

    private let state = NIOLockedValueBox(State())
    /// Reads the value at a version (tests slow it down to see that views share one read).
    private let load: @Sendable (Int64, any SQLDatabase) async throws -> Value

    init(load: @escaping @Sendable (Int64, any SQLDatabase) async throws -> Value) {
        self.load = load
    }

    /// How many times the value was read from the database (tests check it is kept).
    var reads: Int { state.withLockedValue { $0.loads } }

    private struct Version: SQLRowReadable {
        let version: Int64
        init(row: some SQLRow) throws { version = try row.read("version") }
    }

    /// The current value: the kept one while the version is unchanged, else read again.
    func current(on db: any SQLDatabase) async throws -> Value {
        guard let version = try await db.raw("SELECT version FROM directory_version WHERE id = 1").first(reading: Version.self)?.version else {
            throw Abort(.serviceUnavailable, reason: "The directory's version is missing: run `upward migrate`.")
        }
        let found = state.withLockedValue { state -> Found in
            if let kept = state.kept, kept.version == version { return .kept(kept.value) }
            if let loading = state.loading, loading.version == version { return .reading(loading.task) }
            let task = Task { [load] in try await load(version, db) }
            state.loading = (version, task)
            state.loads += 1
            return .reading(task)
        }
        let read: Task<Value, any Error>
        switch found {
        case .kept(let value): return value
        case .reading(let task): read = task
        }
        do {
            let value = try await read.value
            // Two reads of different versions may finish in either order; the next view reads again
            // if the one kept is not the current version.
            state.withLockedValue { state in
                if state.loading?.version == version { state.loading = nil }
                state.kept = (version, value)
            }
            return value
        } catch {
            state.withLockedValue { state in
                if state.loading?.version == version { state.loading = nil }
            }
            throw error
        }
    }
}

/// The directory in name order with every person's listing, for unfiltered pages of people.
typealias DirectoryOrderCache = DirectoryCache<DirectoryPeople>

/// The directory's name order (``DirectoryOrder``) and every person's ``PeopleDirectory/Listing``,
/// each with its API form already written as JSON: an unfiltered page of the people list or the
/// people API is a slice of the order, its rows taken from here, not read and decoded again (the
/// people API at 50 a page spent a third of its time encoding the same people over and over).
/// Read in one statement once per version of the directory (an HR import, an erasure): about
/// 0.7 KB a person, 7 MB on 10,000 people. ``WatchListedColumns`` raises the version when any
/// column of a listing changes.
struct DirectoryPeople: Sendable {
    let order: DirectoryOrder
    let listings: [UUID: PeopleDirectory.Listing]
    /// Every department (for the list's filter) and how many people there are, leavers included.
    let facets: PeopleDirectory.Facets

    init(version: Int64, listings inOrder: [PeopleDirectory.Listing]) throws {
        order = DirectoryOrder(version: version, people: inOrder.map { ($0.id, $0.hasLeft) })
        facets = PeopleDirectory.Facets(departments: Set(inOrder.map(\.department)).sorted(), total: inOrder.count, rendered: RenderedOnce())
        let encoder = try ContentConfiguration.global.requireEncoder(for: .json)
        var headers = HTTPHeaders()
        var listings = [UUID: PeopleDirectory.Listing](minimumCapacity: inOrder.count)
        for var listing in inOrder {
            var json = ByteBufferAllocator().buffer(capacity: 0)
            try encoder.encode(APIModel.PersonOut(listing), to: &json, headers: &headers)
            // Kept at its length: the encoder's buffer grows by doubling.
            listing.json = ByteBuffer(bytes: json.readableBytesView)
            listing.rendered = RenderedOnce()
            listings[listing.id] = listing
        }
        self.listings = listings
    }
}

extension DirectoryCache where Value == DirectoryPeople {
    convenience init() { self.init(load: DirectoryOrderCache.read) }

    /// Everyone's listing, in the directory's name order.
    @Sendable static func read(version: Int64, on db: any SQLDatabase) async throws -> DirectoryPeople {
        let people = try await db.raw("SELECT \(unsafeRaw: PeopleDirectory.Listing.columns) FROM people ORDER BY name, employee_id")
            .all(reading: PeopleDirectory.Listing.self)
        return try DirectoryPeople(version: version, listings: people)
    }
}

/// The program manager's figures of the whole directory (``PeopleDirectory/Overview``): five
/// statements over every person, 10-14 ms on 10,000 people, read once per change.
typealias DirectoryOverviewCache = DirectoryCache<PeopleDirectory.Overview>

extension DirectoryCache where Value == PeopleDirectory.Overview {
    convenience init() { self.init(load: { _, db in try await PeopleDirectory.readOverview(on: db) }) }
}

/// Everyone's department, level, hiring and leaving dates: the comparison group of the outcomes
/// report's retention figures, over the whole directory (17 ms a report on 10,000 people).
typealias DirectoryMembersCache = DirectoryCache<[Retention.Member]>

extension DirectoryCache where Value == [Retention.Member] {
    convenience init() { self.init(load: { _, db in try await DirectoryMembersCache.read(on: db) }) }

    /// Every person's facts the retention comparison needs, read from the database.
    static func read(on db: any SQLDatabase) async throws -> [Retention.Member] {
        try await db.raw("SELECT id, department, level, hire_date, termination_date FROM people").all(reading: MemberRow.self).map {
            Retention.Member(
                id: $0.id.text, department: $0.department, level: $0.level, hireDate: $0.hire_date.flatMap(CalendarDate.init),
                terminationDate: $0.termination_date.flatMap(CalendarDate.init))
        }
    }
}

/// A person as ``DirectoryMembersCache/read(on:)`` reads them.
private struct MemberRow: SQLRowReadable {
    let id: UUID
    let department: String
    let level: Int
    let hire_date: String?
    let termination_date: String?

    init(row: some SQLRow) throws {
        id = try row.read("id")
        department = try row.read("department")
        level = try row.read("level")
        hire_date = try row.read("hire_date")
        termination_date = try row.read("termination_date")
    }
}

extension Application {
    private struct DirectoryMembersKey: StorageKey {
        typealias Value = DirectoryMembersCache
    }

    /// Set by `configure` (see ``DirectoryCache``).
    var directoryMembers: DirectoryMembersCache? {
        get { storage[DirectoryMembersKey.self] }
        set { storage[DirectoryMembersKey.self] = newValue }
    }

    private struct DirectoryOrderKey: StorageKey {
        typealias Value = DirectoryOrderCache
    }

    private struct DirectoryOverviewKey: StorageKey {
        typealias Value = DirectoryOverviewCache
    }

    /// Set by `configure` (see ``DirectoryCache``).
    var directoryOrder: DirectoryOrderCache? {
        get { storage[DirectoryOrderKey.self] }
        set { storage[DirectoryOrderKey.self] = newValue }
    }

    /// Set by `configure` (see ``DirectoryCache``).
    var directoryOverview: DirectoryOverviewCache? {
        get { storage[DirectoryOverviewKey.self] }
        set { storage[DirectoryOverviewKey.self] = newValue }
    }
}

/// Reads the kept directory (every person's listing, the program manager's figures) as the server
/// starts, so that its first visitors do not wait for it (about 130 ms on 10,000 people, during
/// which the views that need it wait too). A database not migrated yet is left for the first view.
struct DirectoryWarmUp: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard let sql = app.db as? any SQLDatabase else { return }
        _ = try? await app.directoryOrder?.current(on: sql)
        _ = try? await app.directoryOverview?.current(on: sql)
    }
}
