import UpwardCore
import Vapor

/// Who may use a route.
enum Access: Sendable, Hashable {
    /// Anyone, signed in or not: sign-in and health.
    case anyone
    /// Anyone signed in.
    case signedIn
    /// Program managers only; participants get 403.
    case programManager
}

/// One route of the site: method, path pattern and who may use it. Routes are registered from
/// these values and links are built from them, so each path is written once.
struct SiteRoute: Sendable, CustomStringConvertible {
    /// How the route's body is read.
    enum Body: Sendable, Hashable {
        /// Vapor's small default limit (16 KB): forms.
        case form
        /// The configured upload limit (`UPWARD_UPLOAD_MAX_MB`).
        case upload
    }

    let method: HTTPMethod
    /// Path components; `:name` is a parameter.
    let components: [String]
    let access: Access
    var body: Body = .form

    init(_ method: HTTPMethod, _ path: String, _ access: Access, body: Body = .form) {
        self.method = method
        self.components = path.split(separator: "/").map(String.init)
        self.access = access
        self.body = body
    }

    /// The path pattern, `/admin/people/:personID`.
    var pattern: String { "/" + components.joined(separator: "/") }
    var description: String { "\(method) \(pattern)" }

    /// A letter, digit, `-`, `.`, `_` or `~`: a byte a path segment carries as it is (RFC 3986).
    private static func unreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }

    /// The path with its parameters filled in, in order.
    func path(_ values: String...) -> String {
        var remaining = values[...]
        return "/"
            + components.map { component in
                guard component.hasPrefix(":"), let value = remaining.popFirst() else { return component }
                // Ids and tokens need no escaping; Foundation's percent encoding cost 2% of the people list page.
                if value.utf8.allSatisfy({ Self.unreserved($0) }) { return value }
                return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? value
            }.joined(separator: "/")
    }

    static let home = SiteRoute(.GET, "/", .signedIn)
    static let loginForm = SiteRoute(.GET, "/login", .anyone)
    static let login = SiteRoute(.POST, "/login", .anyone)
    static let logout = SiteRoute(.POST, "/logout", .anyone)
    static let health = SiteRoute(.GET, "/health", .anyone)
    /// Behind its own bearer token (`UPWARD_METRICS_TOKEN`), not a session.
    static let metrics = SiteRoute(.GET, "/metrics", .anyone)
    static let people = SiteRoute(.GET, "/admin/people", .programManager)
    static let peopleImportForm = SiteRoute(.GET, "/admin/people/import", .programManager)
    static let peopleImport = SiteRoute(.POST, "/admin/people/import", .programManager, body: .upload)
    static let person = SiteRoute(.GET, "/admin/people/:personID", .programManager)
    static let personExport = SiteRoute(.GET, "/admin/people/:personID/export", .programManager)

    // Programs
    static let programs = SiteRoute(.GET, "/programs", .signedIn)
    static let programNew = SiteRoute(.GET, "/programs/new", .programManager)
    static let programCreate = SiteRoute(.POST, "/programs", .programManager)
    static let program = SiteRoute(.GET, "/programs/:programID", .signedIn)
    static let programEdit = SiteRoute(.GET, "/programs/:programID/edit", .programManager)
    static let programUpdate = SiteRoute(.POST, "/programs/:programID/edit", .programManager)
    static let programTransition = SiteRoute(.POST, "/programs/:programID/transition", .programManager)
    static let programClone = SiteRoute(.POST, "/programs/:programID/clone", .programManager)
    static let programManagers = SiteRoute(.POST, "/programs/:programID/managers", .programManager)
    static let programManagerRemove = SiteRoute(.POST, "/programs/:programID/managers/:userID/remove", .programManager)
    static let invitations = SiteRoute(.GET, "/programs/:programID/invitations", .programManager)
    static let invite = SiteRoute(.POST, "/programs/:programID/invitations", .programManager)
    static let reissue = SiteRoute(.POST, "/programs/:programID/invitations/:participantID/reissue", .programManager)
    static let trainingAdd = SiteRoute(.POST, "/programs/:programID/training", .programManager)
    static let matching = SiteRoute(.GET, "/programs/:programID/matching", .programManager)
    static let matchingRun = SiteRoute(.POST, "/programs/:programID/matching/run", .programManager)
    static let matchingAssign = SiteRoute(.POST, "/programs/:programID/matching/assign", .programManager)
    static let matchingSwap = SiteRoute(.POST, "/programs/:programID/matching/swap", .programManager)
    static let matchingLock = SiteRoute(.POST, "/programs/:programID/pairs/:pairID/lock", .programManager)
    static let matchingApprove = SiteRoute(.POST, "/programs/:programID/matching/approve", .programManager)
    static let programAudit = SiteRoute(.GET, "/programs/:programID/audit", .programManager)
    static let audit = SiteRoute(.GET, "/audit", .programManager)
    // Participants
    static let invitation = SiteRoute(.GET, "/invitations/:token", .anyone)
    static let invitationAccept = SiteRoute(.POST, "/invitations/:token", .anyone)
    static let enrollForm = SiteRoute(.GET, "/programs/:programID/enroll", .signedIn)
    static let enroll = SiteRoute(.POST, "/programs/:programID/enroll", .signedIn)
    static let trainingModule = SiteRoute(.GET, "/programs/:programID/training/:moduleID", .signedIn)
    static let trainingComplete = SiteRoute(.POST, "/programs/:programID/training/:moduleID/complete", .signedIn)
    static let agreement = SiteRoute(.POST, "/programs/:programID/agreement", .signedIn)
    static let requestMentor = SiteRoute(.POST, "/programs/:programID/requests", .signedIn)
    static let answerRequest = SiteRoute(.POST, "/requests/:requestID/answer", .signedIn)
    static let pair = SiteRoute(.GET, "/pairs/:pairID", .signedIn)
    static let pairDecline = SiteRoute(.POST, "/pairs/:pairID/decline", .signedIn)
    static let notifications = SiteRoute(.GET, "/notifications", .signedIn)
    // Pairs at work
    static let goalCreate = SiteRoute(.POST, "/pairs/:pairID/goals", .signedIn)
    static let goalUpdate = SiteRoute(.POST, "/pairs/:pairID/goals/:goalID", .signedIn)
    static let meetingCreate = SiteRoute(.POST, "/pairs/:pairID/meetings", .signedIn)
    static let meetingUpdate = SiteRoute(.POST, "/pairs/:pairID/meetings/:meetingID", .signedIn)
    static let meetingCancel = SiteRoute(.POST, "/pairs/:pairID/meetings/:meetingID/cancel", .signedIn)
    static let meetingLog = SiteRoute(.POST, "/pairs/:pairID/meetings/:meetingID/log", .signedIn)
    static let meetingICS = SiteRoute(.GET, "/meetings/:meetingFile", .signedIn)
    static let noteCreate = SiteRoute(.POST, "/pairs/:pairID/notes", .signedIn)
    static let noteDelete = SiteRoute(.POST, "/pairs/:pairID/notes/:noteID/delete", .signedIn)
    static let concernRaise = SiteRoute(.POST, "/pairs/:pairID/concerns", .signedIn)
    static let pairPause = SiteRoute(.POST, "/pairs/:pairID/pause", .signedIn)
    static let pairResume = SiteRoute(.POST, "/pairs/:pairID/resume", .signedIn)
    static let pairEnd = SiteRoute(.POST, "/pairs/:pairID/end", .signedIn)
    static let calendarFeed = SiteRoute(.GET, "/calendar/:feedFile", .anyone)
    static let calendarRegenerate = SiteRoute(.POST, "/account/calendar", .signedIn)
    static let calendarRevoke = SiteRoute(.POST, "/account/calendar/revoke", .signedIn)
    static let deliverySettings = SiteRoute(.POST, "/account/delivery", .signedIn)
    static let concerns = SiteRoute(.GET, "/concerns", .programManager)
    static let concern = SiteRoute(.GET, "/concerns/:concernID", .programManager)
    static let concernHandle = SiteRoute(.POST, "/concerns/:concernID", .programManager)
    static let circleSchedule = SiteRoute(.POST, "/programs/:programID/circles", .programManager)
    static let deliveries = SiteRoute(.GET, "/deliveries", .programManager)
    // Measurement
    static let surveyCreate = SiteRoute(.POST, "/programs/:programID/surveys", .programManager)
    static let survey = SiteRoute(.GET, "/surveys/:surveyID", .signedIn)
    static let surveyAnswer = SiteRoute(.POST, "/surveys/:surveyID", .signedIn)
    static let surveyResults = SiteRoute(.GET, "/surveys/:surveyID/results", .programManager)
    static let dashboard = SiteRoute(.GET, "/programs/:programID/outcomes", .programManager)
    static let ideaCreate = SiteRoute(.POST, "/pairs/:pairID/ideas", .signedIn)
    static let ideas = SiteRoute(.GET, "/programs/:programID/ideas", .programManager)
    static let ideaStatus = SiteRoute(.POST, "/programs/:programID/ideas/:ideaID", .programManager)
    static let storyCreate = SiteRoute(.POST, "/pairs/:pairID/stories", .signedIn)
    static let storyUpdate = SiteRoute(.POST, "/pairs/:pairID/stories/:storyID", .signedIn)
    static let storyConsent = SiteRoute(.POST, "/pairs/:pairID/stories/:storyID/consent", .signedIn)
    static let stories = SiteRoute(.GET, "/programs/:programID/stories", .signedIn)
    static let certificate = SiteRoute(.GET, "/programs/:programID/certificates/:participantID", .signedIn)
    static let account = SiteRoute(.GET, "/account", .signedIn)
    static let tokenCreate = SiteRoute(.POST, "/account/tokens", .signedIn)
    static let tokenRevoke = SiteRoute(.POST, "/account/tokens/:tokenID/revoke", .signedIn)

    /// Every route of the site; the access tests check that exactly these are registered.
    static let all: [SiteRoute] = [
        home, loginForm, login, logout, health, metrics, people, peopleImportForm, peopleImport, person, personExport,
        programs, programNew, programCreate, program, programEdit, programUpdate, programTransition, programClone, programManagers, programManagerRemove,
        invitations, invite, reissue, trainingAdd, matching, matchingRun, matchingAssign, matchingSwap, matchingLock, matchingApprove,
        programAudit, audit, invitation, invitationAccept, enrollForm, enroll, trainingModule, trainingComplete, agreement, requestMentor,
        answerRequest, pair, pairDecline, notifications, account, tokenCreate, tokenRevoke,
        goalCreate, goalUpdate, meetingCreate, meetingUpdate, meetingCancel, meetingLog, meetingICS, noteCreate, noteDelete, concernRaise,
        pairPause, pairResume, pairEnd, calendarFeed, calendarRegenerate, calendarRevoke, deliverySettings, concerns, concern, concernHandle,
        circleSchedule, deliveries, surveyCreate, survey, surveyAnswer, surveyResults, dashboard,
        ideaCreate, ideas, ideaStatus, storyCreate, storyUpdate, storyConsent, stories, certificate,
    ]

    /// Paths anyone may reach without signing in.
    static var publicPatterns: Set<String> { Set(all.filter { $0.access == .anyone }.map(\.pattern)) }
}

