import Foundation

/// A request rate: `perSecond` on average, with bursts up to `burst`.
public struct RateLimit: Sendable, Equatable {
    public let perSecond: Double
    public let burst: Double

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(1, burst)
    }
}

/// A token bucket: it holds up to `burst` tokens, refills at `perSecond`, and each request takes
/// one. Time comes from the caller (seconds on any monotonic clock), so tests need no waiting.
public struct TokenBucket: Sendable, Equatable {
    public private(set) var tokens: Double
    public private(set) var updated: Double

    public init(full limit: RateLimit, at now: Double) {
        tokens = limit.burst
        updated = now
    }

    /// Takes a token; nil when allowed, otherwise the seconds until one is available.
    public mutating func take(at now: Double, limit: RateLimit) -> Double? {
        if now > updated {
            tokens = min(limit.burst, tokens + (now - updated) * limit.perSecond)
            updated = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return limit.perSecond > 0 ? (1 - tokens) / limit.perSecond : .infinity
    }

    /// Full again: nothing would be lost by forgetting this bucket.
    public func isFull(at now: Double, limit: RateLimit) -> Bool {
        tokens + max(0, now - updated) * limit.perSecond >= limit.burst
    }
}
