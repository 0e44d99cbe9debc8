import Foundation

/// The demo's own SQLite file. The demo marks the files it creates (SQLite's `application_id`)
/// and wipes or reuses only files carrying that mark, so a production database is never touched,
/// whatever the environment says.
enum DemoDatabase {
    /// "UPWD" as a big-endian 32-bit number, stored in the SQLite header at offset 68.
    static let applicationID: Int32 = 0x5550_5744
    static let defaultPath = "upward-demo.sqlite"

    enum State: Equatable {
        case absent
        /// A SQLite file the demo created.
        case demo
        /// Anything else: refused.
        case foreign(String)
    }

    static func state(of path: String) -> State {
        guard FileManager.default.fileExists(atPath: path) else { return .absent }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .foreign("it cannot be read") }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        if header.isEmpty { return .absent }  // an empty file holds nothing to lose
        guard header.count == 100, header.prefix(16) == Data("SQLite format 3\u{0}".utf8) else {
            return .foreign("it is not a SQLite database")
        }
        let id = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Int32(bitPattern: id) == applicationID ? .demo : .foreign("it is a SQLite database the demo did not create")
    }

    /// Makes `path` ready for a demo: removes an earlier demo file unless `keep`, refuses any other file.
    static func prepare(path: String, keep: Bool) throws(CommandFailure) {
        switch state(of: path) {
        case .absent:
            break
        case .foreign(let reason):
            throw CommandFailure(
                "the demo will not use \(path): \(reason). Give the demo its own file with --database, e.g. --database \(defaultPath).")
        case .demo:
            guard !keep else { return }
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
    }
}
