import Foundation

/// One message, as every channel renders it.
public struct OutgoingMessage: Sendable, Equatable, Codable {
    public var title: String
    public var body: String
    /// An absolute link into Upward, when there is one.
    public var link: String?

    public init(title: String, body: String, link: String? = nil) {
        self.title = title
        self.body = body
        self.link = link
    }
}

/// Chat webhook bodies.
public enum ChatPayload {
    /// A Slack incoming webhook body: fallback text plus Block Kit sections.
    public static func slack(_ message: OutgoingMessage) -> [String: Any] {
        var text = "*\(slackEscape(message.title))*\n\(slackEscape(message.body))"
        if let link = message.link { text += "\n<\(link)|Open in Upward>" }
        return [
            "text": "\(message.title): \(message.body)",
            "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": text]]],
        ]
    }

    /// A Microsoft Teams Workflows webhook body: a message with one Adaptive Card attachment.
    public static func teams(_ message: OutgoingMessage) -> [String: Any] {
        var card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": [
                ["type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium", "wrap": true],
                ["type": "TextBlock", "text": message.body, "wrap": true],
            ],
        ]
        if let link = message.link { card["actions"] = [["type": "Action.OpenUrl", "title": "Open in Upward", "url": link]] }
        return [
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": NSNull(), "content": card]],
        ]
    }

    static func slackEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}

/// An RFC 5322 email: headers (non-ASCII encoded as RFC 2047), a UTF-8 quoted-printable body,
/// CRLF line ends, and SMTP dot-stuffing applied by ``smtpData``.
public struct EmailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var date: Date
    public var messageID: String

    public init(from: String, to: String, subject: String, body: String, date: Date, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID
    }

    public init(from: String, to: String, message: OutgoingMessage, date: Date, messageID: String) {
        var body = message.body
        if let link = message.link { body += "\n\n\(link)" }
        body += "\n\n-- \nUpward · change what you receive on your account page."
        self.init(from: from, to: to, subject: message.title, body: body, date: date, messageID: messageID)
    }

    /// Whether an address is safe to put in a header and an SMTP command.
    public static func isSafeAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && address.utf8.count <= 254
            && address.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0 != "<" && $0 != ">" && $0 != "," && $0 != ";" && $0 != "\"" }
    }

    /// The message as sent after DATA: CRLF lines, leading dots doubled, without the final `.`.
    public func smtpData() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let headers = [
            "From: \(from)", "To: \(to)", "Subject: \(Self.encodeHeader(subject))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable",
        ]
        let lines = headers + [""] + Self.quotedPrintable(body)
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 2047 `=?utf-8?B?…?=` for a header with non-ASCII or control characters.
    static func encodeHeader(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 }) { return clean }
        return "=?utf-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    /// Quoted-printable lines of at most 76 characters.
    static func quotedPrintable(_ text: String) -> [String] {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var output: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded = ""
            var current = ""
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let piece: String
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !last) {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                if current.count + piece.count > 75 {
                    encoded += current + "=\r\n"
                    current = ""
                }
                current += piece
            }
            encoded += current
            output.append(contentsOf: encoded.components(separatedBy: "\r\n"))
        }
        return output
    }
}
