import Foundation

/// The NumPy `.npy` format (versions 1-3), for 2-D float64 or float32 matrices in C order:
/// the format `upward match --scores-out` writes and `upward assign` reads.
public enum NumPyFormat {
    public enum ElementType: String, Sendable {
        case float64 = "<f8"
        case float32 = "<f4"

        public var byteCount: Int { self == .float64 ? 8 : 4 }
    }

    public struct Header: Equatable, Sendable {
        public var elementType: ElementType
        public var rows: Int
        public var columns: Int
        /// Where the matrix data starts in the file.
        public var dataOffset: Int
    }

    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Reads the header at the start of `bytes` and checks that the data that follows is complete.
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws(FormatError) -> Header {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw FormatError("not a NumPy .npy file (the magic bytes are missing)") }
        let major = bytes[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw FormatError("the .npy header is truncated") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            start = 12
        default:
            throw FormatError("unsupported .npy format version \(major)")
        }
        guard bytes.count >= start + headerLength else { throw FormatError("the .npy header is truncated") }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)

        guard let descr = value(of: "descr", in: text)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) else {
            throw FormatError("the .npy header has no 'descr'")
        }
        guard let elementType = ElementType(rawValue: descr == "=f8" ? "<f8" : descr == "=f4" ? "<f4" : descr) else {
            throw FormatError("the matrix must be float64 or float32 (little-endian), not \(descr)")
        }
        if let fortran = value(of: "fortran_order", in: text), fortran.hasPrefix("True") {
            throw FormatError("the matrix must be in C order (row-major); save it with numpy.ascontiguousarray")
        }
        guard let shapeText = value(of: "shape", in: text) else { throw FormatError("the .npy header has no 'shape'") }
        let dimensions = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard dimensions.count == 2 else {
            throw FormatError("the matrix must be 2-dimensional, not shape (\(shapeText))")
        }
        guard let rows = Int(dimensions[0]), let columns = Int(dimensions[1]), rows >= 0, columns >= 0 else {
            throw FormatError("the shape (\(shapeText)) must be two whole numbers of 0 or more")
        }
        let offset = start + headerLength
        let (cells, cellsOverflow) = rows.multipliedReportingOverflow(by: columns)
        let (needed, bytesOverflow) = cells.multipliedReportingOverflow(by: elementType.byteCount)
        guard !cellsOverflow, !bytesOverflow else {
            throw FormatError("the shape (\(shapeText)) is too large for any file")
        }
        guard bytes.count - offset >= needed else {
            throw FormatError("the file holds \(bytes.count - offset) bytes of data, but a \(rows)×\(columns) \(descr) matrix needs \(needed)")
        }
        return Header(elementType: elementType, rows: rows, columns: columns, dataOffset: offset)
    }

    /// A version 1.0 header for a C-order 2-D matrix, padded so the data starts on a 64-byte boundary.
    public static func header(rows: Int, columns: Int, elementType: ElementType) -> [UInt8] {
        var dictionary = "{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + dictionary.utf8.count + 1
        dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = dictionary.utf8.count
        return magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
    }

    /// The text after `'key':` up to the next top-level comma (the shape's parentheses count as one value).
    static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        var depth = 0
        var result = ""
        while let character = rest.first {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 && (character == "," || character == "}") { break }
            result.append(character)
            rest = rest.dropFirst()
            if depth == 0 && character == ")" { break }
        }
        return result.trimmingCharacters(in: .whitespaces)
    }
}
