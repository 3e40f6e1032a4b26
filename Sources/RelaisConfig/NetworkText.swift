import Foundation

/// Checks the spelling of addresses in the configuration (the HTTP server parses them again).
enum NetworkText {
    /// A numeric IPv4 or IPv6 address, optionally with a `/prefix` within its length.
    static func isAddressOrNetwork(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = String(parts[0])
        var v4 = in_addr(), v6 = in6_addr()
        let bits: Int
        if inet_pton(AF_INET, address, &v4) == 1 { bits = 32 } else if inet_pton(AF_INET6, address, &v6) == 1 { bits = 128 } else { return false }
        guard parts.count == 2 else { return true }
        return parts[1].count <= 3 && Int(parts[1]).map { (0...bits).contains($0) } == true
    }
}
