import ConsoleKit
import Foundation

/// Commands that need no database and no web server; they run without booting the app.
enum OfflineCommands {
    static let all: [String: any AnyAsyncCommand] = ["assign": AssignCommand(), "match": MatchCommand(), "stats": StatsCommand()]

    static func run(arguments: [String]) async -> Int32 {
        let console = Terminal()
        var input = CommandInput(arguments: arguments)
        guard let name = input.arguments.first, let command = all[name] else { return 2 }
        input.arguments.removeFirst()
        input.executablePath.append(name)
        var context = CommandContext(console: console, input: input)
        do {
            try await command.run(using: &context)
            return 0
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
    }
}
