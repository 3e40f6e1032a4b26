import Foundation
import Logging
import RelaisDomain
import RelaisMail
import RelaisSMS
@testable import RelaisSender
import RelaisStore
import RelaisTestSupport
import Testing

/// An SMS transport that keeps what it is given (or refuses it, as told).
final class RecordingSMS: SMSTransport, @unchecked Sendable {
    let name = "recording"
    private let lock = NSLock()
    private var messages: [SMSMessage] = []
    private var refusal: SMSDeliveryError?

    var sent: [SMSMessage] { lock.withLock { messages } }
    func refuse(with error: SMSDeliveryError?) { lock.withLock { refusal = error } }

    func send(_ message: SMSMessage) throws(SMSDeliveryError) {
        try message.validate()
        if let error = lock.withLock({ refusal }) { throw error }
        lock.withLock { messages.append(message) }
    }
}

extension World {
    /// A sender with mail to a maildir of the world's folder and SMS to `sms`, the shipped SMS
    /// templates, and SMS hours closed on public holidays.
    func smsSender(_ sms: any SMSTransport, structurePhone: String? = "03 20 00 00 00", policy: ReminderPolicy = ReminderPolicy()) throws -> Sender {
        var sender = try self.sender(try MaildirTransport(directory: directory.file("maildir")), policy: policy)
        let templates = try SMSTemplates(directory: Self.protocols + "/sms")
        let composer = SMSComposer(templates: templates, sender: "Centre test", structureName: "Centre de test", structurePhone: structurePhone,
                                   publicBaseURL: "https://relais.example.org")
        let key = Secrets.randomBytes(32)
        sender.sms = SMSSending(transport: sms, composer: composer, window: SendingWindow(timeZone: Self.paris, closedOnPublicHolidays: true),
                                linkKey: { key })
        return sender
    }

    /// A participant reached by SMS only (or by both when `email` is given).
    func smsParticipant(_ first: String, mobile: String = "06 12 34 56 78", email: String? = nil, prefersSMS: Bool = false,
                        language: String = "fr", consentSms: Bool = true) throws -> ParticipantRecord {
        var details = ParticipantDetails(firstName: first, lastName: "Test", birthYear: 1980, email: email,
                                         preferredChannel: prefersSMS ? .sms : .none, consentDataProcessing: true, consentEmail: email != nil,
                                         consentFollowUp: true, language: language, mobile: mobile, consentSms: consentSms)
        details.preferredChannel = prefersSMS ? .sms : .none
        return try participants.create(try details.validated(currentYear: 2027), by: .system)
    }

    func maildirCount() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: directory.file("maildir/new")).count) ?? 0 }
}

/// SMS through the same outbox and sweep as mail: the channel rules, the SMS hours, the texts
/// (rendered with real data and measured), the short link, retries and failures into phone
/// tasks, delivery reports. Times around the March 2027 programme in Paris (UTC+1): Thursday
/// 4 March 18:00 local is 17:00Z.
@Suite("SMS: channel, hours, texts, failures and delivery reports", .serialized)
struct SMSTests {
    static func at(_ text: String) -> Date { World.instant(text) }

    @Test func aParticipantWithOnlyAMobileGetsTheReminderBySMSTheDayBeforeWhenConfigured() throws {
        var policy = ReminderPolicy()
        policy.smsReminderDays = 1
        let world = try World(policy: policy)
        let sms = RecordingSMS()
        let (programme, sessions) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.smsParticipant("Ana")
        #expect(ana.mobile == "+33612345678")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        #expect(try world.pending(.sessionReminder).allSatisfy { $0.channel == .sms }, "staff see the channel of what is pending")
        let sender = try world.smsSender(sms, policy: policy)

        // The confirmation goes at once, by SMS.
        let first = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z"))
        #expect(first.sent == 1 && first.smsSent == 1)
        #expect(sms.sent.first?.to == "+33612345678" && sms.sent.first?.from == "Centre test")
        #expect(sms.sent.first?.text == "Bonjour Ana, inscription confirmée ! 1re séance jeudi 4 mars à 18 h 00, 1 rue Exemple, Salle A. Rappel par SMS avant chaque séance.")
        // Two days before (when the email would go): the SMS waits for the day before.
        let early = try sender.sweep(at: Self.at("2027-03-02T17:00:00Z"))
        #expect(early.sent == 0 && early.deferred == 1)
        let waiting = try #require(try world.pending(.sessionReminder).first { $0.sessionId == sessions[0].id })
        #expect(waiting.nextAttemptAt == Self.at("2027-03-03T17:00:00Z"))
        #expect(try sender.sweep(at: Self.at("2027-03-03T16:59:00Z")).sent == 0)
        let reminder = try sender.sweep(at: Self.at("2027-03-03T17:00:00Z"))
        #expect(reminder.smsSent == 1)
        #expect(sms.sent.last?.text == "Bonjour Ana, rappel : séance de groupe jeudi 4 mars à 18 h 00, 1 rue Exemple, Salle A. Empêchement : 03 20 00 00 00")
        let sent = try world.outbox.list(state: .sent, kind: .sessionReminder, participantID: ana.id)
        #expect(sent.count == 1 && sent[0].channel == .sms && sent[0].recipient == "+33612345678")
        #expect(sent[0].messageId?.hasPrefix(sent[0].id + ".") == true, "the reference its delivery reports will name")
        #expect(world.maildirCount() == 0, "no email for someone without one")
    }

