import Vapor

/// What the shared layout needs on every page: title, who is signed in, navigation by role, CSRF token.
struct LayoutContext: Encodable {
    struct NavItem: Encodable {
        let label: String
        let href: String
        let active: Bool
    }

    struct Viewer: Encodable {
        let name: String
        let email: String
        let roleLabel: String
        let isAdmin: Bool
    }

    let title: String
    let viewer: Viewer?
    /// A template's conditions read booleans: Leaf tests any other value (here the viewer) through a
    /// table of conversions it builds anew each time.
    let signedIn: Bool
    let nav: [NavItem]
    let csrf: String
    let logoutPath = SitePath.logout

    init(_ request: Request, title: String) {
        self.title = title
        csrf = request.csrfToken()
        let path = request.url.path
        guard let user = request.currentUser else {
            signedIn = false
            viewer = nil
            nav = []
            return
        }
        signedIn = true
        viewer = Viewer(name: user.name, email: user.email, roleLabel: user.isAdmin ? "Program manager" : "Participant", isAdmin: user.isAdmin)
        var items: [(String, String)] = [("Home", SitePath.home), ("Programs", SitePath.programs)]
        if user.isAdmin {
            items += [("People", SitePath.people), ("Import", SitePath.peopleImport), ("Concerns", SitePath.concerns), ("Audit", SitePath.audit)]
            if user.organizationAdmin { items += [("Deliveries", "/deliveries")] }
        } else {
            items += [("Notifications", SitePath.notifications)]
        }
        items += [("Account", SitePath.account)]
        // The longest matching prefix is the active item.
        let active = items.map(\.1).filter { $0 == path || ($0 != "/" && path.hasPrefix($0)) }.max { $0.count < $1.count }
        nav = items.map { NavItem(label: $0.0, href: $0.1, active: $0.1 == active) }
    }
}
