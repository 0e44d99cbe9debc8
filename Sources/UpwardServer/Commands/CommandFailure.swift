/// A command error whose message is the whole story; the entrypoint prints it and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
