import Foundation
import UpwardCore

/// Builders for test inputs shared by the core and server tests.
public enum Fixtures {
    public static let peopleHeader =
        "employee_id,email,name,title,department,business_unit,location,time_zone,manager_id,level,hire_date,generation,termination_date"

    /// A row in `peopleHeader` order.
    public static func personRow(
        _ id: String, manager: String = "", level: Int = 5, department: String = "Engineering",
        email: String? = nil, name: String? = nil, generation: String = "Millennial", timeZone: String = "Europe/Berlin",
        hireDate: String = "2020-01-15", terminationDate: String = "", title: String = "Engineer"
    ) -> String {
        let email = email ?? "\(id.lowercased())@example.com"
        let name = name ?? "Person \(id)"
        return [id, email, name, title, department, "Technology", "Berlin", timeZone, manager, String(level), hireDate, generation, terminationDate]
            .joined(separator: ",")
    }

    /// A small valid organization: a CEO, two heads, and reports three levels deep.
    public static let smallOrganization: [String] = [
        personRow("E1", level: 15, department: "Executive", generation: "Boomer", title: "CEO"),
        personRow("E2", manager: "E1", level: 13, department: "Engineering", generation: "Gen X", title: "Head of Engineering"),
        personRow("E3", manager: "E1", level: 13, department: "Marketing", generation: "Gen X", title: "Head of Marketing"),
        personRow("E4", manager: "E2", level: 9, department: "Engineering", generation: "Millennial"),
        personRow("E5", manager: "E4", level: 3, department: "Engineering", generation: "Gen Z"),
        personRow("E6", manager: "E3", level: 2, department: "Marketing", generation: "Gen Z"),
    ]

    public static func csv(_ rows: [String], header: String = peopleHeader) -> Data {
        Data(([header] + rows).joined(separator: "\n").utf8)
    }

    /// A new empty folder under the system's temporary directory.
    public static func temporaryFolder(_ prefix: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
