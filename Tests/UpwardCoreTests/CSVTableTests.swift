import Foundation
import Testing
import UpwardCore

@Suite("Reading CSV files")
struct CSVTableTests {
    @Test("a byte order mark is ignored and the header is normalized")
    func byteOrderMark() throws {
        let table = try CSVTable(data: Data("\u{FEFF}Employee_ID , EMAIL\nE1,a@b.co\n".utf8))
        #expect(table.header == ["employee_id", "email"])
        #expect(table.rows.count == 1)
        #expect(table.rows[0].fields == ["E1", "a@b.co"])
        #expect(table.rows[0].line == 2)
    }

    @Test("quoted fields keep commas, quotes and line breaks, and later rows keep their real line numbers")
    func quotingAndLineNumbers() throws {
        let text = "name,note\r\n\"Doe, Jane\",\"said \"\"hi\"\"\"\r\n\"Multi\nline\",x\r\nLast,y\r\n"
        let table = try CSVTable(text: text)
        #expect(table.rows.map(\.fields) == [["Doe, Jane", "said \"hi\""], ["Multi\nline", "x"], ["Last", "y"]])
        #expect(table.rows.map(\.line) == [2, 3, 5])
    }

    @Test("blank lines are skipped, not reported as rows")
    func blankLines() throws {
        let table = try CSVTable(text: "a,b\n1,2\n\n3,4\n")
        #expect(table.rows.map(\.line) == [2, 4])
    }

    @Test("an empty file or invalid UTF-8 is refused with a reason")
    func unreadable() {
        #expect(throws: CSVTable.ReadError.empty) { try CSVTable(text: "  \n") }
        #expect(throws: CSVTable.ReadError.notUTF8) { try CSVTable(data: Data([0x61, 0xFF, 0xFE, 0x0A])) }
    }
}
