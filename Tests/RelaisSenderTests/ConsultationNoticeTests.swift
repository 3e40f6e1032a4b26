import Foundation
import RelaisDomain
import RelaisMail
@testable import RelaisSender
import RelaisStore
import RelaisTestSupport
import Testing

extension World {
    var consultations: Consultations { Consultations(store: store, clock: time.clock) }

    /// Consultation `index` of `participant` in the March 2027 programme, at `start` (Paris time), 45 minutes.
    func consultation(for participant: ParticipantRecord, programme: ProgrammeRecord, start: String, index: Int = 1,
                      modality: ConsultationModality = .inPerson) throws -> ConsultationRecord {
        let begins = LocalDateTime(iso: start)!.instant(in: Self.paris)
        return try consultations.book(programmeID: programme.id, participantID: participant.id, index: index, facilitatorID: lead.id, start: begins,
                                      end: begins.addingTimeInterval(2700), modality: modality, allowedIndexes: 1...2, by: .system)
    }

    /// Moves a consultation to `start` (Paris time), keeping its length.
    @discardableResult
    func move(_ consultation: ConsultationRecord, to start: String) throws -> ConsultationRecord {
        let begins = LocalDateTime(iso: start)!.instant(in: Self.paris)
        return try consultations.update(id: consultation.id, status: nil, note: nil, start: begins, end: begins.addingTimeInterval(2700),
                                        modality: nil, by: .system)
    }
}

/// The notice of a moved individual consultation: queued in the same transaction as the move,
/// one per consultation while unsent (saying the time last told), none for one already past;
/// mailed with the old and the new time and the place, or a phone task without email.
@Suite("Consultation change notices")
struct ConsultationNoticeTests {
    static func at(_ text: String) -> Date { World.instant(text) }

