/// One employee as the HR system describes them: a validated row of the people import.
public struct PersonRecord: Hashable, Sendable, Codable {
    public var employeeID: String
    public var email: String
    public var name: String
    public var title: String?
    public var department: String
    public var businessUnit: String?
    public var location: String?
    public var timeZone: String?
    /// The manager's `employeeID`; `nil` at the top of the organization.
    public var managerID: String?
    /// 1-15, higher is more senior.
    public var level: Int
    public var hireDate: CalendarDate?
    public var generation: Generation?
    public var terminationDate: CalendarDate?

    public init(
        employeeID: String, email: String, name: String, title: String? = nil, department: String,
        businessUnit: String? = nil, location: String? = nil, timeZone: String? = nil,
        managerID: String? = nil, level: Int, hireDate: CalendarDate? = nil,
        generation: Generation? = nil, terminationDate: CalendarDate? = nil
    ) {
        self.employeeID = employeeID
        self.email = email
        self.name = name
        self.title = title
        self.department = department
        self.businessUnit = businessUnit
        self.location = location
        self.timeZone = timeZone
        self.managerID = managerID
        self.level = level
        self.hireDate = hireDate
        self.generation = generation
        self.terminationDate = terminationDate
    }

    /// Whether the person has left the organization.
    public var hasLeft: Bool { terminationDate != nil }

    public static let levels = 1...15
}
