import Fluent
import Foundation
import SQLKit

/// Makes a scheduled job run once per interval across every instance on one database.
///
/// Each instance's timer fires on its own; before running, it tries to take the job's lease with
/// one conditional `UPDATE … WHERE until_epoch <= now RETURNING`. Only the instance whose update
/// matched runs the job; the lease lasts most of an interval, so the next tick (on any instance)
/// can take it again, and if the holder stops, another instance takes over within one interval.
struct JobLease {
    static let schema = "job_leases"

    let db: any Database
    let holder: String

    /// Takes the lease on `job` for `seconds` if it is free at `now`. Returns whether this instance holds it.
    func take(_ job: String, for seconds: TimeInterval, now: Date) async throws -> Bool {
        let sql = db as! any SQLDatabase
        let epoch = now.timeIntervalSince1970
        try await sql.raw(
            "INSERT INTO job_leases (name, holder, until_epoch, runs) VALUES (\(bind: job), '', 0, 0) ON CONFLICT (name) DO NOTHING"
        ).run()
        let rows = try await sql.raw(
            """
            UPDATE job_leases SET holder = \(bind: holder), until_epoch = \(bind: epoch + seconds), runs = runs + 1
            WHERE name = \(bind: job) AND until_epoch <= \(bind: epoch) RETURNING runs
            """
        ).all()
        return !rows.isEmpty
    }
}
