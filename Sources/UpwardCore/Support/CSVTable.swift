import CSV
import Foundation

/// A CSV file read into memory: a normalized header and data rows, each with the
/// line number where it starts, so every problem can be reported by line.
///
/// Accepts UTF-8 with or without a byte order mark and RFC 4180 quoting
/// (quoted fields may hold commas, doubled quotes and line breaks).
public struct CSVTable: Sendable {
    /// Header names, trimmed and lower-cased, in file order.
    public let header: [String]
    /// Header names as written (trimmed), for messages.
    public let rawHeader: [String]
    public let rows: [Row]

    public struct Row: Sendable {
        /// The 1-based line of the file where this record starts (the header is line 1).
        public let line: Int
        public let fields: [String]
    }

    /// Why a file could not be read as CSV at all.
    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case notUTF8
        case empty
        case malformed(String)

        public var description: String {
            switch self {
            case .notUTF8: "the file is not valid UTF-8 text"
            case .empty: "the file is empty: expected a header row"
            case .malformed(let detail): "the file is not valid CSV: \(detail)"
            }
        }
    }

    public init(data: Data) throws(ReadError) {
        guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8 }
        try self.init(text: text)
    }

    public init(text: String) throws(ReadError) {
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .empty }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: false)
        } catch {
            throw .malformed("\(error)")
        }
        var line = 1
        var header: [String]?
        var rows: [Row] = []
        while let fields = reader.next() {
            let startLine = line
            line += 1 + fields.reduce(0) { $0 + Self.lineBreaks(in: $1) }
            if header == nil {
                header = fields.map { $0.trimmingCharacters(in: .whitespaces) }
                continue
            }
            // A blank line is not a record.
            if fields.count == 1, fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            rows.append(Row(line: startLine, fields: fields))
        }
        if let error = reader.error { throw .malformed("near line \(line): \(error)") }
        guard let header else { throw .empty }
        self.rawHeader = header
        self.header = header.map { $0.lowercased() }
        self.rows = rows
    }

    /// The index of a named column, if the header has it.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    private static func lineBreaks(in field: String) -> Int {
        // "\r\n" is a single Character in Swift, so this counts it once.
        field.reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
    }
}
