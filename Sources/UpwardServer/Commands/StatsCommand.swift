import ConsoleKit
import Foundation
import UpwardCore

/// `upward stats prepost FILE.csv`: before-and-after statistics per skill, as JSON, the same
/// figures the dashboard shows (UpwardCore's `PairedStatistics`, equal to scipy's).
struct StatsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "analysis", help: "prepost")
        var analysis: String
        @Argument(name: "file", help: "a CSV with the columns id,skill,before,after (more columns are ignored)")
        var file: String
    }

    var help: String { "Statistics for analysts: `stats prepost FILE.csv` prints paired t, Wilcoxon and effect sizes per skill as JSON." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.analysis == "prepost" else { throw CommandFailure("unknown analysis \"\(signature.analysis)\"; use: upward stats prepost FILE.csv") }
        print(try Self.prepost(path: signature.file))
    }

    static func prepost(path: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CommandFailure("cannot read \(path): \(error.localizedDescription)") }
        do {
            return PrePostFile.json(PrePostFile.summaries(try PrePostFile.parse(data)))
        } catch {
            throw CommandFailure("\(path) has problems; nothing was computed:\n" + error.issues.map { "  \($0)" }.joined(separator: "\n"))
        }
    }
}
