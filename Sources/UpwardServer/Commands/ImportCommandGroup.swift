import Vapor

/// Groups `upward import people`, leaving room for `import enrollments` later.
struct ImportCommandGroup: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["people": ImportPeopleCommand()]
    var help: String { "Import data from files." }
}
