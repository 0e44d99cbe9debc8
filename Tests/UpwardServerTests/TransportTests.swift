import Foundation
import NIOCore
import NIOPosix
import Testing
import UpwardCore
import VaporTesting

@testable import UpwardServer

/// Accepts a connection, reads the request, and closes without answering.
private final class HangUp: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.close(promise: nil) }
}

extension AppTests {
    @Suite("Webhook transport")
    struct TransportTests {
        @Test("a refused connection is retried; a receiver that took the request and hung up is never sent again")
        func classification() async throws {
            try await withUpward { app in
                let transport = NetworkTransport(smtp: nil, client: app.client, group: app.eventLoopGroup)
                let message = OutgoingMessage(title: "Hello", body: "Body")
                // Nothing listens on this port: the request never left.
                let closed = try await ServerBootstrap(group: app.eventLoopGroup).bind(host: "127.0.0.1", port: 0).get()
                let closedPort = closed.localAddress!.port!
                try await closed.close()
                do {
                    try await transport.send(channel: .slack, address: "http://127.0.0.1:\(closedPort)/hook", message: message, messageID: "a@upward")
                    Issue.record("a refused connection must fail")
                } catch let failure as DeliveryFailure {
                    #expect(failure.certainlyNotDelivered, "\(failure.reason)")
                }
                // A receiver that read the request and closed: it may have acted on it.
                let server = try await ServerBootstrap(group: app.eventLoopGroup)
                    .childChannelInitializer { channel in channel.pipeline.addHandler(HangUp()) }
                    .bind(host: "127.0.0.1", port: 0).get()
                defer { server.close(promise: nil) }
                do {
                    try await transport.send(
                        channel: .teams, address: "http://127.0.0.1:\(server.localAddress!.port!)/hook", message: message, messageID: "b@upward")
                    Issue.record("a hang-up must fail")
                } catch let failure as DeliveryFailure {
                    #expect(!failure.certainlyNotDelivered, "\(failure.reason)")
                }
            }
        }
    }
}
