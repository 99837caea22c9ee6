import Foundation
import GatehouseCore
import Synchronization

/// The auth endpoints with their own per-client request budget; the raw value is the name used in
/// `GATEHOUSE_RATE_LIMITS` and in the `endpoint` label of `gatehouse_rate_limited_total`.
public enum RateLimitedEndpoint: String, CaseIterable, Sendable, Hashable {
    case login
    case register
    case refresh
    case forgotPassword = "forgot-password"
    case resendVerification = "resend-verification"
    case verifyEmail = "verify-email"
    case resetPassword = "reset-password"
    case changePassword = "change-password"
    case logout

    /// The endpoint of a matched route pattern under `/api/v1/auth/` (nil for any other route).
    public init?(routePath: String) {
        let prefix = "/api/v1/auth/"
        guard routePath.hasPrefix(prefix) else { return nil }
        self.init(rawValue: String(routePath.dropFirst(prefix.count)))
    }
}

/// A budget: at most ``requests`` requests per ``seconds``, as a token bucket holding ``requests`` tokens that refills
/// continuously at `requests / seconds` tokens per second (so bursts up to the whole budget are allowed).
public struct RateLimitRule: Sendable, Equatable, CustomStringConvertible {
    public var requests: Int
    public var seconds: Int

    public init(requests: Int, seconds: Int) {
        precondition(requests > 0 && seconds > 0, "a rate limit needs positive numbers")
        self.requests = requests
        self.seconds = seconds
    }

    public var description: String { "\(requests)/\(seconds)" }
}

/// Why `GATEHOUSE_RATE_LIMITS` was refused.
public struct RateLimitPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// One ``RateLimitRule`` for every ``RateLimitedEndpoint``.
public struct RateLimitPolicy: Sendable, Equatable {
    public var rules: [RateLimitedEndpoint: RateLimitRule]

    /// login 10/60, register 5/60, refresh 60/60, forgot-password 5/300, resend-verification 5/300,
    /// verify-email 10/60, reset-password 10/60, change-password 10/60, logout 30/60.
    public static let defaults = RateLimitPolicy(rules: [
        .login: .init(requests: 10, seconds: 60),
        .register: .init(requests: 5, seconds: 60),
        .refresh: .init(requests: 60, seconds: 60),
        .forgotPassword: .init(requests: 5, seconds: 300),
        .resendVerification: .init(requests: 5, seconds: 300),
        .verifyEmail: .init(requests: 10, seconds: 60),
        .resetPassword: .init(requests: 10, seconds: 60),
        .changePassword: .init(requests: 10, seconds: 60),
        .logout: .init(requests: 30, seconds: 60),
    ])

    public init(rules: [RateLimitedEndpoint: RateLimitRule]) {
        self.rules = rules
    }

    /// The rule of `endpoint` (the default when the policy lacks one).
    public func rule(for endpoint: RateLimitedEndpoint) -> RateLimitRule {
        rules[endpoint] ?? Self.defaults.rules[endpoint]!
    }

    /// Upper bounds of one rule.
    public static let maxRequests = 1_000_000
    public static let maxSeconds = 86_400

    /// Parses `name=requests/seconds,...` (e.g. `login=10/60,forgot-password=5/300`) over `base`: endpoints not
    /// named keep their rule from `base`.
    /// - Throws: ``RateLimitPolicyError`` for a missing `=`, an unknown endpoint name, a repeated name, a value that
    ///   is not `requests/seconds` in whole numbers, or numbers outside 1...1000000 requests / 1...86400 seconds.
    public static func parse(_ text: String, over base: RateLimitPolicy = .defaults) throws(RateLimitPolicyError) -> RateLimitPolicy {
        var policy = base
        var seen: Set<RateLimitedEndpoint> = []
        let known = RateLimitedEndpoint.allCases.map(\.rawValue).joined(separator: ", ")
        for rawEntry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = String(rawEntry).trimmingASCIIWhitespace()
            if entry.isEmpty { continue }
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw RateLimitPolicyError(message: "entry \"\(entry)\" is not name=requests/seconds") }
            let name = String(parts[0]).trimmingASCIIWhitespace().lowercased()
            guard let endpoint = RateLimitedEndpoint(rawValue: name) else {
                throw RateLimitPolicyError(message: "names an unknown endpoint \"\(name)\" (known: \(known))")
            }
            guard seen.insert(endpoint).inserted else { throw RateLimitPolicyError(message: "names \"\(name)\" twice") }
            let numbers = String(parts[1]).trimmingASCIIWhitespace().split(separator: "/", omittingEmptySubsequences: false)
            guard numbers.count == 2, let requests = wholeNumber(numbers[0]), let seconds = wholeNumber(numbers[1]) else {
                throw RateLimitPolicyError(message: "entry \"\(entry)\" is not name=requests/seconds in whole numbers")
            }
            guard (1...maxRequests).contains(requests), (1...maxSeconds).contains(seconds) else {
                throw RateLimitPolicyError(
                    message: "entry \"\(entry)\" needs 1 to \(maxRequests) requests per 1 to \(maxSeconds) seconds")
            }
            policy.rules[endpoint] = RateLimitRule(requests: requests, seconds: seconds)
        }
        return policy
    }

    private static func wholeNumber(_ text: Substring) -> Int? {
        let trimmed = String(text).trimmingASCIIWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 10, trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else { return nil }
        return Int(trimmed)
    }
}

