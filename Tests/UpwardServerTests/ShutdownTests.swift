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
            let port = Int.random(in: 20_000...40_000)
            try await app.asyncBoot()
            try await app.server.start(address: .hostname("127.0.0.1", port: port))
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
