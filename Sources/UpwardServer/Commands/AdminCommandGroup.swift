import Vapor

struct AdminCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": AdminCreateCommand()]
    var help: String { "Manage program-manager accounts." }
}
