import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import UpwardCore

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or TLS from the start, AUTH PLAIN
/// (or LOGIN), MAIL FROM, RCPT TO, DATA, QUIT. One message per connection.
struct SMTPClient {
    let settings: UpwardConfiguration.SMTPSettings
    let group: any EventLoopGroup
    var timeout: Duration = .seconds(60)

    struct Reply: Sendable {
        let code: Int
        let lines: [String]
        var text: String { lines.joined(separator: " ") }
    }

    func send(_ message: EmailMessage) async throws {
        guard EmailMessage.isSafeAddress(message.to) else {
            throw DeliveryFailure("not a deliverable address: \(message.to.prefix(80))", certainlyNotDelivered: true)
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            let conversation = Conversation()
            tasks.addTask { try await self.run(message, conversation) }
            tasks.addTask {
                try await Task.sleep(for: timeout)
                throw DeliveryFailure("the SMTP server did not finish within \(timeout)", certainlyNotDelivered: !conversation.dataSent)
            }
            defer { conversation.close() }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// Connection state shared with the timeout task.
    final class Conversation: @unchecked Sendable {
        private let lock = NSLock()
        private var _channel: (any Channel)?
        private var _dataSent = false
        var channel: (any Channel)? {
            get { lock.withLock { _channel } }
            set { lock.withLock { _channel = newValue } }
        }
        var dataSent: Bool {
            get { lock.withLock { _dataSent } }
            set { lock.withLock { _dataSent = newValue } }
        }
        func close() { channel?.close(promise: nil) }
    }

    /// The TLS settings for the server; each connection's handler is made from it on the
    /// connection's own event loop (a handler is not `Sendable`).
    private func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = settings.caFile, !file.isEmpty { configuration.additionalTrustRoots = [.file(file)] }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The name the server's certificate must carry: the host, unless it is an address.
    private var serverHostname: String? {
        settings.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : settings.host
    }

    private func run(_ message: EmailMessage, _ conversation: Conversation) async throws {
        let (replies, continuation) = AsyncThrowingStream.makeStream(of: Reply.self)
        let implicitTLS = settings.security == .tls ? try tlsContext() : nil
        let hostname = serverHostname
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group).connectTimeout(.seconds(15))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: implicitTLS, serverHostname: hostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(ReplyDecoder(continuation: continuation))
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw DeliveryFailure("cannot connect to \(settings.host):\(settings.port): \(error)", certainlyNotDelivered: true)
        }
        conversation.channel = channel
        var iterator = replies.makeAsyncIterator()

        func read(_ step: String, expect accepted: ClosedRange<Int>) async throws -> Reply {
            let reply: Reply?
            do { reply = try await iterator.next() } catch {
                throw DeliveryFailure("SMTP \(step): \(error)", certainlyNotDelivered: !conversation.dataSent)
            }
            guard let reply else { throw DeliveryFailure("SMTP server closed the connection at \(step)", certainlyNotDelivered: !conversation.dataSent) }
            guard accepted.contains(reply.code) else {
                // An error reply means the server did not take the message.
                throw DeliveryFailure("SMTP \(step) refused: \(reply.code) \(reply.text.prefix(200))", certainlyNotDelivered: true)
            }
            return reply
        }
        func write(_ line: String) async throws {
            try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n"))
        }

        _ = try await read("greeting", expect: 220...220)
        let name = "upward.local"
        try await write("EHLO \(name)")
        var features = try await read("EHLO", expect: 250...250)
        if settings.security == .startTLS {
            guard features.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw DeliveryFailure(
                    "the SMTP server does not offer STARTTLS; refusing to send credentials and mail in clear text", certainlyNotDelivered: true)
            }
            try await write("STARTTLS")
            _ = try await read("STARTTLS", expect: 220...220)
            let context = try tlsContext()
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: hostname), position: .first)
            }.get()
            try await write("EHLO \(name)")
            features = try await read("EHLO after STARTTLS", expect: 250...250)
        }
        if let user = settings.username {
            let password = settings.password ?? ""
            let auth = features.lines.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased() ?? ""
            if auth.contains("PLAIN") || !auth.contains("LOGIN") {
                let token = Data("\u{0}\(user)\u{0}\(password)".utf8).base64EncodedString()
                try await write("AUTH PLAIN \(token)")
                _ = try await read("AUTH PLAIN", expect: 235...235)
            } else {
                try await write("AUTH LOGIN")
                _ = try await read("AUTH LOGIN", expect: 334...334)
                try await write(Data(user.utf8).base64EncodedString())
                _ = try await read("AUTH LOGIN user", expect: 334...334)
                try await write(Data(password.utf8).base64EncodedString())
                _ = try await read("AUTH LOGIN password", expect: 235...235)
            }
        }
        try await write("MAIL FROM:<\(message.from)>")
        _ = try await read("MAIL FROM", expect: 250...250)
        try await write("RCPT TO:<\(message.to)>")
        _ = try await read("RCPT TO", expect: 250...251)
        try await write("DATA")
        _ = try await read("DATA", expect: 354...354)
        conversation.dataSent = true
        try await channel.writeAndFlush(ByteBuffer(string: message.smtpData() + ".\r\n"))
        _ = try await read("end of data", expect: 250...250)
        try? await write("QUIT")
        _ = try? await iterator.next()
        try? await channel.close()
    }
}

/// Splits the server's bytes into replies (`250-…` lines continue, `250 …` ends one).
private final class ReplyDecoder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncThrowingStream<SMTPClient.Reply, any Error>.Continuation
    private var pending: [UInt8] = []
    private var lines: [String] = []

    init(continuation: AsyncThrowingStream<SMTPClient.Reply, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        if pending.count > 64 * 1024 {
            continuation.finish(throwing: DeliveryFailure("SMTP reply too long", certainlyNotDelivered: false))
            context.close(promise: nil)
            return
        }
        while let end = pending.firstIndex(of: 10) {
            var lineBytes = Array(pending[..<end])
            pending.removeSubrange(...end)
            if lineBytes.last == 13 { lineBytes.removeLast() }
            let line = String(decoding: lineBytes, as: UTF8.self)
            guard line.count >= 3, let code = Int(line.prefix(3)) else { continue }
            let rest = line.dropFirst(3)
            lines.append(String(rest.dropFirst()))
            if rest.first != "-" {
                continuation.yield(SMTPClient.Reply(code: code, lines: lines))
                lines = []
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}
