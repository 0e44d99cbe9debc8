import Foundation
import NIOCore
import Testing
import VaporTesting

@testable import UpwardServer

/// A tiny browser for tests: keeps the session cookie and the page's CSRF token between requests.
final class Browser {
    let app: Application
    /// Every cookie the server set and did not expire, by name.
    var cookies: [String: String] = [:]
    var csrf: String?

    /// The session cookie.
    var cookie: String? {
        get { cookies[SessionCookie.name] }
        set { cookies[SessionCookie.name] = newValue }
    }
    var headers: HTTPHeaders = [:]
    /// In memory by default; `.running` sends real HTTP over a socket (body limits, socket addresses).
    var method: Application.Method = .inMemory

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String, accept: String = "text/html") async throws -> TestingHTTPResponse {
        try await send(.GET, path, accept: accept)
    }

    /// Posts a form; the page's CSRF token is added unless `csrf: false`.
    @discardableResult
    func post(_ path: String, form: [String: String] = [:], csrf withToken: Bool = true) async throws -> TestingHTTPResponse {
        var fields = form
        if withToken, let csrf { fields["_csrf"] = csrf }
        let body = fields.sorted { $0.key < $1.key }
            .map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.POST, path, contentType: "application/x-www-form-urlencoded", body: ByteBuffer(string: body))
    }

    /// Posts a file as multipart form data, the way the upload page does.
    @discardableResult
    func upload(_ path: String, field: String = "file", filename: String = "people.csv", data: Data, csrf withToken: Bool = true) async throws
        -> TestingHTTPResponse
    {
        let boundary = "UpwardTestBoundary\(UUID().uuidString.prefix(8))"
        var body = ""
        if withToken, let csrf {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n"
        var buffer = ByteBuffer(string: body)
        buffer.writeBytes(data)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        return try await send(.POST, path, contentType: "multipart/form-data; boundary=\(boundary)", body: buffer)
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, accept: String = "text/html", contentType: String? = nil, body: ByteBuffer? = nil) async throws
        -> TestingHTTPResponse
    {
        var headers = self.headers
        headers.replaceOrAdd(name: .accept, value: accept)
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let contentType { headers.replaceOrAdd(name: .contentType, value: contentType) }
        let response = try await app.testing(method: self.method).sendRequest(method, path, headers: headers, body: body)
        for (name, set) in response.headers.setCookie?.all ?? [:] {
            cookies[name] = set.expires.map { $0 < Date() } == true || set.string.isEmpty ? nil : set.string
        }
        if let token = Self.csrfToken(in: response.body.string) { csrf = token }
        return response
    }

    /// Opens the sign-in page and signs in.
    @discardableResult
    func signIn(_ email: String, _ password: String) async throws -> TestingHTTPResponse {
        try await get("/login")
        return try await post("/login", form: ["email": email, "password": password])
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
}

/// Accounts for tests, created straight through the service.
enum TestAccounts {
    static let adminEmail = "pm@example.com"
    static let participantEmail = "junior@example.com"
    static let password = "correct horse battery"

    static func create(on app: Application) async throws {
        let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
        try await accounts.createUser(email: adminEmail, name: "Pat Manager", password: password, role: .admin)
        try await accounts.createUser(email: participantEmail, name: "Jo Junior", password: password, role: .participant)
    }
}
