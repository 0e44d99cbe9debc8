/// One problem with a form or API body, named by its field.
public struct FieldIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Every problem with a submission; nothing is saved when there is any.
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public let issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) { self.issues = issues }
    public init(_ field: String, _ message: String) { self.issues = [FieldIssue(field, message)] }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// Collects problems field by field.
public struct FieldChecker: Sendable {
    public private(set) var issues: [FieldIssue] = []

    public init() {}

    public mutating func add(_ field: String, _ message: String) { issues.append(FieldIssue(field, message)) }

    /// Trimmed text, required and at most `limit` characters, free of control characters (line breaks allowed when `multiline`).
    public mutating func text(_ value: String?, field: String, required: Bool = true, limit: Int, multiline: Bool = false) -> String {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { add(field, "is required") }
            return ""
        }
        if trimmed.count > limit { add(field, "must be at most \(limit) characters (it has \(trimmed.count))") }
        let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\r", "\t"] : []
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            add(field, "must not contain control characters")
        }
        return trimmed
    }

    public mutating func integer(_ value: Int?, field: String, in range: ClosedRange<Int>) -> Int {
        guard let value else {
            add(field, "is required (a whole number from \(range.lowerBound) to \(range.upperBound))")
            return range.lowerBound
        }
        guard range.contains(value) else {
            add(field, "must be from \(range.lowerBound) to \(range.upperBound) (got \(value))")
            return min(max(value, range.lowerBound), range.upperBound)
        }
        return value
    }

    public func finish() throws(ValidationFailure) {
        if !issues.isEmpty { throw ValidationFailure(issues) }
    }
}
