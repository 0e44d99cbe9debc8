import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import UpwardCore
import UpwardTestSupport

@testable import UpwardServer

/// The smallest SMTP server that takes one message: it answers each command and keeps the lines it read.
private final class OneMessageServer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let lines = NIOLockedValueBox<[String]>([])
    private var pending: [UInt8] = []
    private var inData = false

    func channelActive(context: ChannelHandlerContext) {
        reply(context, "220 test ESMTP")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        while let end = pending.firstIndex(of: 10) {
            let line = String(decoding: pending[..<end].filter { $0 != 13 }, as: UTF8.self)
            pending.removeSubrange(...end)
            lines.withLockedValue { $0.append(line) }
            if inData {
                if line == "." {
                    inData = false
                    reply(context, "250 queued")
                }
                continue
            }
            switch line.prefix(4).uppercased() {
            case "EHLO": reply(context, "250-test\r\n250 8BITMIME")
            case "DATA":
                inData = true
                reply(context, "354 go on")
            case "QUIT":
                reply(context, "221 bye")
                context.close(promise: nil)
            default: reply(context, "250 ok")
            }
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(NIOAny(ByteBuffer(string: text + "\r\n")), promise: nil)
    }
}

extension AppTests {
    @Suite("Email over TLS from the first byte (smtps://)")
    struct SMTPTLSTests {
        @Test("a message goes over TLS to a server whose certificate the configured CA file signs; without that CA it is refused, not sent in clear")
        func implicitTLS() async throws {
            let folder = Fixtures.temporaryFolder("upward-smtps")
            defer { try? FileManager.default.removeItem(at: folder) }
            let cert = folder.appendingPathComponent("cert.pem").path
            let key = folder.appendingPathComponent("key.pem").path
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            openssl.arguments = [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ]
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            try #require(openssl.terminationStatus == 0, "openssl could not make a certificate")

            let tls = try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))))
            let group = MultiThreadedEventLoopGroup.singleton
            let handlers = NIOLockedValueBox<[OneMessageServer]>([])
            let server = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let smtp = OneMessageServer()
                        handlers.withLockedValue { $0.append(smtp) }
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        try channel.pipeline.syncOperations.addHandler(smtp)
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            defer { server.close(promise: nil) }
            let port = try #require(server.localAddress?.port)
            let message = EmailMessage(
                from: "upward@example.com", to: "ada@example.com", subject: "Your pair is live", body: "Hello", date: Date(),
                messageID: "tls-test@upward")

            let trusted = UpwardConfiguration.SMTPSettings(host: "localhost", port: port, security: .tls, from: "upward@example.com", caFile: cert)
            // A broken handshake fails in seconds, not the client's minute.
            try await SMTPClient(settings: trusted, group: group, timeout: .seconds(15)).send(message)
            let lines = handlers.withLockedValue { $0.first?.lines.withLockedValue { $0 } } ?? []
            #expect(lines.first == "EHLO upward.local")
            #expect(lines.contains("MAIL FROM:<upward@example.com>"))
            #expect(lines.contains("RCPT TO:<ada@example.com>"))
            #expect(lines.contains("Subject: Your pair is live"))
            #expect(lines.last == "QUIT")

            // The system's roots do not sign this certificate: the handshake fails before any command.
            let untrusted = UpwardConfiguration.SMTPSettings(host: "localhost", port: port, security: .tls, from: "upward@example.com")
            do {
                try await SMTPClient(settings: untrusted, group: group, timeout: .seconds(15)).send(message)
                Issue.record("a server whose certificate nothing trusts must be refused")
            } catch let failure as DeliveryFailure {
                #expect(failure.certainlyNotDelivered, "\(failure.reason)")
            }
            let second = handlers.withLockedValue { $0.dropFirst().first?.lines.withLockedValue { $0 } } ?? []
            #expect(second.isEmpty)
        }
    }
}
