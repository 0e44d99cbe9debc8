import Foundation
import UpwardCore
import Vapor

/// The program form as the browser posts it: text everywhere, so a bad number is named, not a decoding error.
struct ProgramForm: Content {
    var name: String?
    var description: String?
    var focusAreas: [String]?
    var customFocusAreas: String?
    var cadence: String?
    var customDays: String?
    var startsOn: String?
    var endsOn: String?
    var isPilot: String?
    var minimumLevelGap: String?
    var maximumMenteesPerMentor: String?
    var differentDepartmentOnly: String?
    var objective: String?
    var selectionMode: String?
    var reviewThreshold: String?
    var requestTimeoutDays: String?
    var codeOfConduct: String?
    var weights: [String: String]?

    /// The settings input, and problems with numbers that did not parse.
    func input() -> (ProgramSettings.Input, [FieldIssue]) {
        var issues: [FieldIssue] = []
        func int(_ raw: String?, _ field: String) -> Int? {
            guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard raw.count <= 9, let value = Int(raw) else {
                issues.append(FieldIssue(field, "must be a whole number, not \"\(raw.prefix(30))\""))
                return nil
            }
            return value
        }
        var input = ProgramSettings.Input()
        input.name = name
        input.description = description
        var areas = focusAreas ?? []
        areas += (customFocusAreas ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
        input.focusAreas = areas.filter { !$0.isEmpty }
        switch cadence ?? "14" {
        case "14": input.cadenceDays = 14
        case "28": input.cadenceDays = 28
        case "custom":
            if customDays?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
                issues.append(FieldIssue("customDays", "is required for a custom cadence"))
            } else {
                input.cadenceDays = int(customDays, "customDays")
            }
        default: issues.append(FieldIssue("cadence", "must be 14, 28 or custom"))
        }
        input.startsOn = startsOn
        input.endsOn = endsOn
        input.isPilot = isPilot != nil
        input.minimumLevelGap = int(minimumLevelGap, "minimumLevelGap")
        input.maximumMenteesPerMentor = int(maximumMenteesPerMentor, "maximumMenteesPerMentor")
        input.differentDepartmentOnly = differentDepartmentOnly != nil
        input.objective = objective
        input.selectionMode = selectionMode
        if let raw = reviewThreshold?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if let value = Double(raw), value.isFinite {
                input.reviewThreshold = value
            } else {
                issues.append(FieldIssue("reviewThreshold", "must be a number"))
            }
        }
        input.requestTimeoutDays = int(requestTimeoutDays, "requestTimeoutDays")
        input.codeOfConduct = codeOfConduct
        if let weights {
            var parsed: [String: Double] = [:]
            for (key, raw) in weights where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                if let value = Double(raw.trimmingCharacters(in: .whitespaces)) {
                    parsed[key] = value
                } else {
                    issues.append(FieldIssue("weights.\(key)", "must be a number"))
                }
            }
            input.weights = parsed
        }
        return (input, issues)
    }

    /// The form's values for a page, from saved settings or a refused submission.
    struct Values: Encodable {
        var name = ""
        var description = ""
        var focusAreas: [Option] = []
        var customFocusAreas = ""
        var cadence = "14"
        var customDays = ""
        var startsOn = ""
        var endsOn = ""
        var isPilot = false
        var minimumLevelGap = "2"
        var maximumMenteesPerMentor = "1"
        var differentDepartmentOnly = false
        var objectives: [Option] = []
        var modes: [Option] = []
        var reviewThreshold = "40"
        var requestTimeoutDays = "3"
        var codeOfConduct = ProgramSettings.defaultCodeOfConduct
        var weights: [Weight] = []
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Weight: Encodable {
        let key: String
        let value: String
    }

    static func values(_ input: ProgramSettings.Input) -> Values {
        var values = Values()
        values.name = input.name ?? ""
        values.description = input.description ?? ""
        let chosen = input.focusAreas ?? []
        values.focusAreas = FocusAreaTemplates.all.map { Option(value: $0, label: $0, selected: chosen.contains($0)) }
        values.customFocusAreas = chosen.filter { !FocusAreaTemplates.all.contains($0) }.joined(separator: ", ")
        let days = input.cadenceDays ?? 14
        values.cadence = days == 14 ? "14" : days == 28 ? "28" : "custom"
        values.customDays = values.cadence == "custom" ? "\(days)" : ""
        values.startsOn = input.startsOn ?? ""
        values.endsOn = input.endsOn ?? ""
        values.isPilot = input.isPilot ?? false
        values.minimumLevelGap = input.minimumLevelGap.map(String.init) ?? "2"
        values.maximumMenteesPerMentor = input.maximumMenteesPerMentor.map(String.init) ?? "1"
        values.differentDepartmentOnly = input.differentDepartmentOnly ?? false
        let objective = input.objective ?? "participation"
        values.objectives = [
            Option(value: "participation", label: "Participation: match as many as possible, then the best total", selected: objective == "participation"),
            Option(value: "total", label: "Total: the highest total score", selected: objective == "total"),
            Option(value: "fair", label: "Fair: the best lowest pair score", selected: objective == "fair"),
            Option(value: "stable", label: "Stable: no two people would both rather swap", selected: objective == "stable"),
        ]
        let mode = input.selectionMode ?? "manager"
        values.modes = SelectionMode.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: mode == $0.rawValue) }
        values.reviewThreshold = input.reviewThreshold.map { String(format: "%g", $0) } ?? "40"
        values.requestTimeoutDays = input.requestTimeoutDays.map(String.init) ?? "3"
        values.codeOfConduct = input.codeOfConduct ?? ProgramSettings.defaultCodeOfConduct
        let weights = input.weights ?? ScoringWeights().dictionary
        values.weights = ScoringWeights.componentNames.map { Weight(key: $0, value: weights[$0].map { String(format: "%g", $0) } ?? "") }
        return values
    }
}