    /// Ana, with an email, enrolled in the March 2027 programme.
    static func anaEnrolled() throws -> (World, ProgrammeRecord, ParticipantRecord) {
        let world = try World()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.participant("Ana", email: "ana@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        return (world, programme, ana)
    }

    @Test func aMovedConsultationIsToldOnceWithTheTimeLastToldAndTheNewOne() throws {
        let (world, programme, ana) = try Self.anaEnrolled()
        let consultation = try world.consultation(for: ana, programme: programme, start: "2027-03-08T10:00")
        #expect(try world.pending(.consultationChanged).isEmpty, "booking is no change")

        // Moved twice before the sweep: one notice, from the time she was told to the last one.
        let first = try world.move(consultation, to: "2027-03-09T14:00")
        let second = try world.move(first, to: "2027-03-10T16:30")
        let pending = try world.pending(.consultationChanged)
        try #require(pending.count == 1)
        #expect(pending[0].participantId == ana.id && pending[0].programmeId == programme.id)
        #expect(pending[0].payload["consultationId"] == consultation.id)
        #expect(pending[0].payload["previousStartsAt"] == String(Int(consultation.startsAt.timeIntervalSince1970)))
        #expect(pending[0].payload["startsAt"] == String(Int(second.startsAt.timeIntervalSince1970)))
        // A note or a status alone says nothing new.
        _ = try world.consultations.update(id: consultation.id, status: nil, note: "Note", start: nil, end: nil, modality: nil, by: .system)
        #expect(try world.pending(.consultationChanged).count == 1)

        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        #expect(try sender.sweep(at: Self.at("2027-02-01T10:05:00Z")).sent == 2, "the enrolment confirmation and the notice")
        let mails = try maildirMessages(world).filter { $0.subject?.contains("consultation") == true }
        try #require(mails.count == 1)
        let mail = mails[0]
        #expect(mail.subject == "Changement d'horaire : votre consultation le mercredi 10 mars 2027 à 16 h 30")
        let text = try #require(mail.text)
        #expect(text.contains("Votre consultation individuelle 1 du programme « Arrêter ensemble » a été déplacée."))
        #expect(text.contains("Avant : lundi 8 mars 2027 à 10 h 00"))
        #expect(text.contains("Désormais : le mercredi 10 mars 2027 de 16 h 30 à 17 h 15, avec Dr Lead."))
        #expect(text.contains("Lieu : Centre, 1 rue Exemple"))
        #expect(!text.contains("visio") && !text.contains("téléphone"))
        let ics = String(decoding: try #require(mail.attachments.first).data, as: UTF8.self)
        #expect(ics.contains("UID:consultation-\(consultation.id)@relais") && ics.contains("DTSTART;TZID=Europe/Paris:20270310T163000"))
        #expect(ics.contains("SEQUENCE:\(second.sequence)"))
        #expect(mail.defects.isEmpty)

        // Told once; moved again later: a new notice from the time of that one.
        let third = try world.move(second, to: "2027-03-11T09:00")
        let next = try #require(try world.pending(.consultationChanged).first)
        #expect(next.payload["previousStartsAt"] == String(Int(second.startsAt.timeIntervalSince1970)))
        // Moved back to the time she was told before it goes: nothing to tell.
        try world.move(third, to: "2027-03-10T16:30")
        #expect(try world.pending(.consultationChanged).isEmpty)
        #expect(try world.outbox.list(state: .cancelled, kind: .consultationChanged, participantID: ana.id).count == 1)
    }

    @Test func nothingIsToldForAPastConsultationAndANoticeOutrunByTimeIsNotSent() throws {
        let (world, programme, ana) = try Self.anaEnrolled()
        let consultation = try world.consultation(for: ana, programme: programme, start: "2027-03-08T10:00")
        world.time.set(Self.at("2027-03-08T12:00:00Z"))
        // The time of a consultation already held is corrected: nothing to tell.
        try world.move(consultation, to: "2027-03-08T09:30")
        #expect(try world.pending(.consultationChanged).isEmpty)
        // Moved to a time already past: nothing either.
        let bruno = try world.participant("Bruno", email: "bruno@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: bruno.id, waitingList: false, by: .system)
        let other = try world.consultation(for: bruno, programme: programme, start: "2027-03-12T10:00")
        #expect(other.startsAt > world.time.now)
        try world.move(other, to: "2027-03-08T08:00")
        #expect(try world.pending(.consultationChanged).isEmpty)

        // A notice still pending when the consultation begins is not sent.
        let later = try world.consultation(for: ana, programme: programme, start: "2027-03-15T10:00", index: 2)
        let moved = try world.move(later, to: "2027-03-15T11:00")
        #expect(try world.pending(.consultationChanged).count == 1)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        _ = try sender.sweep(at: moved.startsAt.addingTimeInterval(60))
        let closed = try world.outbox.list(state: .skipped, kind: .consultationChanged, participantID: ana.id)
        #expect(closed.count == 1 && closed[0].closedReason == "the consultation has already started")
    }

    @Test func withoutEmailTheChangeBecomesAPhoneTaskAndAVisioSaysItsLink() throws {
        let world = try World()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        let chloe = try world.participant("Chloé", email: nil)
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: chloe.id, waitingList: false, by: .system)
        let consultation = try world.consultation(for: chloe, programme: programme, start: "2027-03-08T10:00", modality: .phone)
        try world.move(consultation, to: "2027-03-09T10:00")
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        let report = try sender.sweep(at: Self.at("2027-02-01T10:05:00Z"))
        #expect(report.tasksOpened == 1)
        let tasks = try world.tasks.list(state: .open, assignedTo: nil, participantID: chloe.id)
        #expect(tasks.count == 1 && tasks[0].kind == .sessionChangeCall)
        #expect(tasks[0].reason == "Pas de courriel : prévenir par téléphone que la consultation individuelle a été déplacée.")

        // In English, by phone.
        let bob = try world.participant("Bob", email: "bob@example.org", language: "en")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: bob.id, waitingList: false, by: .system)
        let call = try world.consultation(for: bob, programme: programme, start: "2027-03-08T11:00", modality: .phone)
        try world.move(call, to: "2027-03-09T11:00")
        _ = try sender.sweep(at: Self.at("2027-02-01T10:10:00Z"))
        let english = try #require(try maildirMessages(world).first { $0.subject?.hasPrefix("New time") == true })
        #expect(english.subject == "New time: your consultation on Tuesday 9 March 2027 at 11:00")
        #expect(english.text?.contains("Before: Monday 8 March 2027 at 11:00") == true)
        #expect(english.text?.contains("By phone: we will call you at that time.") == true)
        #expect(english.text?.contains("Place:") == false)
    }

    func maildirMessages(_ world: World) throws -> [ParsedEmail] { try SenderTests().maildirMessages(world) }
}
