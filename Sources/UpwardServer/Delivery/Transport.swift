import Foundation
import NIOCore
import UpwardCore
import Vapor

/// Why a send failed. `delivered == false` means the message certainly did not arrive (refused
/// connection, an error reply before the message was accepted, an HTTP error status), so it may
/// be tried again; otherwise it might have arrived and is never sent again.
public struct DeliveryFailure: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public let certainlyNotDelivered: Bool
    public init(_ reason: String, certainlyNotDelivered: Bool) {
        self.reason = reason
        self.certainlyNotDelivered = certainlyNotDelivered
    }
    public var description: String { reason }
}

/// Sends one message on one channel. The real one speaks SMTP and HTTP; tests use a fake.
public protocol MessageTransport: Sendable {
    /// Which channels this transport can use at all.
    var channels: Set<DeliveryChannel> { get }
    func send(channel: DeliveryChannel, address: String, message: OutgoingMessage, messageID: String) async throws
}

/// Email over SMTP and chat over webhooks.
struct NetworkTransport: MessageTransport {
    let smtp: UpwardConfiguration.SMTPSettings?
    let client: any Client
    let group: any EventLoopGroup

    var channels: Set<DeliveryChannel> { smtp == nil ? [.slack, .teams] : [.email, .slack, .teams] }

    func send(channel: DeliveryChannel, address: String, message: OutgoingMessage, messageID: String) async throws {
        switch channel {
        case .email:
            guard let smtp else { throw DeliveryFailure("email is not configured on this instance", certainlyNotDelivered: true) }
            let email = EmailMessage(from: smtp.from, to: address, message: message, date: Date(), messageID: messageID)
            try await SMTPClient(settings: smtp, group: group).send(email)
        case .slack, .teams:
            let body = ChatPayload.json(channel == .slack ? ChatPayload.slack(message) : ChatPayload.teams(message))
            let response: ClientResponse
            do {
                response = try await client.post(URI(string: address), headers: ["Content-Type": "application/json"]) { request in
                    request.body = ByteBuffer(data: body)
                    request.timeout = .seconds(20)
                }
            } catch {
                throw DeliveryFailure("webhook: \(String(describing: error).prefix(200))", certainlyNotDelivered: Self.neverConnected(error))
            }
            guard (200..<300).contains(response.status.code) else {
                throw DeliveryFailure("webhook answered \(response.status.code)", certainlyNotDelivered: true)
            }
        }
    }
}

extension NetworkTransport {
    /// Whether an HTTP error happened before any byte of the request could reach the receiver
    /// (no connection: refused, unreachable, name not found, connect timeout). Anything later — a
    /// closed connection, a read timeout — may have delivered the message, so it is not retried.
    static func neverConnected(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        let markers = [
            "connectTimeout", "Connection refused", "NIOConnectionError", "connectionRefused", "No such host", "Host is unreachable", "Network is unreachable",
            "NXDOMAIN", "resolution",
        ]
        return markers.contains { text.localizedCaseInsensitiveContains($0) }
    }
}

/// Whether a personal webhook address is allowed: https on an allowed host (`*.` for subdomains);
/// plain http only for a host listed exactly (a local receiver in tests).
enum WebhookAddress {
    static func check(_ raw: String, field: String, hosts: [String]) -> FieldIssue? {
        guard raw.count <= 2000, let url = URLComponents(string: raw), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty,
            url.user == nil, url.password == nil
        else { return FieldIssue(field, "must be a webhook address such as https://hooks.slack.com/services/…") }
        let exact = hosts.contains(host)
        let wildcard = hosts.contains { $0.hasPrefix("*.") && host.hasSuffix(String($0.dropFirst(1))) }
        guard exact || wildcard else { return FieldIssue(field, "must point at one of the allowed hosts: \(hosts.joined(separator: ", "))") }
        guard scheme == "https" || (scheme == "http" && exact) else { return FieldIssue(field, "must use https") }
        return nil
    }
}
