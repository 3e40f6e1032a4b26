import Testing
@testable import RelaisDomain

@Suite("Deliverable addresses and delivery failures")
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
        #expect(DeliveryFailure.allCases.filter(\.concernsTheAddress) == [.addressInvalid, .mailboxUnknown, .recipientRefused])
        #expect(Set(DeliveryFailure.allCases.map(\.reason.code)).count == DeliveryFailure.allCases.count)
    }

}
