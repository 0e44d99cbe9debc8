import Foundation
import NIOConcurrencyHelpers
import UpwardCore
import Vapor

/// Token buckets per API token and per client address, in this process's memory (several
/// instances each apply the limit). Answers 429 with `Retry-After` when a bucket is empty.
final class APIRateLimiter: Sendable {
    /// The buckets of one kind of key, all under one limit (so idle ones are recognized as full).
    final class Table: Sendable {
        let limit: RateLimit
        private let buckets = NIOLockedValueBox<[String: TokenBucket]>([:])

        init(_ limit: RateLimit) { self.limit = limit }

        /// Seconds to wait, or nil when the request may go ahead.
        func take(_ key: String, at now: Double) -> Double? {
            buckets.withLockedValue { buckets in
                if buckets.count > 50_000 { buckets = buckets.filter { !$0.value.isFull(at: now, limit: limit) } }
                var bucket = buckets[key] ?? TokenBucket(full: limit, at: now)
                let wait = bucket.take(at: now, limit: limit)
                buckets[key] = bucket
                return wait
            }
        }
    }

    let perToken: Table?
    let perAddress: Table?
    private let start = ContinuousClock.now

    init(perToken: RateLimit?, perAddress: RateLimit?) {
        self.perToken = perToken.map(Table.init)
        self.perAddress = perAddress.map(Table.init)
    }

    var now: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func tooMany(_ wait: Double, _ what: String) -> Abort {
        let seconds = wait.isFinite ? max(1, Int(wait.rounded(.up))) : 60
        return Abort(.tooManyRequests, headers: ["Retry-After": String(seconds)], reason: "Too many requests \(what); try again in \(seconds) s.")
    }
}

extension Application {
    private struct RateLimiterKey: StorageKey { typealias Value = APIRateLimiter }

    var apiRateLimiter: APIRateLimiter {
        get { storage[RateLimiterKey.self] ?? APIRateLimiter(perToken: nil, perAddress: nil) }
        set { storage[RateLimiterKey.self] = newValue }
    }
}
