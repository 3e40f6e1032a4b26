import CSodium
import Foundation

/// Password hashes, random tokens and token digests, all from libsodium.
public enum Secrets {
    private static let initialized: Bool = sodium_init() >= 0

    private static func ready() {
        precondition(initialized, "libsodium could not initialise")
    }

    /// An argon2id hash in libsodium's self-describing string form ("$argon2id$v=19$m=...").
    public static func hashPassword(_ password: String) -> String {
        ready()
        var output = [CChar](repeating: 0, count: Int(crypto_pwhash_strbytes()))
        let length = UInt64(password.utf8.count)
        let result = password.withCString { chars in
            crypto_pwhash_str_alg(&output, chars, length,
                                  UInt64(crypto_pwhash_opslimit_interactive()), crypto_pwhash_memlimit_interactive(),
                                  crypto_pwhash_alg_argon2id13())
        }
        precondition(result == 0, "argon2id ran out of memory")
        return String(cString: output)
    }

    public static func verifyPassword(_ password: String, hash: String) -> Bool {
        ready()
        let length = UInt64(password.utf8.count)
        return password.withCString { chars in crypto_pwhash_str_verify(hash, chars, length) == 0 }
    }

    /// Compared against when the account does not exist, so a wrong name costs as long as a wrong password.
    static let decoyHash: String = hashPassword("relais-decoy-\(UUID().uuidString)")

    /// `byteCount` random bytes in unpadded base64url (32 bytes: 256 bits, 43 characters).
    public static func randomToken(byteCount: Int = 32) -> String {
        base64url(randomBytes(byteCount))
    }

    /// `count` bytes from libsodium's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        ready()
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return bytes
    }

    /// SHA-256 as lowercase hex: how bearer, session and questionnaire tokens are stored.
    public static func digest(_ token: String) -> String {
        ready()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_bytes()))
        let bytes = Array(token.utf8)
        crypto_hash_sha256(&out, bytes, UInt64(bytes.count))
        // Hand-rolled hex: String(format:) per byte is slow on Linux, and this runs on every API request.
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: out.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }

    /// HMAC-SHA-256 of `message` under `key`, as unpadded base64url (43 characters).
    public static func hmacToken(key: [UInt8], message: String) -> String {
        base64url(hmac(key: key, message: message))
    }

    /// HMAC-SHA-256 (libsodium) of `message` under `key` of any length.
    public static func hmac(key: [UInt8], message: String) -> [UInt8] {
        ready()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        let bytes = Array(message.utf8)
        crypto_auth_hmacsha256_init(&state, key, key.count)
        crypto_auth_hmacsha256_update(&state, bytes, UInt64(bytes.count))
        crypto_auth_hmacsha256_final(&state, &out)
        return out
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Constant-time equality, for CSRF tokens.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return sodium_memcmp(x, y, x.count) == 0
    }
}
