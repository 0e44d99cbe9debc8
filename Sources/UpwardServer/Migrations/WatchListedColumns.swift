import Fluent
import SQLKit

/// Raises `directory_version` (see ``CreateDirectoryVersion``) also when any column a list of
/// people shows changes (``PeopleDirectory/Listing``: email, title, business unit, location, time
/// zone), not only the columns ``WidenDirectoryVersion`` watches: the people lists and the people
/// API now serve each person's listing from memory (``DirectoryPeople``) while the version stays.
struct WatchListedColumns: AsyncMigration {
    static let listed = WidenDirectoryVersion.wide + ", email, title, business_unit, location, time_zone"

    func prepare(on database: any Database) async throws {
        try await WidenDirectoryVersion.watch(Self.listed, on: database)
    }

    func revert(on database: any Database) async throws {
        try await WidenDirectoryVersion.watch(WidenDirectoryVersion.wide, on: database)
    }
}
