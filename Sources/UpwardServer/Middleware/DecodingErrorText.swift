import Foundation

/// Turns a decoding error into a sentence that names the field.
enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "field \(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue) is missing"
        case .typeMismatch(let type, let context): return "field \(path(context)) must be \(type)"
        case .valueNotFound(_, let context): return "field \(path(context)) is missing"
        case .dataCorrupted(let context): return "field \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
