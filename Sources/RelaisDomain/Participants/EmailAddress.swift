/// The one rule for an email address Relais can deliver to, used where an address is entered
/// (participants, staff accounts, one's profile, the test email) and by every mail transport
/// before it talks to a server, so that an address accepted at entry is never refused for good at
/// sending.
///
/// What the transports can deliver: Relais writes envelopes and headers in plain ASCII (SMTP
/// without the SMTPUTF8 extension of RFC 6531, whose support cannot be known before sending, and
/// `To:` headers without internationalised addresses), so an address is a `local@domain` of
/// RFC 5322 dot-atoms: ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~``, with single dots
/// inside each part. "éric@exemple.fr" cannot be written on the envelope at all; a domain with
/// accents (`exemplé.fr`) would need its IDNA form (`xn--…`), which Relais does not compute.
/// Quoted local parts (`"a b"@x`) and address literals (`x@[10.0.0.1]`) are valid mail but no
/// person's address: they are refused too. A leading "-" is refused because a sendmail-like
/// command could read the recipient as an option.
public enum EmailAddress {
    /// RFC 5321 §4.5.3.1: at most 64 octets before the "@", 254 in all (a path of 256 with "<>").
    public static let maxLocalLength = 64
    public static let maxLength = 254

    /// Why the transports cannot deliver to `address`, or nil when they can: the rule each
    /// transport applies before sending. `relais@localhost` passes (a local sender).
    public static func deliveryProblem(_ address: String) -> Reason? {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return Reason(.emailInvalid) }
        let (local, domain) = (parts[0], parts[1])
        // The accents first: the mistake people make, and the one worth a sentence of its own.
        if !local.unicodeScalars.allSatisfy(\.isASCII) { return Reason(.emailNonASCIILocal) }
        if !domain.unicodeScalars.allSatisfy(\.isASCII) { return Reason(.emailNonASCIIDomain) }
        if address.contains(where: \.isWhitespace) { return Reason(.emailSpace) }
        if let character = address.first(where: { !isAtext($0) && $0 != "." && $0 != "@" }) {
            return Reason(.emailCharacter, ["character": shown(character)])
        }
        for part in [local, domain] where part.hasPrefix(".") || part.hasSuffix(".") || part.contains("..") {
            return Reason(.emailDots)
        }
        if address.hasPrefix("-") { return Reason(.emailCharacter, ["character": "-"]) }
        if local.utf8.count > maxLocalLength || address.utf8.count > maxLength {
            return Reason(.emailTooLong, ["local": String(maxLocalLength), "max": String(maxLength)])
        }
        return nil
    }

    /// Why `address` is refused where people type one, or nil: what the transports deliver to,
    /// and a domain with a dot (`marie@gmail` is a typo, not a mailbox of the internet).
    public static func entryProblem(_ address: String) -> Reason? {
        if let problem = deliveryProblem(address) { return problem }
        let domain = address.split(separator: "@").last ?? ""
        return domain.contains(".") ? nil : Reason(.emailDomainDot)
    }

    public static func isDeliverable(_ address: String) -> Bool { deliveryProblem(address) == nil }

    /// RFC 5322 §3.2.3 atext: what may appear in a dot-atom.
    public static func isAtext(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".contains(character)
        }
    }

    /// A character as the message names it: a control by its code point, not invisibly.
    private static func shown(_ character: Character) -> String {
        guard let scalar = character.unicodeScalars.first, TextRules.isControl(scalar) else { return String(character) }
        return "U+" + String(scalar.value, radix: 16, uppercase: true)
    }
}
