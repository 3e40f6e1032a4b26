import Foundation
import Testing
@testable import RelaisDomain

@Suite("SMS: mobile numbers, lengths, senders, channel rules and quiet hours")
struct SMSRulesTests {
    // MARK: Mobile numbers

    @Test(arguments: [
        ("06 12 34 56 78", "+33612345678"), ("0712345678", "+33712345678"), ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"), ("+33 6 12 34 56 78", "+33612345678"), ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"), ("+33612345678", "+33612345678"), (" 06\u{00A0}12\u{202F}34 56 78 ", "+33612345678"),
        // Overseas départements: their own country codes.
        ("06 90 12 34 56", "+590690123456"), ("06 94 12 34 56", "+594694123456"), ("06 96 12 34 56", "+596696123456"),
        ("06 92 12 34 56", "+262692123456"), ("06 39 12 34 56", "+262639123456"),
        // International, as written with its country code.
        ("+32 470 12 34 56", "+32470123456"), ("0044 7700 900123", "+447700900123"), ("+1 (415) 555-0100", "+14155550100"),
    ])
    func mobilesAreStoredInE164(_ typed: String, _ stored: String) {
        #expect(MobileNumber.normalized(typed) == .success(stored), "\(typed)")
        #expect(MobileNumber.isE164(stored))
        // What is stored is accepted again as it is (a record edited and saved).
        #expect(MobileNumber.normalized(stored) == .success(stored))
    }

    @Test(arguments: [
        ("01 23 45 67 89", ReasonCode.mobileLandline), ("04 78 00 00 00", .mobileLandline), ("09 51 00 00 00", .mobileLandline),
        ("08 00 00 00 00", .mobileLandline), ("+33 1 23 45 67 89", .mobileLandline),
        ("06 12 34 56", .mobileInvalid), ("06 12 34 56 78 90", .mobileInvalid), ("6 12 34 56 78", .mobileInvalid),
        ("portable de sa fille", .mobileInvalid), ("06 12 34 56 7a", .mobileInvalid), ("+0 612345678", .mobileInvalid),
        ("+12345678", .mobileInvalid), ("+1234567890123456", .mobileInvalid), ("00 12 34 56 78", .mobileInvalid),
    ])
    func whatIsNotAMobileIsRefusedWithItsReason(_ typed: String, _ code: ReasonCode) {
        #expect(MobileNumber.normalized(typed) == .failure(Reason(code)), "\(typed)")
    }

    @Test func theFormShowsTheNumberAsFrenchReadersWriteIt() {
        #expect(MobileNumber.display("+33612345678") == "06 12 34 56 78")
        #expect(MobileNumber.display("+32470123456") == "+32470123456")
    }

    @Test func aParticipantConsentingToSMSNeedsAMobileAndSMSAsPreferenceNeedsBoth() throws {
        var details = ParticipantDetails(firstName: "Ana", lastName: "Martin", mobile: "06 12 34 56 78", consentSms: true)
        details.preferredChannel = .sms
        #expect(try details.validated(currentYear: 2027).mobile == "+33612345678")
        // A mobile alone is a way to reach them.
        #expect(throws: Never.self) { try ParticipantDetails(firstName: "Ana", lastName: "Martin", mobile: "0612345678").validated(currentYear: 2027) }
        func problems(_ details: ParticipantDetails) -> [String: Reason] {
            do { _ = try details.validated(currentYear: 2027); return [:] } catch { return error.fields }
        }
        #expect(problems(ParticipantDetails(firstName: "Ana", lastName: "Martin", phone: "0320000000", consentSms: true))["consentSms"]
                == Reason(.consentSmsWithoutMobile))
        #expect(problems(ParticipantDetails(firstName: "Ana", lastName: "Martin", mobile: "01 23 45 67 89"))["mobile"] == Reason(.mobileLandline))
        var unconsented = ParticipantDetails(firstName: "Ana", lastName: "Martin", mobile: "0612345678")
        unconsented.preferredChannel = .sms
        #expect(problems(unconsented)["preferredChannel"] == Reason(.channelSmsMissing))
    }

    // MARK: Lengths

    @Test func gsm7CountsSeptetsAndSplitsAt153() {
        #expect(SMSText.length(of: String(repeating: "a", count: 160)) == .init(encoding: .gsm7, units: 160, segments: 1))
        #expect(SMSText.length(of: String(repeating: "a", count: 161)) == .init(encoding: .gsm7, units: 161, segments: 2))
        #expect(SMSText.length(of: String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText.length(of: String(repeating: "a", count: 307)).segments == 3)
        #expect(SMSText.length(of: String(repeating: "a", count: 459)).segments == 3)
        #expect(SMSText.length(of: String(repeating: "a", count: 460)).segments == 4)
        // é è à ù É are GSM-7; the extension table's characters take two septets.
        #expect(SMSText.length(of: "Séance à 18 h, salle É") == .init(encoding: .gsm7, units: 22, segments: 1))
        #expect(SMSText.length(of: "5 €") == .init(encoding: .gsm7, units: 4, segments: 1))
        #expect(SMSText.length(of: String(repeating: "€", count: 80)) == .init(encoding: .gsm7, units: 160, segments: 1))
        // Never a two-septet character cut between two parts: after 152 plain ones, € does not fit in the
        // first part, so 306 septets take three SMS where 306 plain ones take two.
        #expect(SMSText.length(of: String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152))
                == .init(encoding: .gsm7, units: 306, segments: 3))
        #expect(SMSText.length(of: String(repeating: "a", count: 306)).segments == 2)
    }

    @Test func oneLetterOutsideGSM7MakesTheWholeTextUCS2() {
        // "août", "êtes", "ça": French letters the GSM alphabet lacks.
        for word in ["août", "vous êtes", "ça va", "Noël", "Zoë", "Ô"] {
            #expect(SMSText.encoding(of: "Bonjour, \(word)") == .ucs2, "\(word)")
        }
        #expect(SMSText.length(of: String(repeating: "ê", count: 70)) == .init(encoding: .ucs2, units: 70, segments: 1))
        #expect(SMSText.length(of: String(repeating: "ê", count: 71)).segments == 2)
        #expect(SMSText.length(of: String(repeating: "ê", count: 201)).segments == 3)
        #expect(SMSText.length(of: String(repeating: "ê", count: 202)).segments == 4)
        // An emoji outside the basic plane takes two UTF-16 units.
        #expect(SMSText.length(of: "🙂").units == 2)
    }

    @Test func typographicPunctuationIsMadePlainSoThatItDoesNotForceUCS2() {
        let text = SMSText.normalized("L\u{2019}équipe vous dit « à\u{00A0}demain » \u{2013} merci\u{2026}  \n\n\n fin ")
        #expect(text == "L'équipe vous dit \"à demain\" - merci...\n\nfin")
        #expect(SMSText.encoding(of: text) == .gsm7)
    }

    @Test func theSenderIsTheStructuresNameAsOperatorsAcceptIt() {
        #expect(SMSText.senderName(from: "CSAPA Nord") == "CSAPA Nord")
        #expect(SMSText.senderName(from: "Structure de démonstration") == "Structure")
        #expect(SMSText.senderName(from: "Hôpital Saint-Éloi") == "Hopital")
        #expect(SMSText.senderName(from: "Centre d'addictologie du Val") == "Centre")
        #expect(SMSText.senderName(from: "Établissementpublicdesanté") == "Etablisseme")
        #expect(SMSText.senderName(from: "—") == nil)
        for sender in ["CSAPA Nord", "Relais", "0612345678", "+33612345678"] { #expect(SMSText.isValidSender(sender), "\(sender)") }
        for sender in ["CSAPA Nord-Est", "Hôpital", "", "12", " CSAPA"] { #expect(!SMSText.isValidSender(sender), "\(sender)") }
    }

    // MARK: Channel rules, case by case (the README's table)

    static let participantKinds = MessageKind.allCases.filter { $0.isParticipantMail }

    @Test func emailWhenConsentedElseSMSWhenConsentedElseAPhoneTaskOrNothing() {
        let both = ContactMeans(email: true, sms: true), emailOnly = ContactMeans(email: true, sms: false)
        let smsOnly = ContactMeans(email: false, sms: true), neither = ContactMeans(email: false, sms: false)
        let prefersSMS = ContactMeans(email: true, sms: true, prefersSMS: true)
        let mustNotMiss: Set<MessageKind> = [.sessionChanged, .sessionCancelled, .consultationChanged, .endQuestionnaire,
                                             .endQuestionnaireReminder, .followUpInvitation, .followUpReminder]
        let expected: [MessageKind: [MessageChannel?]] = Dictionary(uniqueKeysWithValues: Self.participantKinds.map { kind in
            // both, email only, SMS only, neither, both with SMS preferred
            (kind, [.email, .email, .sms, mustNotMiss.contains(kind) ? .phone : nil, .sms])
        })
        #expect(Set(expected.keys) == [.enrolmentConfirmation, .waitingList, .sessionReminder, .sessionChanged, .sessionCancelled,
                                       .consultationReminder, .consultationChanged, .endQuestionnaire, .endQuestionnaireReminder,
                                       .followUpInvitation, .followUpReminder])
        for (kind, channels) in expected {
            let found = [both, emailOnly, smsOnly, neither, prefersSMS].map { ChannelRules.channel(for: kind, $0) }
            #expect(found == channels, "\(kind.rawValue)")
        }
        // Preferring SMS without being reachable by SMS: email still.
        #expect(ChannelRules.channel(for: .sessionReminder, ContactMeans(email: true, sms: false, prefersSMS: true)) == .email)
        // Staff mail is email only, whatever; the follow-up call is a phone task by nature.
        for kind in [MessageKind.staffDigest, .evaluationReminder, .passwordReset] { #expect(ChannelRules.channels(for: kind) == [.email]) }
        #expect(ChannelRules.channel(for: .followUpCall, both) == .phone)
        #expect(ChannelRules.isAppointmentReminder(.sessionReminder) && ChannelRules.isAppointmentReminder(.consultationReminder))
        #expect(!ChannelRules.isAppointmentReminder(.sessionChanged))
    }

    @Test func kannelReportTypesMapToDeliveryStates() {
        #expect(SMSDelivery(kannelType: 1) == .delivered)
        #expect(SMSDelivery(kannelType: 2) == .failed && SMSDelivery(kannelType: 16) == .failed)
        #expect(SMSDelivery(kannelType: 8) == .accepted && SMSDelivery(kannelType: 4) == .accepted)
        #expect(SMSDelivery(kannelType: 3) == nil)
        #expect(SMSDelivery.delivered.isFinal && SMSDelivery.failed.isFinal && !SMSDelivery.accepted.isFinal)
    }

    // MARK: Quiet hours: no SMS at night, on Sundays or public holidays

    static let paris = TimeZone(identifier: "Europe/Paris")!
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let sms = SendingWindow(timeZone: paris, closedOnPublicHolidays: true)

    @Test func smsWaitForTheMorningAfterTheNightAndSundays() {
        let sms = Self.sms
        #expect(sms.allows(Self.at("2027-03-02T08:00:00Z")))          // Tuesday 09:00 in Paris
        #expect(!sms.allows(Self.at("2027-03-02T07:59:00Z")))         // 08:59
        #expect(!sms.allows(Self.at("2027-03-02T18:00:00Z")))         // 19:00
        #expect(!sms.allows(Self.at("2027-03-07T10:00:00Z")))         // Sunday
        #expect(sms.nextOpening(atOrAfter: Self.at("2027-03-02T20:30:00Z")) == Self.at("2027-03-03T08:00:00Z"))
        #expect(sms.nextOpening(atOrAfter: Self.at("2027-03-06T18:30:00Z")) == Self.at("2027-03-08T08:00:00Z"), "Saturday evening: Monday")
        #expect(sms.nextOpening(atOrAfter: Self.at("2027-03-02T05:00:00Z")) == Self.at("2027-03-02T08:00:00Z"))
        #expect(sms.nextOpening(atOrAfter: Self.at("2027-03-02T10:00:00Z")) == Self.at("2027-03-02T10:00:00Z"), "open: now")
    }

    @Test func smsWaitForTheDayAfterAPublicHolidayWhileMailDoesNot() {
        // Wednesday 14 July 2027 and Wednesday 11 November 2026; Easter Monday 29 March 2027.
        for holiday in ["2027-07-14T10:00:00Z", "2026-11-11T10:00:00Z", "2027-03-29T10:00:00Z"] {
            #expect(!Self.sms.allows(Self.at(holiday)), "\(holiday)")
            #expect(SendingWindow(timeZone: Self.paris).allows(Self.at(holiday)), "mail goes on \(holiday)")
        }
        #expect(Self.sms.nextOpening(atOrAfter: Self.at("2027-07-14T10:00:00Z")) == Self.at("2027-07-15T07:00:00Z"))
        // Saturday 1 May 2027 (a holiday), then Sunday: Monday 3 May.
        #expect(Self.sms.nextOpening(atOrAfter: Self.at("2027-04-30T18:00:00Z")) == Self.at("2027-05-03T07:00:00Z"))
        var open = Self.sms
        open.closedOnPublicHolidays = false
        #expect(open.allows(Self.at("2027-07-14T10:00:00Z")))
    }
}