    @Test func aReminderWhoseDayBeforeIsClosedToSMSGoesSoonerRatherThanNever() throws {
        var policy = ReminderPolicy()
        policy.smsReminderDays = 1
        let world = try World(policy: policy)
        let sms = RecordingSMS()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.smsParticipant("Ana")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        // A consultation on Monday 8 March 2027 at 08:30 in Paris: the day before is a Sunday, and
        // Monday's SMS hours open after it.
        let consultation = try Consultations(store: world.store, clock: world.time.clock).book(
            programmeID: programme.id, participantID: ana.id, index: 1, facilitatorID: world.lead.id, start: Self.at("2027-03-08T07:30:00Z"),
            end: Self.at("2027-03-08T08:15:00Z"), modality: .inPerson, allowedIndexes: 1...2, by: .system)
        let sender = try world.smsSender(sms, policy: policy)
        _ = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z"))
        // Due Saturday 6 March 08:30 (two days before, as the email), before the hours: nothing moves.
        #expect(try sender.sweep(at: Self.at("2027-03-06T07:30:00Z")).windowOpen == false)
        // Saturday 09:00: waiting for the day before would mean Monday 09:00, after the consultation: it goes now.
        let saturday = try sender.sweep(at: Self.at("2027-03-06T08:00:00Z"))
        #expect(saturday.smsSent == 1 && saturday.deferred == 0)
        let reminder = try #require(try world.outbox.list(state: .sent, kind: .consultationReminder, participantID: ana.id).first)
        #expect(reminder.payload["consultationId"] == consultation.id && reminder.channel == .sms)
        #expect(sms.sent.last?.text == "Bonjour Ana, rappel : rendez-vous individuel lundi 8 mars à 8 h 30, 1 rue Exemple. Empêchement : 03 20 00 00 00")
    }

    @Test func noSMSAtNightOnSundaysOrPublicHolidaysWhileMailGoesOnAHoliday() throws {
        let world = try World(now: "2027-07-01T08:00:00Z")
        let sms = RecordingSMS()
        // A programme whose first session is Thursday 15 July 2027, the day after the 14th.
        let (programme, _) = try world.programme(start: "2027-07-15T18:00")
        let ana = try world.smsParticipant("Ana")
        let bea = try world.participant("Béa", email: "bea@example.org")
        for person in [ana, bea] { _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system) }
        let sender = try world.smsSender(sms)

