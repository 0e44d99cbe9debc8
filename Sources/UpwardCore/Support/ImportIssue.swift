/// One problem found in an imported file, located by line and column.
public struct ImportIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line in the file (the header is line 1); `nil` for problems with the file as a whole.
    public let line: Int?
    /// The column the problem is in, as named in the header.
    public let column: String?
    public let message: String

    public init(line: Int?, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        switch (line, column) {
        case let (line?, column?): "line \(line), column \(column): \(message)"
        case let (line?, nil): "line \(line): \(message)"
        case let (nil, column?): "column \(column): \(message)"
        case (nil, nil): message
        }
    }
}

/// Every problem found in a file. A file with any problem changes nothing.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    public let issues: [ImportIssue]

    public init(_ issues: [ImportIssue]) {
        self.issues = issues.sorted { ($0.line ?? 0, $0.column ?? "") < ($1.line ?? 0, $1.column ?? "") }
    }

    public var description: String {
        "\(issues.count) problem\(issues.count == 1 ? "" : "s") found, nothing was imported:\n"
            + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}
