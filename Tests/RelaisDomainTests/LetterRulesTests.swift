import Testing
@testable import RelaisDomain

@Suite("Deliverable addresses, letter codes and letter dates")
struct LetterRulesTests {
    @Test func anAccentedLetterBeforeTheAtIsRefusedWithItsOwnReason() {
        #expect(EmailAddress.entryProblem("éric@exemple.fr") == Reason(.emailNonASCIILocal))
        #expect(EmailAddress.deliveryProblem("éric@exemple.fr") == Reason(.emailNonASCIILocal))
        // Decomposed (e + combining acute), as some keyboards type it: the same reason.
        #expect(EmailAddress.entryProblem("e\u{301}ric@exemple.fr") == Reason(.emailNonASCIILocal))
        #expect(EmailAddress.entryProblem("eric@exemplé.fr") == Reason(.emailNonASCIIDomain))
    }

    @Test(arguments: [
        ("marie dupont@exemple.fr", ReasonCode.emailSpace), ("marie@exemple.fr,", .emailCharacter), ("<marie@exemple.fr>", .emailCharacter),
        ("\"marie\"@exemple.fr", .emailCharacter), ("marie..dupont@exemple.fr", .emailDots), (".marie@exemple.fr", .emailDots),
        ("marie@exemple.fr.", .emailDots), ("marie@exemple", .emailDomainDot), ("marie", .emailInvalid), ("a@b@c.fr", .emailInvalid),
        ("@exemple.fr", .emailInvalid), ("-marie@exemple.fr", .emailCharacter), ("marie@[10.0.0.1]", .emailCharacter),
    ])
    func whatCannotBeDeliveredIsNamed(_ address: String, _ code: ReasonCode) {
        #expect(EmailAddress.entryProblem(address)?.code == code, "\(address)")
    }

    @Test func lengthsFollowTheSMTPLimits() {
        let local = String(repeating: "a", count: 65)
        #expect(EmailAddress.entryProblem("\(local)@exemple.fr") == Reason(.emailTooLong, ["local": "64", "max": "254"]))
        #expect(EmailAddress.entryProblem(String(local.dropFirst()) + "@exemple.fr") == nil)
    }

    @Test func whatEntryAcceptsTheTransportsDeliverTo() {
        for address in ["marie.dupont@exemple.fr", "first.last+tag@sub.example.org", "o'brien@example.ie", "x_y-z@a-b.example"] {
            #expect(EmailAddress.entryProblem(address) == nil, "\(address)")
            #expect(EmailAddress.isDeliverable(address), "\(address)")
        }
        // The other way round, entry is stricter by one rule only: a domain with a dot.
        #expect(EmailAddress.isDeliverable("relais@localhost") && EmailAddress.entryProblem("relais@localhost") == Reason(.emailDomainDot))
    }

    @Test func aDeliveryFailureSaysWhetherCorrectingTheAddressHelps() {
        #expect(DeliveryFailure.allCases.filter(\.concernsTheAddress) == [.addressInvalid, .mailboxUnknown, .recipientRefused, .numberInvalid])
        #expect(Set(DeliveryFailure.allCases.map(\.reason.code)).count == DeliveryFailure.allCases.count)
    }

    @Test func aLetterCodeHasNineCharactersOfAnAlphabetWithoutLookAlikes() {
        #expect(LetterCode.alphabet.count == 30)
        for ambiguous in "0O1ILU" { #expect(!LetterCode.alphabet.contains(ambiguous)) }
        let code = LetterCode.code(from: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(code.count == 9 && code.allSatisfy(LetterCode.alphabet.contains))
        #expect(LetterCode.code(from: [0, 0, 0, 0, 0, 0, 0, 0]) == "222222222")
        #expect(LetterCode.code(from: [0, 0, 0, 0, 0, 0, 0, 1, 9, 9]) == "322222222", "only the first 64 bits count")
        #expect(LetterCode.grouped("K7M4QX9TR") == "K7M-4QX-9TR")
        // log2(30^9) ≥ 40 bits.
        #expect((0..<9).reduce(1.0) { acc, _ in acc * 30 } > 1_099_511_627_776)
    }

    @Test func aTypedCodeIsReadWhateverItsCaseAndSeparators() {
        #expect(LetterCode.normalized("k7m-4qx-9tr") == "K7M4QX9TR")
        #expect(LetterCode.normalized(" K7M 4QX 9TR ") == "K7M4QX9TR")
        #expect(LetterCode.normalized("K7M.4QX.9TR") == "K7M4QX9TR")
        #expect(LetterCode.normalized("K7M-4QX-9T") == nil)
        #expect(LetterCode.normalized("K7M-4QX-9TO") == nil, "O is not in the alphabet")
        #expect(LetterCode.normalized("K7M-4QX-9TRR") == nil)
    }

    @Test func aLetterIsDatedInWords() {
        #expect(DateWording.date(CalendarDate(iso: "2026-12-03")!, language: "fr") == "3 décembre 2026")
        #expect(DateWording.date(CalendarDate(iso: "2027-02-01")!, language: "fr") == "1er février 2027")
        #expect(DateWording.date(CalendarDate(iso: "2027-02-01")!, language: "en") == "1 February 2027")
    }
}
