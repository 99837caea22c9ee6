/// Decides which address a request comes from.
///
/// The client is the socket peer, unless the peer lies in one of ``trustedProxies``. Then `X-Forwarded-For` (every
/// occurrence, in order, split at commas) is walked from the right:
///
/// - a hop inside a trusted block is another proxy of ours: keep walking left;
/// - the first hop that is a well-formed address outside every trusted block is the client;
/// - a malformed hop (empty, `unknown`, an obfuscated identifier, garbage) stops the walk, and the client is the last
///   trusted hop walked past (the proxy that handed us the unparsable value). The same happens when every hop is
///   trusted, when the header is absent, and after ``maxHops`` hops.
///
/// So the client can only ever be an address that a trusted proxy vouched for: nothing a client writes into
/// `X-Forwarded-For` moves the result past the right-most untrusted hop, and a spoofed header sent straight to the
/// service (untrusted peer) is ignored. Hops may be bare addresses, `[v6]`, `[v6]:port` or `v4:port`. Results are
/// canonical (`inet_ntop`; IPv4-mapped IPv6 as IPv4).
public struct ClientAddressResolver: Sendable {
    /// Proxies whose `X-Forwarded-For` is believed.
    public let trustedProxies: [CIDRBlock]
    /// Hops examined at most, from the right.
    public static let maxHops = 32

    public init(trustedProxies: [CIDRBlock] = []) {
        self.trustedProxies = trustedProxies
    }

    /// Parses a comma-separated CIDR list (`127.0.0.1/32,10.0.0.0/8,::1/128`).
    /// - Throws: ``AddressParseError`` naming the first bad entry.
    public init(parsing list: String) throws(AddressParseError) {
        self.init(trustedProxies: try CIDRBlock.parseList(list))
    }

    /// Whether `address` is one of our proxies.
    public func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// The client address of a request.
    /// - Parameters:
    ///   - peer: The socket peer's address; nil when unknown (Unix socket, in-process tests): then the client is
    ///     unknown too and `X-Forwarded-For` is not believed.
    ///   - forwardedFor: Every `X-Forwarded-For` field value, in the order received.
    public func resolve(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer else { return nil }
        guard let peerAddress = IPAddress(peer) else { return peer }
        guard !forwardedFor.isEmpty, isTrusted(peerAddress) else { return peerAddress.description }
        var current = peerAddress
        var walked = 0
        for fieldValue in forwardedFor.reversed() {
            for hop in fieldValue.split(separator: ",", omittingEmptySubsequences: false).reversed() {
                walked += 1
                guard walked <= Self.maxHops, let address = Self.parseHop(hop) else { return current.description }
                guard isTrusted(address) else { return address.description }
                current = address
            }
        }
        return current.description
    }

    /// One `X-Forwarded-For` element: `a.b.c.d`, `a.b.c.d:port`, `x::y`, `[x::y]` or `[x::y]:port`.
    static func parseHop(_ raw: Substring) -> IPAddress? {
        let hop = String(raw).trimmingASCIIWhitespace()
        guard !hop.isEmpty, hop.utf8.count <= 64 else { return nil }
        if hop.hasPrefix("[") {
            guard let close = hop.firstIndex(of: "]") else { return nil }
            let rest = hop[hop.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && Self.isPort(rest.dropFirst())) else { return nil }
            return IPAddress(hop[hop.index(after: hop.startIndex)..<close])
        }
        let colons = hop.filter { $0 == ":" }.count
        if colons == 1 {
            let parts = hop.split(separator: ":", omittingEmptySubsequences: false)
            guard Self.isPort(parts[1]), let address = IPAddress(parts[0]), address.isIPv4 else { return nil }
            return address
        }
        return IPAddress(hop)
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The key rate limits count under for a client address: the address itself for IPv4, its `/64` network for
    /// IPv6 (one subscriber typically holds a whole /64), `unknown` when the address is unknown (every such request
    /// shares one budget).
    public static func rateLimitKey(for clientAddress: String?) -> String {
        guard let clientAddress else { return "unknown" }
        guard let address = IPAddress(clientAddress) else { return clientAddress }
        if address.isIPv4 { return address.description }
        return "\(address.masked(to: 64))/64"
    }
}
