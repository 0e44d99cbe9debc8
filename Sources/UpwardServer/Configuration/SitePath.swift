import Foundation

/// Every URL of the site, in one typed place. Routes and templates use these.
enum SitePath {
    static let home = "/"
    static let login = "/login"
    static let logout = "/logout"
    static let health = "/health"
    static let people = "/admin/people"
    static let peopleImport = "/admin/people/import"
    static func person(_ id: UUID) -> String { "/admin/people/\(id.uuidString)" }

    /// A `next` target after sign-in: only a path on this site, never another host.
    static func safeRedirect(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.contains("\\"),
            !candidate.hasPrefix(login)
        else { return home }
        return candidate
    }
}
