import Fluent
import Foundation
import UpwardCore

/// An employee in the people directory, as imported from HR.
final class Person: Model, @unchecked Sendable {
    // Fluent models are reference types with property wrappers; Fluent's own
    // documentation marks them @unchecked Sendable. Instances are never shared
    // across tasks while being mutated.
    static let schema = "people"

    @ID(key: .id) var id: UUID?
    @Field(key: "employee_id") var employeeID: String
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @OptionalField(key: "title") var title: String?
    @Field(key: "department") var department: String
    @OptionalField(key: "business_unit") var businessUnit: String?
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "time_zone") var timeZone: String?
    @OptionalParent(key: "manager_id") var manager: Person?
    @OptionalField(key: "manager_employee_id") var managerEmployeeID: String?
    /// The ids of every manager above this person, top first, as `/id/id/`; empty at the top.
    @Field(key: "management_chain") var managementChain: String
    @Field(key: "chain_depth") var chainDepth: Int
    @Field(key: "level") var level: Int
    /// Lower-cased name, email, employee id and title, for case-insensitive search on any database.
    @Field(key: "search_key") var searchKey: String
    @OptionalField(key: "hire_date") var hireDate: String?
    @OptionalField(key: "generation") var generation: String?
    @OptionalField(key: "termination_date") var terminationDate: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The record as HR described it, for comparing with a new import.
    var record: PersonRecord {
        PersonRecord(
            employeeID: employeeID, email: email, name: name, title: title, department: department,
            businessUnit: businessUnit, location: location, timeZone: timeZone, managerID: managerEmployeeID,
            level: level, hireDate: hireDate.flatMap(CalendarDate.init), generation: generation.flatMap(Generation.init(rawValue:)),
            terminationDate: terminationDate.flatMap(CalendarDate.init))
    }

    func apply(_ record: PersonRecord) {
        employeeID = record.employeeID
        email = record.email
        name = record.name
        title = record.title
        department = record.department
        businessUnit = record.businessUnit
        location = record.location
        timeZone = record.timeZone
        managerEmployeeID = record.managerID
        level = record.level
        hireDate = record.hireDate?.description
        generation = record.generation?.rawValue
        terminationDate = record.terminationDate?.description
        searchKey = [record.name, record.email, record.employeeID, record.title ?? ""].joined(separator: " ").lowercased()
    }

    /// The ids in `managementChain`, top first.
    var chainIDs: [UUID] {
        managementChain.split(separator: "/").compactMap { UUID(uuidString: String($0)) }
    }

    var hasLeft: Bool { terminationDate != nil }
}
