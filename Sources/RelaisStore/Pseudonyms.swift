import CSodium
import Foundation

/// Pseudonyms for one export: HMAC-SHA-256 of the participant id keyed with 256 random bits
/// drawn for this export and never stored. The same participant gets the same pseudonym within
/// one file, and an unrelated one in the next export, so two exports cannot be linked.
public struct Pseudonymizer: Sendable {
    private let key: [UInt8]

    /// A fresh random key (libsodium's `randombytes_buf`).
    public init() {
        key = Secrets.randomBytes(Int(crypto_auth_hmacsha256_KEYBYTES))
    }

    /// A given key, for tests.
    public init(key: [UInt8]) {
        self.key = key
    }

    /// "P-" and the first 16 hex digits (64 bits) of HMAC-SHA-256(key, id).
    public func pseudonym(_ id: String) -> String {
        let out = Secrets.hmac(key: key, message: id)
        let digits = Array("0123456789abcdef".utf8)
        return "P-" + String(decoding: out.prefix(8).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}
