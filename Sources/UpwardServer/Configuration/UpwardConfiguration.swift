import Foundation
import UpwardCore

/// Every setting Upward reads from its environment, read in one place.
///
/// Defaults work out of the box (SQLite in `./upward.sqlite`); a bad value stops
/// start-up with a message listing every variable that is wrong.
public struct UpwardConfiguration: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteMemory
        case postgres(url: String)
    }

    public var storage: Storage
    /// bcrypt cost factor: 12 by default, at least 10 from the environment; tests use 4 for speed.
    public var bcryptCost: Int
    /// How long a login lasts before the user must sign in again.
    public var sessionLifetime: TimeInterval
    /// Failed logins allowed per account within `loginWindow` before it is locked for the rest of the window.
    public var maxFailuresPerAccount: Int
    /// Failed logins allowed per client address within `loginWindow`.
    public var maxFailuresPerAddress: Int
    public var loginWindow: TimeInterval
    /// Whether to believe `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    public var trustProxy: Bool
    /// The largest file the people upload accepts; every other request keeps Vapor's 16 KB limit.
    public var uploadLimitBytes: Int = 25 * 1024 * 1024
    /// How often `serve` removes expired sessions and old sign-in attempts.
    public var housekeepingInterval: TimeInterval = 10 * 60
    /// How long an invitation link works (`UPWARD_INVITATION_DAYS`, default 14).
    public var invitationLifetime: TimeInterval = 14 * 86_400
    /// The address people reach Upward at, for links to copy (`UPWARD_PUBLIC_URL`).
    public var publicURL = "http://localhost:8080"
    /// Base64 of the 32-byte AES-GCM key that seals private notes (`UPWARD_NOTE_KEY`); `serve`
    /// refuses to start in production without it, the demo keeps its own next to its database.
    public var noteKey: String?
    /// Email delivery (`UPWARD_SMTP_URL`); nil means email is off.
    public var smtp: SMTPSettings?
    /// Hosts personal chat webhooks may point at (`UPWARD_CHAT_WEBHOOK_HOSTS`); `*.` matches subdomains.
    public var chatWebhookHosts = ["hooks.slack.com", "*.logic.azure.com", "*.environment.api.powerplatform.com"]
    /// Whether this instance runs the delivery worker (`UPWARD_DELIVERY_WORKER`).
    public var deliveryWorker = true
    /// How often the worker looks for due messages (`UPWARD_DELIVERY_SECONDS`).
    public var deliveryInterval: TimeInterval = 15
    /// How long before a meeting its reminder goes out (`UPWARD_REMINDER_HOURS`).
    public var reminderLead: TimeInterval = 24 * 3600
    /// Days between pairing-fit pulses after day 30 (`UPWARD_PULSE_DAYS`).
    public var pulseEveryDays = 60
    /// API requests per second per token and per client address (`UPWARD_API_RATE_TOKEN`,
    /// `UPWARD_API_RATE_ADDRESS`; bursts of twice that; 0 turns a limit off).
    public var apiRatePerToken: Double = 100
    public var apiRatePerAddress: Double = 300
    /// Respondents a figure needs, and a comment list (`UPWARD_ANONYMITY_MIN`, `UPWARD_ANONYMITY_COMMENTS_MIN`):
    /// 5 and 10 at least, raised only.
    public var anonymity = AnonymityRule()
    /// The bearer token `GET /metrics` requires (`UPWARD_METRICS_TOKEN`); unset, there is no /metrics.
    public var metricsToken: String?
    /// PostgreSQL connections per event loop (`UPWARD_PG_CONNECTIONS_PER_LOOP`, default 4, so 8 on 2 cores).
    public var postgresConnectionsPerLoop = 4
    /// Whether PostgreSQL reads run as prepared statements (`UPWARD_PG_PREPARED_READS`, default true;
    /// false behind a pooler that does not keep them, such as PgBouncer in transaction mode before 1.21).
    public var postgresPreparedReads = true
    /// The longest Upward waits for one PostgreSQL statement before answering 503 (`UPWARD_STATEMENT_TIMEOUT_SECONDS`).
    public var statementTimeoutSeconds = 20
    /// This instance's name in claimed deliveries (`UPWARD_INSTANCE`).
    public var instanceName = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    /// An SMTP server: `smtp://user:password@host:587` (STARTTLS), `smtps://…:465` (TLS from the
    /// start) or `smtp://host:25?tls=none` (plain, for a local relay).
    public struct SMTPSettings: Sendable, Equatable {
        public enum Security: String, Sendable { case startTLS = "starttls", tls, none }
        public var host: String
        public var port: Int
        public var security: Security
        public var username: String?
        public var password: String?
        public var from: String
        /// Extra trusted certificates (PEM), for a private CA.
        public var caFile: String?

        public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, from: String, caFile: String? = nil) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.from = from
            self.caFile = caFile
        }

        static func parse(_ url: String, from: String?, caFile: String?) -> Result<SMTPSettings, String> {
            guard let parts = URLComponents(string: url), let scheme = parts.scheme, ["smtp", "smtps"].contains(scheme),
                let host = parts.host, !host.isEmpty
            else { return .failure("UPWARD_SMTP_URL must look like smtp://user:password@mail.example.com:587") }
            var security: Security = scheme == "smtps" ? .tls : .startTLS
            if let raw = parts.queryItems?.first(where: { $0.name == "tls" })?.value {
                guard let chosen = Security(rawValue: raw) else { return .failure("UPWARD_SMTP_URL's tls= must be starttls, tls or none") }
                security = chosen
            }
            let port = parts.port ?? (security == .tls ? 465 : 587)
            guard (1...65535).contains(port) else { return .failure("UPWARD_SMTP_URL's port must be from 1 to 65535") }
            let sender = from ?? "upward@\(host)"
            guard EmailMessage.isSafeAddress(sender) else { return .failure("UPWARD_SMTP_FROM must be a plain address such as upward@example.com") }
            return .success(
                SMTPSettings(
                    host: host, port: port, security: security, username: parts.user?.removingPercentEncoding,
                    password: parts.password?.removingPercentEncoding, from: sender, caFile: caFile))
        }
    }

    public init(
        storage: Storage = .sqliteFile(path: "upward.sqlite"), bcryptCost: Int = 12,
        sessionLifetime: TimeInterval = 12 * 3600, maxFailuresPerAccount: Int = 5,
        maxFailuresPerAddress: Int = 20, loginWindow: TimeInterval = 15 * 60, trustProxy: Bool = false
    ) {
        self.storage = storage
        self.bcryptCost = bcryptCost
        self.sessionLifetime = sessionLifetime
        self.maxFailuresPerAccount = maxFailuresPerAccount
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.loginWindow = loginWindow
        self.trustProxy = trustProxy
    }

    /// The environment variables Upward reads, with their defaults, for `--help` and the README.
    public static let variables: [(name: String, defaultValue: String, meaning: String)] = [
        ("DATABASE_URL", "(unset)", "PostgreSQL URL, e.g. postgres://user:pass@host:5432/upward; when set, SQLite is not used"),
        ("UPWARD_DATABASE_PATH", "upward.sqlite", "SQLite database file used when DATABASE_URL is unset"),
        ("UPWARD_BCRYPT_COST", "12", "bcrypt cost factor for password hashes (10-31)"),
        ("UPWARD_SESSION_HOURS", "12", "hours a login lasts"),
        ("UPWARD_LOGIN_MAX_FAILURES_ACCOUNT", "5", "failed logins per account within the window before it is locked"),
        ("UPWARD_LOGIN_MAX_FAILURES_ADDRESS", "20", "failed logins per client address within the window"),
        ("UPWARD_LOGIN_WINDOW_MINUTES", "15", "length of the failed-login window"),
        ("UPWARD_PG_PREPARED_READS", "true", "PostgreSQL: plan each read once per connection (false behind PgBouncer in transaction mode)"),
        ("UPWARD_TRUST_PROXY", "false", "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy"),
        ("UPWARD_UPLOAD_MAX_MB", "25", "largest people file the upload page accepts, in MB (1-500)"),
        ("UPWARD_HOUSEKEEPING_MINUTES", "10", "how often expired sessions and old sign-in attempts are removed"),
        ("UPWARD_NOTE_KEY", "(unset)", "base64 of 32 random bytes sealing private notes (openssl rand -base64 32); required by serve in production"),
        ("UPWARD_SMTP_URL", "(unset)", "email delivery: smtp://user:pass@host:587 (STARTTLS), smtps://host:465, or smtp://host:25?tls=none"),
        ("UPWARD_SMTP_FROM", "upward@<smtp host>", "sender address of Upward's email"),
        ("UPWARD_SMTP_CA_FILE", "(unset)", "PEM file of extra certificates to trust for the SMTP server"),
        ("UPWARD_CHAT_WEBHOOK_HOSTS", "hooks.slack.com,*.logic.azure.com,*.environment.api.powerplatform.com", "hosts personal Slack/Teams webhooks may use"),
        ("UPWARD_DELIVERY_WORKER", "true", "whether this instance delivers email and chat messages"),
        ("UPWARD_DELIVERY_SECONDS", "15", "how often the delivery worker looks for due messages"),
        ("UPWARD_REMINDER_HOURS", "24", "how long before a meeting its reminder is sent"),
        ("UPWARD_INSTANCE", "<host>-<pid>", "this instance's name in the delivery log"),
        ("UPWARD_PULSE_DAYS", "60", "days between pairing-fit pulses after the first meeting and day 30"),
        ("UPWARD_ANONYMITY_MIN", "5", "respondents a survey figure needs before it is shown (5 or more)"),
        ("UPWARD_ANONYMITY_COMMENTS_MIN", "10", "respondents a list of free-text comments needs (10 or more, at least the figure minimum)"),
        ("UPWARD_API_RATE_TOKEN", "100", "API requests per second per token (bursts of twice that; 0 = no limit); 429 with Retry-After beyond"),
        ("UPWARD_API_RATE_ADDRESS", "300", "API requests per second per client address (bursts of twice that; 0 = no limit)"),
        ("UPWARD_METRICS_TOKEN", "(unset)", "bearer token for GET /metrics (Prometheus text format); unset, /metrics answers 404"),
        ("UPWARD_ADMIN_PASSWORD", "(unset)", "password for `upward admin create` when not prompting"),
        ("LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
    ]

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "Upward cannot start, the configuration is invalid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads the configuration from environment variables, reporting every bad value at once.
    public static func from(environment env: [String: String]) throws(Invalid) -> UpwardConfiguration {
        var problems: [String] = []
        var config = UpwardConfiguration()

        func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) -> Int {
            guard let raw = env[name], !raw.isEmpty else { return value }
            guard let parsed = Int(raw), range.contains(parsed) else {
                problems.append("\(name)=\(raw) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return value
            }
            return parsed
        }
        func boolean(_ name: String, default value: Bool) -> Bool {
            guard let raw = env[name], !raw.isEmpty else { return value }
            switch raw.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                problems.append("\(name)=\(raw) must be true or false")
                return value
            }
        }

        if let url = env["DATABASE_URL"], !url.isEmpty {
            if let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
                components.host?.isEmpty == false
            {
                config.storage = .postgres(url: url)
            } else {
                problems.append("DATABASE_URL must be a postgres:// URL with a host, e.g. postgres://upward:secret@127.0.0.1:5432/upward")
            }
        } else if let path = env["UPWARD_DATABASE_PATH"], !path.isEmpty {
            config.storage = path == ":memory:" ? .sqliteMemory : .sqliteFile(path: path)
        }
        // Below 10, bcrypt is cheap to brute-force; only tests (which build the configuration
        // directly) use a lower cost.
        config.bcryptCost = integer("UPWARD_BCRYPT_COST", default: 12, in: 10...31)
        config.postgresConnectionsPerLoop = integer("UPWARD_PG_CONNECTIONS_PER_LOOP", default: 4, in: 1...64)
        config.postgresPreparedReads = boolean("UPWARD_PG_PREPARED_READS", default: true)
        config.statementTimeoutSeconds = integer("UPWARD_STATEMENT_TIMEOUT_SECONDS", default: 20, in: 1...3600)
        config.uploadLimitBytes = integer("UPWARD_UPLOAD_MAX_MB", default: 25, in: 1...500) * 1024 * 1024
        config.housekeepingInterval = TimeInterval(integer("UPWARD_HOUSEKEEPING_MINUTES", default: 10, in: 1...1440)) * 60
        // Seconds, for tests of scheduling across instances; takes precedence over the minutes.
        if env["UPWARD_HOUSEKEEPING_SECONDS"] != nil {
            config.housekeepingInterval = TimeInterval(integer("UPWARD_HOUSEKEEPING_SECONDS", default: 600, in: 1...86_400))
        }
        config.invitationLifetime = TimeInterval(integer("UPWARD_INVITATION_DAYS", default: 14, in: 1...365)) * 86_400
        if let url = env["UPWARD_PUBLIC_URL"], !url.isEmpty {
            if (url.hasPrefix("http://") || url.hasPrefix("https://")) && URL(string: url)?.host != nil {
                config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            } else {
                problems.append("UPWARD_PUBLIC_URL must be an http(s) address such as https://upward.example.com, not \"\(url)\"")
            }
        }
        if let key = env["UPWARD_NOTE_KEY"], !key.isEmpty {
            do throws(NoteSealer.KeyProblem) {
                _ = try NoteSealer(base64: key)
                config.noteKey = key
            } catch {
                problems.append("UPWARD_NOTE_KEY: \(error.description)")
            }
        }
        if let url = env["UPWARD_SMTP_URL"], !url.isEmpty {
            switch SMTPSettings.parse(url, from: env["UPWARD_SMTP_FROM"].flatMap { $0.isEmpty ? nil : $0 }, caFile: env["UPWARD_SMTP_CA_FILE"]) {
            case .success(let settings): config.smtp = settings
            case .failure(let problem): problems.append(problem)
            }
        }
        if let raw = env["UPWARD_CHAT_WEBHOOK_HOSTS"] {
            config.chatWebhookHosts = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }
        config.deliveryWorker = boolean("UPWARD_DELIVERY_WORKER", default: true)
        config.deliveryInterval = TimeInterval(integer("UPWARD_DELIVERY_SECONDS", default: 15, in: 1...3600))
        config.reminderLead = TimeInterval(integer("UPWARD_REMINDER_HOURS", default: 24, in: 1...336)) * 3600
        config.pulseEveryDays = integer("UPWARD_PULSE_DAYS", default: 60, in: 7...365)
        if let name = env["UPWARD_INSTANCE"], !name.isEmpty { config.instanceName = String(name.prefix(100)) }
        if env["UPWARD_ANONYMITY_MIN"] != nil || env["UPWARD_ANONYMITY_COMMENTS_MIN"] != nil {
            // Raised only: a lower value is refused by name, never silently raised.
            let figures = integer("UPWARD_ANONYMITY_MIN", default: 5, in: 5...1000)
            let comments = integer("UPWARD_ANONYMITY_COMMENTS_MIN", default: max(10, figures), in: 10...1000)
            if comments < figures { problems.append("UPWARD_ANONYMITY_COMMENTS_MIN=\(comments) must be at least UPWARD_ANONYMITY_MIN=\(figures)") }
            config.anonymity = AnonymityRule(minimum: figures, minimumForComments: comments)
        }
        config.apiRatePerToken = Double(integer("UPWARD_API_RATE_TOKEN", default: 100, in: 0...1_000_000))
        config.apiRatePerAddress = Double(integer("UPWARD_API_RATE_ADDRESS", default: 300, in: 0...1_000_000))
        if let token = env["UPWARD_METRICS_TOKEN"], !token.isEmpty {
            if token.count < 16 { problems.append("UPWARD_METRICS_TOKEN must be at least 16 characters (try openssl rand -hex 24)") }
            config.metricsToken = token
        }
        config.sessionLifetime = TimeInterval(integer("UPWARD_SESSION_HOURS", default: 12, in: 1...720)) * 3600
        config.maxFailuresPerAccount = integer("UPWARD_LOGIN_MAX_FAILURES_ACCOUNT", default: 5, in: 1...1000)
        config.maxFailuresPerAddress = integer("UPWARD_LOGIN_MAX_FAILURES_ADDRESS", default: 20, in: 1...100_000)
        config.loginWindow = TimeInterval(integer("UPWARD_LOGIN_WINDOW_MINUTES", default: 15, in: 1...1440)) * 60
        config.trustProxy = boolean("UPWARD_TRUST_PROXY", default: false)
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return config
    }
}
