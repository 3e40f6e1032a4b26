/// The short code printed on a letter, to type on the short page `/c` instead of a 43-character
/// link: `K7M-4QX-9TR`. It opens the same single-use questionnaire as the letter's link.
///
/// The numbers. 9 characters from an alphabet of 30 give 30^9 ≈ 1.97 × 10^13 codes (44.2 bits).
/// Wrong codes are throttled per client address and for all addresses together (see
/// `LetterCode.freeFailures…`): beyond 50 wrong codes in 15 minutes everyone waits, so an attacker
/// gets at most about 55 guesses per 15 minutes, some 1.9 million a year. With even 1,000 letters'
/// codes alive at once (each lives `questionnaire.token_days`, 60 days by default), a year of
/// uninterrupted guessing finds one with a probability of 1.9 × 10^6 × 1,000 / 1.97 × 10^13 ≈ 10^-4.
/// What a found code gives: the questionnaire of one person (their first name and the programme's
/// title), not their record. Eight characters (39 bits) would give 3 × 10^-3.
public enum LetterCode {
    /// Digits and capitals without those read alike on paper or typed for one another: 0 and O,
    /// 1, I and L, and U (read as V). 30 characters.
    public static let alphabet: [Character] = Array("23456789ABCDEFGHJKMNPQRSTVWXYZ")
    public static let length = 9
    /// Printed in groups of three: `K7M-4QX-9TR`.
    public static let groupLength = 3

    /// Wrong codes from one client address within `window` before each further one must wait
    /// (1 minute after the last, then 2, 4… up to the window), and from all addresses together.
    public static let freeFailuresPerAddress = 5
    public static let freeFailuresInAll = 50
    public static let window: Double = 15 * 60
    public static let firstDelay: Double = 60

    /// The code of 9 characters drawn from `bytes` (at least 8 random or pseudo-random bytes):
    /// their first 64 bits in base 30 (the bias of 2^64 mod 30^9 is below 10^-6).
    public static func code(from bytes: [UInt8]) -> String {
        precondition(bytes.count >= 8, "a letter code needs 64 bits")
        var value = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var characters: [Character] = []
        for _ in 0..<length {
            characters.append(alphabet[Int(value % UInt64(alphabet.count))])
            value /= UInt64(alphabet.count)
        }
        return String(characters)
    }

    /// `K7M4QX9TR` as printed: `K7M-4QX-9TR`.
    public static func grouped(_ code: String) -> String {
        var groups: [String] = []
        var rest = Substring(code)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(groupLength)))
            rest = rest.dropFirst(groupLength)
        }
        return groups.joined(separator: "-")
    }

    /// What a person typed, as a code (capitals, without separators), or nil when it cannot be
    /// one: case, spaces, hyphens and dots are ignored, so `k7m 4qx 9tr` is `K7M4QX9TR`.
    public static func normalized(_ typed: String) -> String? {
        let kept = typed.uppercased().filter { !" -.\u{00A0}\u{2010}\u{2011}\u{2013}\t".contains($0) }
        guard kept.count == length, kept.allSatisfy(alphabet.contains) else { return nil }
        return kept
    }
}
