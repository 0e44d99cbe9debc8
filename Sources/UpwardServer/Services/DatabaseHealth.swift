import Fluent
import SQLKit

/// Whether the database answers, and how fast.
struct DatabaseHealth {
    let db: any Database

    /// The round trip of a trivial query in milliseconds; throws when the database does not answer.
    func ping() async throws -> Double {
        guard let sql = db as? any SQLDatabase else { throw DatabaseUnavailable() }
        let started = ContinuousClock.now
        _ = try await sql.raw("SELECT 1 AS ok").first()
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (milliseconds * 100).rounded() / 100
    }

    struct DatabaseUnavailable: Error {}
}
