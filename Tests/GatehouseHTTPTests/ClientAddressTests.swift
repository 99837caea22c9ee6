import Foundation
import GatehouseCore
import GatehouseHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Client address: socket peer, or the right-most untrusted X-Forwarded-For hop behind a trusted proxy")
struct ClientAddressTests {
    let resolver = try! ClientAddressResolver(parsing: "127.0.0.1/32, 10.0.0.0/8, ::1/128, fd00::/8")

    @Test func untrustedPeerIgnoresForwardedFor() {
        #expect(resolver.resolve(peer: "198.51.100.7", forwardedFor: ["203.0.113.1"]) == "198.51.100.7")
        #expect(resolver.resolve(peer: "198.51.100.7", forwardedFor: []) == "198.51.100.7")
        #expect(resolver.resolve(peer: "2001:db8::7", forwardedFor: ["203.0.113.1"]) == "2001:db8::7")
    }

    @Test func rightMostUntrustedHopBehindTrustedProxies() {
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        // The client forged the left-most entries; only the hop our proxy appended counts.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["1.1.1.1, 8.8.8.8, 203.0.113.7"]) == "203.0.113.7")
        // Trusted hops are skipped.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7, 10.9.9.9, 127.0.0.1"]) == "203.0.113.7")
        // Several header fields are one list in order.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7", "198.51.100.2"]) == "198.51.100.2")
        // Every hop trusted: the left-most trusted one.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["10.0.0.1, 10.0.0.2"]) == "10.0.0.1")
        // Ports are dropped.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7:51000"]) == "203.0.113.7")
        // No header: the proxy itself.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: []) == "10.0.0.5")
    }

    @Test func ipv6() {
        #expect(resolver.resolve(peer: "::1", forwardedFor: ["2001:db8::1"]) == "2001:db8::1")
        #expect(resolver.resolve(peer: "::1", forwardedFor: ["[2001:db8::2]:443"]) == "2001:db8::2")
        #expect(resolver.resolve(peer: "::1", forwardedFor: ["[2001:DB8:0:0::3]"]) == "2001:db8::3")
        #expect(resolver.resolve(peer: "fd00::1", forwardedFor: ["2001:db8::4, fd12::9"]) == "2001:db8::4")
        // IPv4-mapped peers match IPv4 blocks and come out as IPv4.
        #expect(resolver.resolve(peer: "::ffff:10.0.0.5", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        #expect(resolver.resolve(peer: "::ffff:198.51.100.7", forwardedFor: ["203.0.113.7"]) == "198.51.100.7")
        #expect(ClientAddressResolver.rateLimitKey(for: "2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(ClientAddressResolver.rateLimitKey(for: "198.51.100.7") == "198.51.100.7")
        #expect(ClientAddressResolver.rateLimitKey(for: nil) == "unknown")
    }

    @Test func malformedHopStopsAtTheLastTrustedHop() {
        for garbage in ["unknown", "", "not-an-ip", "_hidden", "203.0.113", "1.2.3.4.5", "[2001:db8::1", "2001:db8::1]:80", "203.0.113.7:port", "fe80::1%eth0"] {
            #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["198.51.100.1, \(garbage)"]) == "10.0.0.5", "\(garbage)")
        }
        // A malformed entry left of the client does not matter.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["garbage, 203.0.113.7"]) == "203.0.113.7")
        // After trusted hops, the last trusted one.
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["198.51.100.1, garbage, 10.0.0.8"]) == "10.0.0.8")
        // The walk is bounded.
        let many = Array(repeating: "10.0.0.1", count: 40).joined(separator: ",")
        #expect(resolver.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7," + many]) == "10.0.0.1")
    }

    @Test func unknownPeerIsUnknownClient() {
        #expect(resolver.resolve(peer: nil, forwardedFor: ["203.0.113.7"]) == nil)
    }

    @Test func cidrParsing() throws {
        let blocks = try CIDRBlock.parseList("127.0.0.1/32, 10.0.0.0/8,::1/128, 192.0.2.9, 2001:db8::/32,")
        #expect(blocks.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "192.0.2.9/32", "2001:db8::/32"])
        #expect(blocks[1].contains(IPAddress("10.255.0.1")!))
        #expect(!blocks[1].contains(IPAddress("11.0.0.1")!))
        #expect(!blocks[4].contains(IPAddress("10.0.0.1")!))
        #expect(blocks[4].contains(IPAddress("2001:db8:ffff::1")!))
        #expect(try CIDRBlock(parsing: "0.0.0.0/0").contains(IPAddress("203.0.113.1")!))
        for bad in ["10.0.0.1/8", "10.0.0.0/33", "::1/129", "abc", "10.0.0.0/", "1.2.3", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/+8"] {
            #expect(throws: AddressParseError.self, "\(bad)") { try CIDRBlock(parsing: bad) }
        }
    }

    @Test func routerPipelineCarriesTheResolvedAddress() async throws {
        let options = TestApp.Options.with(try .testing(trustedProxies: "10.0.0.0/8"))
        try await TestApp.run(options) { _, client in
            var headers: HTTPFields = [testPeer: "10.1.1.1"]
            headers[HTTPField.Name("X-Forwarded-For")!] = "192.0.2.1, 203.0.113.9"
            do {
                let value = try await client.call(.get, "/test/whoami", headers: headers).text
                #expect(value == "203.0.113.9|203.0.113.9|nil")
            }
            headers[testPeer] = "198.51.100.3"
            do {
                let value = try await client.call(.get, "/test/whoami", headers: headers).text
                #expect(value == "198.51.100.3|198.51.100.3|nil")
            }
        }
    }

    @Test func liveSocketPeer() async throws {
        var untrusting = try HTTPSecurityConfiguration.testing()
        untrusting.peerAddress = { _, context in context.remoteAddress }
        try await TestApp.run(.with(untrusting, live: true)) { _, client in
            let reply = try await client.call(.get, "/test/whoami", headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"])
            let parts = reply.text.split(separator: "|").map(String.init)
            #expect(parts.count == 3)
            #expect(["127.0.0.1", "::1"].contains(parts[0]), "\(reply.text)")
            #expect(parts[0] == parts[1] && parts[0] == parts[2])
        }
        var trusting = try HTTPSecurityConfiguration.testing(trustedProxies: "127.0.0.1/32,::1/128")
        trusting.peerAddress = { _, context in context.remoteAddress }
        try await TestApp.run(.with(trusting, live: true)) { _, client in
            let reply = try await client.call(.get, "/test/whoami", headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"])
            #expect(reply.text.hasPrefix("203.0.113.9|203.0.113.9|"), "\(reply.text)")
        }
    }
}
