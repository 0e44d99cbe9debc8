import LeafKit
import NIOConcurrencyHelpers
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
    /// The navigation rendered (`layout-nav.leaf`), when ``NavFragments`` holds it for these links.
    private(set) var navHTML: String?
    /// Which links, and which is active: ``NavFragments``' key.
    let navKey: String
    let csrf: String
    let logoutPath = SitePath.logout

    /// The layout with its navigation rendered, kept for the next page with the same links (see
    /// ``NavFragments``). Every page uses it but the error page, which renders its navigation.
    static func rendered(_ request: Request, title: String) async throws -> LayoutContext {
        var layout = LayoutContext(request, title: title)
        if layout.navHTML == nil, !layout.nav.isEmpty, let fragments = request.application.navFragments {
            layout.navHTML = try await fragments.render(layout, on: request)
        }
        return layout
    }

    init(_ request: Request, title: String) {
        self.title = title
        csrf = request.csrfToken()
        let path = request.url.path
        guard let user = request.currentUser else {
            signedIn = false
            viewer = nil
            nav = []
            navKey = ""
            navHTML = nil
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
        navKey = items.map(\.1).joined(separator: " ") + "|" + (active ?? "")
        navHTML = request.application.navFragments?.html(navKey)
    }
}

/// The signed-in navigation (`layout-nav.leaf`) rendered once for each set of links and active
/// link (a few dozen: the links by role, and which page is open), then placed in every page as it
/// is. Each page's layout otherwise walked the same four to
/// eight links through Leaf's loop on every view.
final class NavFragments: Sendable {
    private let kept = NIOLockedValueBox<[String: String]>([:])

    func html(_ key: String) -> String? { kept.withLockedValue { $0[key] } }

    /// How many navigations are kept (tests check that views reuse them).
    var count: Int { kept.withLockedValue { $0.count } }

    /// Renders the navigation of `layout` (which ``html(_:)`` did not hold) and keeps it.
    func render(_ layout: LayoutContext, on req: Request) async throws -> String {
        let html = try await req.renderFragment("layout-nav", NavLinks(nav: layout.nav))
        kept.withLockedValue { kept in
            if kept.count < 1_000 { kept[layout.navKey] = html }
        }
        return html
    }

    struct NavLinks: LeafValues {
        let nav: [LayoutContext.NavItem]
        var leafData: LeafData { leafFields(["nav": nav.leafArray]) }
    }
}

extension Application {
    private struct NavFragmentsKey: StorageKey {
        typealias Value = NavFragments
    }

    /// Set by `configure`; nil: every page renders its navigation.
    var navFragments: NavFragments? {
        get { storage[NavFragmentsKey.self] }
        set { storage[NavFragmentsKey.self] = newValue }
    }
}