        // Sunday 4 July: nothing at all.
        let sunday = try sender.sweep(at: Self.at("2027-07-04T10:00:00Z"))
        #expect(!sunday.windowOpen && sunday.sent == 0 && sms.sent.isEmpty)
        // Monday 5 July at 22:00 in Paris: closed for both.
        #expect(try sender.sweep(at: Self.at("2027-07-05T20:00:00Z")).windowOpen == false)
        // Monday 09:00: the confirmations go, by mail and by SMS.
        let monday = try sender.sweep(at: Self.at("2027-07-05T07:00:00Z"))
        #expect(monday.sent == 2 && monday.smsSent == 1)
        // The reminders fall due Tuesday 13 July 18:00: the SMS window closes at 19:00, it goes.
        // (Here at 18:30 local; the mail too.)
        let tuesday = try sender.sweep(at: Self.at("2027-07-13T16:30:00Z"))
        #expect(tuesday.sent == 2 && tuesday.smsSent == 1)
        // Move the first session to Thursday 15 July 10:00: its notice (and the reminder of its new
        // time) are due now… on the 14th, a holiday: the emails go, the SMS wait for Thursday 09:00.
        world.time.set(Self.at("2027-07-14T08:00:00Z"))
        let session = try #require(try world.programmes.programme(id: programme.id).1.first)
        _ = try world.programmes.reschedule(sessionID: session.id, start: Self.at("2027-07-15T08:00:00Z"), end: Self.at("2027-07-15T10:00:00Z"),
                                            roomID: .none, holiday: nil, reason: "salle indisponible", by: .system)
        let holiday = try sender.sweep(at: Self.at("2027-07-14T08:00:00Z"))
        #expect(holiday.sent == 2 && holiday.smsSent == 0 && holiday.deferred == 2)
        let notice = try #require(try world.outbox.list(state: .pending, kind: .sessionChanged, participantID: ana.id).first)
        #expect(notice.nextAttemptAt == Self.at("2027-07-15T07:00:00Z") && notice.channel == .sms)
        #expect(try sender.sweep(at: Self.at("2027-07-15T06:59:00Z")).smsSent == 0)
        #expect(try sender.sweep(at: Self.at("2027-07-15T07:00:00Z")).smsSent == 2)
        #expect(sms.sent.contains { $0.text.contains("Bonjour Ana, séance de groupe du 15 juillet déplacée au jeudi 15 juillet à 10 h 00") })
    }

    @Test func theChannelRulesChooseEmailThenSMSThenAPhoneTaskForEachParticipant() throws {
        let world = try World()
        let sms = RecordingSMS()
        let (programme, sessions) = try world.programme(start: "2027-03-04T18:00")
        let both = try world.smsParticipant("Both", email: "both@example.org")
        let prefers = try world.smsParticipant("Prefers", mobile: "07 11 22 33 44", email: "prefers@example.org", prefersSMS: true)
        let onlySMS = try world.smsParticipant("Only", mobile: "+32 470 12 34 56")
        let refused = try world.smsParticipant("Refused", email: nil, consentSms: false)
        for person in [both, prefers, onlySMS, refused] {
            _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system)
        }
        let sender = try world.smsSender(sms)
        _ = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z"))
        let confirmations = try world.outbox.list(state: nil, kind: .enrolmentConfirmation, participantID: nil)
        func channel(_ person: ParticipantRecord) -> MessageChannel? { confirmations.first { $0.participantId == person.id }?.channel }
        #expect(channel(both) == .email && channel(prefers) == .sms && channel(onlySMS) == .sms && channel(refused) == nil)
        #expect(Set(sms.sent.map(\.to)) == ["+33711223344", "+32470123456"])
        #expect(world.maildirCount() == 1)
        // "Refused" (a mobile, no consent to SMS): a routine confirmation is not sent, a change notice becomes a call.
        #expect(confirmations.first { $0.participantId == refused.id }?.state == .skipped)
        world.time.set(Self.at("2027-02-02T10:00:00Z"))
        _ = try world.programmes.cancel(sessionID: sessions[1].id, reason: "formateur absent", by: .system)
        _ = try sender.sweep(at: Self.at("2027-02-02T10:00:00Z"))
        let notices = try world.outbox.list(state: nil, kind: .sessionCancelled, participantID: nil)
        #expect(notices.first { $0.participantId == refused.id }?.channel == .phone)
        #expect(notices.first { $0.participantId == onlySMS.id }?.channel == .sms)
        #expect(try world.tasks.list(state: .open, assignedTo: nil, participantID: refused.id).map(\.kind) == [.sessionChangeCall])
        #expect(try world.tasks.list(state: .open, assignedTo: nil, participantID: onlySMS.id).isEmpty, "reached by SMS: nobody has to call")

        // Changing the details changes the channel of what is pending.
        let reminderOf = { (person: ParticipantRecord) in try world.outbox.list(state: .pending, kind: .sessionReminder, participantID: person.id) }
        #expect(try reminderOf(both).allSatisfy { $0.channel == .email })
        var details = both.details
        details.consentEmail = false
        _ = try world.participants.update(id: both.id, details, by: .system)
        #expect(try reminderOf(both).allSatisfy { $0.channel == .sms })
    }

    @Test func switchedOffSMSGoNowhereAndQuestionnairesBecomeCalls() throws {
        var policy = ReminderPolicy()
        policy.smsEnabled = false
        let world = try World(policy: policy)
        let sms = RecordingSMS()
        let ana = try world.smsParticipant("Ana")
        try world.programmeAttendedToTheEnd(by: ana)
        var sender = try world.smsSender(sms, policy: policy)
        sender.sms = nil
        let report = try sender.sweep(at: Self.at("2027-03-19T09:00:00Z"))
        #expect(sms.sent.isEmpty && report.tasksOpened == 1)
        #expect(try world.tasks.list(state: .open, assignedTo: nil, participantID: ana.id).map(\.kind) == [.questionnaireCall])
    }

    @Test func aQuestionnaireBySMSCarriesTheShortLinkOfTheLettersCodeTheSameInItsReminder() throws {
        let world = try World()
        let sms = RecordingSMS()
        let ana = try world.smsParticipant("Ana")
        try world.programmeAttendedToTheEnd(by: ana)
        let sender = try world.smsSender(sms)
        let key = Secrets.randomBytes(32)
        var keyed = sender
        keyed.sms?.linkKey = { key }
        _ = try keyed.sweep(at: Self.at("2027-03-19T09:00:00Z"))
        let invitation = try #require(sms.sent.last)
        #expect(invitation.text.hasPrefix("Bonjour Ana, le programme de groupe est terminé : merci !"))
        let link = try #require(invitation.text.split(separator: " ").last.map(String.init))
        #expect(link.hasPrefix("https://relais.example.org/c/") && link.count == "https://relais.example.org/c/".count + 11)
        let code = try #require(LetterCode.normalized(String(link.dropFirst("https://relais.example.org/c/".count))))
        // The code opens the questionnaire, as a letter's does.
        guard case .open(let token) = try world.questionnaires.resolve(code: code, clientAddress: "203.0.113.9", key: key) else {
            Issue.record("the code does not open the questionnaire")
            return
        }
        guard case .open(let invitationRecord, let firstName, _, _) = try world.questionnaires.lookup(token: token) else {
            Issue.record("the link does not open")
            return
        }
        #expect(firstName == "Ana" && invitationRecord.purpose == .endOfProgramme)
        // A week later the reminder carries the same link; the letter of its task would too.
        _ = try keyed.sweep(at: Self.at("2027-03-26T09:00:00Z"))
        #expect(sms.sent.filter { $0.text.hasSuffix(link) }.count == 2)
        #expect(sms.sent.last?.text.hasPrefix("Bonjour Ana, nous attendons encore votre avis") == true)
        #expect(try world.questionnaires.letterLink(invitationID: invitationRecord.id, days: 60, key: key).code == code)
    }

    @Test func aFailingGatewayRetriesThenFailsIntoAPhoneTaskWhileMailGoesOn() throws {
        let world = try World()
        let sms = RecordingSMS()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.smsParticipant("Ana")
        let bea = try world.participant("Béa", email: "bea@example.org")
        for person in [ana, bea] { _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system) }
        var policy = ReminderPolicy()
        policy.maxAttempts = 2
        let sender = try world.smsSender(sms, policy: policy)
        sms.refuse(with: SMSDeliveryError(reason: "connection refused", failure: .gatewayUnreachable))
        let down = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z"))
        #expect(down.smsTransportError == "connection refused" && down.retrying == 1 && down.sent == 1, "the email still goes")
        #expect(world.maildirCount() == 1)
        let retrying = try #require(try world.outbox.list(state: .pending, kind: .enrolmentConfirmation, participantID: ana.id).first)
        #expect(retrying.attempts == 1 && retrying.failure == .gatewayUnreachable && retrying.nextAttemptAt == Self.at("2027-02-01T10:05:00Z"))
        // The last attempt: failed, and a phone task (someone reached only by SMS would be told nothing).
        let failed = try sender.sweep(at: Self.at("2027-02-01T10:05:00Z"))
        #expect(failed.failed == 1)
        let tasks = try world.tasks.list(state: .open, assignedTo: nil, participantID: ana.id)
        #expect(tasks.map(\.kind) == [.deliveryFailed] && tasks[0].reason.hasPrefix("Échec d'envoi du SMS"))
        // A number the gateway refuses for good fails at once, without a retry.
        sms.refuse(with: SMSDeliveryError(reason: "Kannel refused the SMS (400 Missing receiver number)", isPermanent: true, failure: .numberInvalid))
        let refused = try sender.sweep(at: Self.at("2027-03-02T17:00:00Z"))
        #expect(refused.failed == 1 && refused.retrying == 0 && refused.smsTransportError == nil)
    }

    @Test func deliveryReportsAreRecordedOnceAndAFailureBecomesAPhoneTask() throws {
        let world = try World()
        let sms = RecordingSMS()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.smsParticipant("Ana")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        let sender = try world.smsSender(sms)
        _ = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z"))
        _ = try sender.sweep(at: Self.at("2027-03-02T17:00:00Z"))
        let references = sms.sent.map(\.reference)
        try #require(references.count == 2)
        let outbox = world.outbox
        let now = Self.at("2027-03-02T17:00:05Z")
        #expect(try outbox.recordDelivery(reference: references[0], report: .accepted, detail: "ACK/", at: now, timeZone: World.paris) == .accepted)
        #expect(try outbox.recordDelivery(reference: references[0], report: .delivered, detail: nil, at: now, timeZone: World.paris) == .delivered)
        // Twice, and a late intermediate report: nothing changes.
        #expect(try outbox.recordDelivery(reference: references[0], report: .delivered, detail: nil, at: now.addingTimeInterval(60), timeZone: World.paris) == .delivered)
        #expect(try outbox.recordDelivery(reference: references[0], report: .accepted, detail: nil, at: now.addingTimeInterval(60), timeZone: World.paris) == .delivered)
        let confirmation = try #require(try world.outbox.list(state: nil, kind: .enrolmentConfirmation, participantID: ana.id).first)
        #expect(confirmation.state == .sent && confirmation.delivery == .delivered && confirmation.deliveryAt == now)
        #expect(try outbox.recordDelivery(reference: "unknown.reference", report: .delivered, detail: nil, at: now, timeZone: World.paris) == nil)
        // The reminder did not reach the phone: failed, and a call to make.
        #expect(try outbox.recordDelivery(reference: references[1], report: .failed, detail: "NACK/0x0000000b/Invalid Destination Address",
                                          at: now, timeZone: World.paris) == .failed)
        let reminder = try #require(try world.outbox.list(state: nil, kind: .sessionReminder, participantID: ana.id).first { $0.messageId == references[1] })
        #expect(reminder.state == .failed && reminder.failure == .notDelivered && reminder.delivery == .failed)
        #expect(try world.tasks.list(state: .open, assignedTo: nil, participantID: ana.id).map(\.kind) == [.deliveryFailed])
        // Retried by staff, sent again: a new reference; a late report of the first attempt is ignored.
        _ = try outbox.retry(id: reminder.id, by: .system)
        sms.refuse(with: nil)
        _ = try sender.sweep(at: Self.at("2027-03-02T17:10:00Z"))
        let again = try #require(try world.outbox.message(id: reminder.id))
        #expect(again.state == .sent && again.messageId != references[1] && again.delivery == nil)
        #expect(try outbox.recordDelivery(reference: references[1], report: .failed, detail: nil, at: now, timeZone: World.paris) == nil)
        #expect(try world.outbox.message(id: reminder.id)?.state == .sent)
    }

    @Test func theSpoolWritesEachSMSAsAFileAtomically() throws {
        let directory = TemporaryDirectory()
        let spool = try SpoolTransport(directory: directory.file("sms"))
        let path = try spool.write(SMSMessage(to: "+33612345678", from: "CSAPA Nord", text: "Bonjour Anaïs, rappel : séance jeudi.",
                                              reference: "abc.123", kind: "session_reminder"))
        #expect(path.hasPrefix(directory.file("sms/new/")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("sms/tmp")).isEmpty, "nothing left half-written")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
            To: +33612345678
            From: CSAPA Nord
            Reference: abc.123
            Kind: session_reminder
            Encoding: UCS-2
            Segments: 1

            Bonjour Anaïs, rappel : séance jeudi.

            """)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // What no gateway should get is refused, permanently.
        #expect(throws: SMSDeliveryError.self) { try spool.send(SMSMessage(to: "0612345678", from: "X", text: "a", reference: "r")) }
        do {
            try spool.send(SMSMessage(to: "+33612345678", from: "X", text: String(repeating: "ê", count: 202), reference: "r"))
            Issue.record("a text of four SMS must be refused")
        } catch {
            #expect(error.failure == .textTooLong && error.isPermanent)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("sms/new")).count == 1)
    }
}
