import ConsoleKit
import Foundation
import UpwardCore

/// `upward assign SCORES [--minimize] [--capacity K]`: solves a raw score or cost matrix
/// (.npy float64/float32 in C order, or CSV without header; NaN or an empty cell is forbidden)
/// and prints the assignment as JSON. No database is involved.
struct AssignCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "scores", help: "the matrix: a .npy file (float64 or float32, C order) or a CSV file")
        var scores: String
        @Flag(name: "minimize", help: "read the matrix as costs and minimize the total (default: maximize scores)")
        var minimize: Bool
        @Option(name: "capacity", help: "rows each column may take (default 1)")
        var capacity: Int?
    }

    var help: String { "Optimally assigns rows to columns of a score matrix (.npy or CSV); prints JSON." }

    func run(using context: CommandContext, signature: Signature) async throws {
        print(try Self.solve(path: signature.scores, minimize: signature.minimize, capacity: signature.capacity ?? 1))
    }

    /// Solves the matrix in `path` and returns the JSON the command prints.
    static func solve(path: String, minimize: Bool, capacity: Int) throws -> String {
        guard capacity >= 1 else { throw CommandFailure("--capacity must be 1 or more, not \(capacity).") }
        let options = AssignmentSolver.Options(maximize: !minimize, priority: .cardinalityFirst, capacities: [capacity])
        let solution: AssignmentSolver.Solution
        let rows: Int
        let file = try MappedFile(path: path)
        if file.bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) {
            let header: NumPyFormat.Header
            do { header = try NumPyFormat.parseHeader(file.bytes) } catch { throw CommandFailure("\(path): \(error)") }
            rows = header.rows
            let data = UnsafeRawBufferPointer(rebasing: file.bytes[header.dataOffset...])
            switch header.elementType {
            case .float64:
                let matrix = data.bindMemory(to: Double.self)
                try refuseUnbounded(matrix, rows: header.rows, columns: header.columns, minimize: minimize, path: path)
                solution = AssignmentSolver.solve(matrix, rows: header.rows, columns: header.columns, options: options)
            case .float32:
                let matrix = data.bindMemory(to: Float.self)
                try refuseUnbounded(matrix, rows: header.rows, columns: header.columns, minimize: minimize, path: path)
                solution = AssignmentSolver.solve(matrix, rows: header.rows, columns: header.columns, options: options)
            }
        } else {
            let matrix: MatrixCSV.Matrix
            do {
                matrix = try MatrixCSV.parse(Data(file.bytes))
            } catch {
                throw CommandFailure("\(path) is not a usable matrix:\n" + error.issues.map { "  \($0)" }.joined(separator: "\n"))
            }
            rows = matrix.rows
            try matrix.values.withUnsafeBufferPointer { try refuseUnbounded($0, rows: matrix.rows, columns: matrix.columns, minimize: minimize, path: path) }
            solution = matrix.values.withUnsafeBufferPointer { AssignmentSolver.solve($0, rows: matrix.rows, columns: matrix.columns, options: options) }
        }
        var json = "{\"pairs\": ["
        json += solution.pairs.map { "[\($0.row), \($0.column)]" }.joined(separator: ", ")
        json += "], \"total\": \(Self.number(solution.total)), \"unmatched_rows\": ["
        json += (0..<rows).filter { solution.columnOfRow[$0] == nil }.map(String.init).joined(separator: ", ")
        json += "]}"
        return json
    }

    /// An infinity in the improving direction makes every total infinite: refuse it by position.
    static func refuseUnbounded<Element: BinaryFloatingPoint>(
        _ matrix: UnsafeBufferPointer<Element>, rows: Int, columns: Int, minimize: Bool, path: String
    ) throws {
        if let (row, column) = AssignmentSolver.firstUnboundedEntry(matrix, rows: rows, columns: columns, maximize: !minimize) {
            throw CommandFailure(
                "\(path): row \(row), column \(column) is \(minimize ? "-inf" : "+inf"), which would make any total infinite; "
                    + "use NaN or \(minimize ? "+inf" : "-inf") for a forbidden pair")
        }
    }

    /// JSON has no NaN or infinity; totals are always finite here.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) + ".0" : "\(value)"
    }
}