/// Per-client token buckets, one set per ``RateLimitedEndpoint``.
///
/// The buckets live in this process's memory only: each instance counts on its own (N instances behind a load
/// balancer allow up to N times the budget) and a restart forgets them. Memory is bounded: buckets that have
/// refilled completely are dropped (a full bucket is the same as no bucket) in a sweep at most once a minute of clock
/// time, and at ``maxKeys`` buckets the sweep runs at once and, if that frees too little, the least recently used
/// tenth is dropped (those clients start over with a full budget). Time comes from the injected ``WallClock``.
/// Arithmetic is exact: levels are integers in units of 1/(seconds × 1000) token.
public final class RateLimiter: Sendable {
    /// The outcome of one request against its bucket.
    public struct Decision: Sendable, Equatable {
        /// Whether the request may proceed (a token was taken).
        public var allowed: Bool
        /// The budget (`RateLimit-Limit`).
        public var limit: Int
        /// Whole tokens left after this request (`RateLimit-Remaining`).
        public var remaining: Int
        /// Seconds until the bucket is full again, rounded up (`RateLimit-Reset`).
        public var resetSeconds: Int
        /// Seconds until the next token, rounded up, at least 1 (`Retry-After` when refused).
        public var retryAfterSeconds: Int
    }

    struct Key: Hashable {
        var endpoint: RateLimitedEndpoint
        var client: String
    }

    struct Bucket {
        /// Units: 1 token = `seconds * 1000`; refills `requests` units per millisecond.
        var level: Int64
        var updatedMs: Int64
    }

    struct State {
        var buckets: [Key: Bucket] = [:]
        var lastSweepMs: Int64?
    }

    public let policy: RateLimitPolicy
    /// The most buckets kept at once (all endpoints together).
    public let maxKeys: Int
    private let clock: any WallClock
    private let state = Mutex(State())
    private static let sweepIntervalMs: Int64 = 60_000

    public init(policy: RateLimitPolicy, clock: any WallClock, maxKeys: Int = 100_000) {
        self.policy = policy
        self.clock = clock
        self.maxKeys = max(1, maxKeys)
    }

    /// The number of buckets held (for tests and diagnostics).
    public var bucketCount: Int { state.withLock { $0.buckets.count } }

    /// Takes one token from the bucket of (`endpoint`, `client`) when one is available.
    public func consume(_ endpoint: RateLimitedEndpoint, client: String) -> Decision {
        let rule = policy.rule(for: endpoint)
        let nowMs = Int64((clock.now().timeIntervalSince1970 * 1000).rounded())
        let rate = Int64(rule.requests)
        let token = Int64(rule.seconds) * 1000
        let capacity = rate * token
        return state.withLock { state in
            let key = Key(endpoint: endpoint, client: client)
            if let last = state.lastSweepMs {
                if nowMs - last >= Self.sweepIntervalMs || nowMs < last { sweep(&state, nowMs: nowMs) }
            } else {
                state.lastSweepMs = nowMs
            }
            var bucket = state.buckets[key] ?? Bucket(level: capacity, updatedMs: nowMs)
            let elapsed = min(max(0, nowMs - bucket.updatedMs), token)
            bucket.level = min(capacity, bucket.level + elapsed * rate)
            bucket.updatedMs = max(bucket.updatedMs, nowMs)
            let allowed = bucket.level >= token
            if allowed { bucket.level -= token }
            if state.buckets[key] == nil && state.buckets.count >= maxKeys {
                sweep(&state, nowMs: nowMs)
                if state.buckets.count >= maxKeys { evictLeastRecentlyUsed(&state) }
            }
            state.buckets[key] = bucket
            let remaining = Int(bucket.level / token)
            let resetMs = (capacity - bucket.level + rate - 1) / rate
            let nextTokenMs = max(0, (token - bucket.level + rate - 1) / rate)
            return Decision(
                allowed: allowed, limit: rule.requests, remaining: remaining, resetSeconds: Int((resetMs + 999) / 1000),
                retryAfterSeconds: max(1, Int((nextTokenMs + 999) / 1000)))
        }
    }

    /// Drops every bucket that has refilled completely by `nowMs`.
    private func sweep(_ state: inout State, nowMs: Int64) {
        state.lastSweepMs = nowMs
        state.buckets = state.buckets.filter { key, bucket in
            let rule = policy.rule(for: key.endpoint)
            let rate = Int64(rule.requests)
            let token = Int64(rule.seconds) * 1000
            let elapsed = min(max(0, nowMs - bucket.updatedMs), token)
            return bucket.level + elapsed * rate < rate * token
        }
    }

    private func evictLeastRecentlyUsed(_ state: inout State) {
        let drop = max(1, maxKeys / 10)
        let victims = state.buckets.sorted { $0.value.updatedMs < $1.value.updatedMs }.prefix(drop).map(\.key)
        for key in victims { state.buckets.removeValue(forKey: key) }
    }
}
