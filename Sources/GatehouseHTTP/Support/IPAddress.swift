#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, parsed strictly with `inet_pton` (dotted quad for IPv4; no zone ids). IPv4-mapped IPv6
/// addresses (`::ffff:192.0.2.1`) are stored as the IPv4 address, so both spellings of one client compare equal.
/// ``description`` is the canonical text form (`inet_ntop`).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// Parses `text` (no brackets, no port); nil when it is not an IP address.
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count <= 45 else { return nil }
        if string.contains(":") {
            var address = in6_addr()
            guard inet_pton(Int32(AF_INET6), string, &address) == 1 else { return nil }
            let raw = withUnsafeBytes(of: &address) { Array($0) }
            if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xFF && raw[11] == 0xFF {
                bytes = Array(raw[12..<16])
            } else {
                bytes = raw
            }
        } else {
            var address = in_addr()
            guard inet_pton(Int32(AF_INET), string, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    /// An address from raw bytes (4 or 16).
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        var text = [CChar](repeating: 0, count: 64)
        let ok = text.withUnsafeMutableBufferPointer { buffer in
            inet_ntop(Int32(AF_INET6), &address, buffer.baseAddress, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "::" }
        let length = text.firstIndex(of: 0) ?? text.count
        return String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This address with every bit after the first `prefixLength` cleared.
    public func masked(to prefixLength: Int) -> IPAddress {
        var result = bytes
        for index in result.indices {
            let bitsKept = min(8, max(0, prefixLength - index * 8))
            result[index] &= bitsKept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsKept))
        }
        return IPAddress(bytes: result)!
    }
}

/// Why a trusted-proxy entry was refused.
public struct AddressParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the entry.
    public let message: String
    public var description: String { message }
}

/// A CIDR block such as `10.0.0.0/8` or `::1/128`; a bare address is a single-address block (`/32` or `/128`).
public struct CIDRBlock: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits are zero).
    public let network: IPAddress
    /// Leading bits that must match: 0 to 32 (IPv4) or 0 to 128 (IPv6).
    public let prefixLength: Int

    /// Parses `a.b.c.d/n`, `x::y/n` or a bare address.
    /// - Throws: ``AddressParseError`` for an unparsable address, a prefix out of range or set host bits
    ///   (`10.0.0.1/8` is refused rather than silently widened).
    public init(parsing text: some StringProtocol) throws(AddressParseError) {
        let trimmed = String(text).trimmingASCIIWhitespace()
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else {
            throw AddressParseError(message: "\"\(trimmed)\" is not an IP address or CIDR block")
        }
        let maxPrefix = address.isIPv4 ? 32 : 128
        var prefix = maxPrefix
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let parsed = Int(parts[1]), parsed <= maxPrefix else {
                throw AddressParseError(message: "\"\(trimmed)\" has a prefix length outside 0...\(maxPrefix)")
            }
            prefix = parsed
        }
        let network = address.masked(to: prefix)
        guard network == address else {
            throw AddressParseError(message: "\"\(trimmed)\" has host bits set (the network is \(network)/\(prefix))")
        }
        self.network = network
        self.prefixLength = prefix
    }

    /// Whether `address` lies in this block (never across address families).
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && address.masked(to: prefixLength) == network
    }

    public var description: String { "\(network)/\(prefixLength)" }

    /// Parses a comma-separated list; empty entries are ignored.
    public static func parseList(_ text: String) throws(AddressParseError) -> [CIDRBlock] {
        var blocks: [CIDRBlock] = []
        for entry in text.split(separator: ",") where !String(entry).trimmingASCIIWhitespace().isEmpty {
            blocks.append(try CIDRBlock(parsing: entry))
        }
        return blocks
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