/// Links used by pages, built from the routes.
enum SitePath {
    static let home = SiteRoute.home.path()
    static let login = SiteRoute.login.path()
    static let logout = SiteRoute.logout.path()
    static let people = SiteRoute.people.path()
    static let peopleImport = SiteRoute.peopleImport.path()
    static func person(_ id: UUID) -> String { SiteRoute.person.path(id.text) }
    static let programs = "/programs"
    static let account = "/account"
    static let notifications = "/notifications"
    static let audit = "/audit"
    static func program(_ id: UUID) -> String { "/programs/\(id.text)" }
    static func program(_ id: UUID, _ tail: String) -> String { "/programs/\(id.text)/\(tail)" }
    static func pair(_ id: UUID) -> String { "/pairs/\(id.text)" }
    static func invitation(_ token: String) -> String { "/invitations/\(token)" }
    static let concerns = "/concerns"
    static func meetingICS(_ id: UUID) -> String { "/meetings/\(id.text).ics" }
    static let stylesheet = "/css/upward.css"
    /// Static files: cacheable, the same for everyone.
    static let staticPrefixes = ["/css/", "/js/", "/img/"]

    /// A `next` target after sign-in: only a path on this site, never another host.
    /// Browsers drop tabs and line breaks from URLs and read `\` as `/`, so `/\t/evil.example`
    /// would become `//evil.example`: any control character, backslash or space refuses the target.
    static func safeRedirect(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), candidate.count <= 2000,
            !candidate.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\\" || $0 == " " }),
            !candidate.hasPrefix(login)
        else { return home }
        return candidate
    }
}

/// Registers routes into the group that enforces their access.
struct SiteRouter {
    let anyone: any RoutesBuilder
    let signedIn: any RoutesBuilder
    let programManager: any RoutesBuilder
    let uploadLimit: ByteCount
    static let bodyLimitKey = "upward.bodyLimit"

    func on<Response: AsyncResponseEncodable>(
        _ route: SiteRoute, use handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        let body: HTTPBodyStreamStrategy
        var limit: Int?
        switch route.body {
        case .form: body = .collect
        case .upload:
            body = .collect(maxSize: uploadLimit)
            limit = uploadLimit.value
        }
        let group: any RoutesBuilder
        switch route.access {
        case .anyone: group = anyone
        case .signedIn: group = signedIn
        case .programManager: group = programManager
        }
        let registered = group.on(route.method, route.components.map { PathComponent(stringLiteral: $0) }, body: body, use: handler)
        // Middleware that must read the body (CSRF) reads it up to this limit, not more.
        if let limit { registered.userInfo[SiteRouter.bodyLimitKey] = limit }
    }
}

/// A controller registers its routes through the site router.
protocol SiteController {
    func register(on router: SiteRouter)
}
