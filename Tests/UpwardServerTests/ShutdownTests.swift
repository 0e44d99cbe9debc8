import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import Vapor

@testable import UpwardServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension AppTests {
    @Suite("Stopping the server")
    struct ShutdownTests {
        @Test("a request in flight when the server is told to stop is answered, and uses the database after the stop began")
        func inFlightRequestFinishes() async throws {
            let app = try await Application.make(.testing)
            try await configure(app, environment: UpwardEnvironment(configuration: UpwardConfiguration(storage: TestDatabase.storage, bcryptCost: 4)))
            try await app.autoRevert()
            try await app.autoMigrate()
            let began = AsyncStream.makeStream(of: Void.self)
            // A slow request: it reads the database only after the server has been told to stop.
            app.get("test-slow") { req async throws -> String in
                began.continuation.yield()
                try await Task.sleep(for: .milliseconds(400))
                let people = try await Person.query(on: req.db).count()
                return "answered with \(people) people"
            }
            try await app.asyncBoot()
            // Port 0: the system gives a free one. A port picked at random could be held by another
            // test run on the same machine (CI runs three at once), or by a closing socket.
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            async let response = URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/test-slow")!)
            var started = began.stream.makeAsyncIterator()
            _ = await started.next()
            let stopping = ContinuousClock.now
            try await app.asyncShutdown()
            let (body, head) = try await response
            #expect((head as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: body, as: UTF8.self) == "answered with 0 people")
            // The stop waited for the request instead of cutting it off.
            #expect(ContinuousClock.now - stopping >= .milliseconds(300))
        }
    }
}
