import Foundation
import RelaisDomain
import RelaisSMS
@testable import RelaisSender
import RelaisStore
import RelaisTestSupport
import Testing

/// The shipped SMS templates (Protocols/sms), rendered by the real sweep with real data — a
/// structure whose site, programme and sessions have names that say what they are about, people
/// with long accented names, a long address — in French and in English, for every kind a
/// participant may receive by SMS. Each text must fit in three SMS (counted in UCS-2 as soon as one
/// character needs it), and say no score, no clinical word and nothing of another participant.
@Suite("SMS texts with real data", .serialized)
struct SMSTextsTests {
    static func at(_ text: String) -> Date { World.instant(text) }

    /// Words a text shown on a locked phone must not carry, compared without case or accents.
    static let clinicalWords = ["tabac", "tabag", "sevrage", "nicotin", "cigarette", "fum", "addict", "dependance", "fagerstr", "q-mat",
                                "score", "smok", "tobacco", "cessation", "quit", "csapa", "patch", "substitut", "evaluer"]

    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
    }

    @Test func everySMSOfEveryKindFitsInThreeSMSAndSaysNothingClinicalNorOfAnotherParticipant() throws {
        let world = try World()
        let sms = RecordingSMS()
        let sites = Sites(store: world.store, clock: world.time.clock)
        let site = try sites.create(name: "CSAPA Nord — addictologie et sevrage tabagique",
                                    address: "Bâtiment B, 3e étage, 128 avenue du Général-de-Gaulle, 59000 Lille", by: .system)
        let room = try sites.addRoom(siteID: site.id, name: "Salle de réunion Jean-Baptiste Lamarck", capacity: 12, by: .system)
        let plan = try Planner.plan(template: world.template, start: LocalDateTime(iso: "2027-03-04T18:00")!, timeZone: World.paris)
        let (programme, sessions) = try world.programmes.create(
            ProgrammeDraft(template: world.template, title: "Sevrage tabagique — printemps (Mois sans tabac)", siteID: site.id, roomID: room.id,
                           modality: .inPerson, visioURL: nil, capacity: 2, timeZone: World.paris, leadID: world.lead.id, peerHelperID: nil,
                           sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue), by: .system)
        let people = [
            try world.smsParticipant("Marie-Bérénice", mobile: "06 11 22 33 44"),
            try world.smsParticipant("Zoë-Gwendoline", mobile: "+44 7700 900123", language: "en"),
            try world.smsParticipant("Anaïs-Éloïse", mobile: "07 55 66 77 88"),
            try world.smsParticipant("Jean-Christophe", mobile: "06 92 12 34 56", language: "en"),
        ]
        for person in people {
            _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: true, by: .system)
        }
        let consultations = Consultations(store: world.store, clock: world.time.clock)
        let booked = try [(people[0], "2027-03-09T10:00:00Z", ConsultationModality.inPerson), (people[1], "2027-03-10T10:00:00Z", .phone)].map {
            try consultations.book(programmeID: programme.id, participantID: $0.0.id, index: 1, facilitatorID: world.lead.id, start: Self.at($0.1),
                                   end: Self.at($0.1).addingTimeInterval(2700), modality: $0.2, allowedIndexes: 1...2, by: .system)
        }
        let sender = try world.smsSender(sms, structurePhone: "03 20 00 00 00")
        func sweep(_ instant: String) throws {
            world.time.set(Self.at(instant))
            _ = try sender.sweep(at: Self.at(instant))
        }
        // Confirmations and waiting list; a consultation moved; the session reminders.
        try sweep("2027-02-01T10:00:00Z")
        world.time.set(Self.at("2027-02-02T10:00:00Z"))
        _ = try consultations.update(id: booked[0].id, status: nil, note: nil, start: Self.at("2027-03-09T14:00:00Z"),
                                     end: Self.at("2027-03-09T14:45:00Z"), modality: nil, by: .system)
        _ = try consultations.update(id: booked[1].id, status: nil, note: nil, start: Self.at("2027-03-10T15:00:00Z"),
                                     end: Self.at("2027-03-10T15:45:00Z"), modality: nil, by: .system)
        try sweep("2027-02-02T10:00:00Z")
        try sweep("2027-03-02T17:00:00Z")
        // The consultations' reminders (one due on a Sunday waits for Monday); session 2 moved, session 3 cancelled.
        try sweep("2027-03-08T10:00:00Z")
        world.time.set(Self.at("2027-03-08T11:00:00Z"))
        _ = try world.programmes.reschedule(sessionID: sessions[1].id, start: Self.at("2027-03-12T17:00:00Z"), end: Self.at("2027-03-12T19:00:00Z"),
                                            roomID: .none, holiday: nil, reason: "salle indisponible", by: .system)
        _ = try world.programmes.cancel(sessionID: sessions[2].id, reason: "animatrice absente", by: .system)
        try sweep("2027-03-08T11:00:00Z")
        try sweep("2027-03-09T09:00:00Z")
        try sweep("2027-03-10T17:00:00Z")
        // The end of the programme: its questionnaires and their reminder; the follow-up and its reminder.
        world.time.set(Self.at("2027-03-12T19:00:00Z"))
        try world.enrolments.recordAttendance(sessionID: sessions[1].id, [(people[0].id, .present), (people[1].id, .present)], note: nil, by: .system)
        for day in ["2027-03-13T09:00:00Z", "2027-03-20T09:00:00Z", "2027-06-12T09:00:00Z", "2027-06-19T09:00:00Z"] { try sweep(day) }

        let messages = try world.outbox.list(state: nil, kind: nil, participantID: nil, channel: .sms, limit: 1000)
        let sent = sms.sent
        var seen: [String: Set<String>] = [:]
        for message in sent {
            let record = try #require(messages.first { $0.messageId == message.reference })
            let person = try #require(people.first { $0.id == record.participantId })
            seen[person.language, default: []].insert(record.kind.rawValue)
            let length = SMSText.length(of: message.text)
            #expect(length.segments <= SMSText.maxSegments, "\(record.kind.rawValue) (\(person.language)): \(length): \(message.text)")
            // A letter the GSM alphabet lacks counts the whole text in UCS-2.
            if message.text.contains(where: { "êâîôûçëïœ".contains($0) }) { #expect(length.encoding == .ucs2, "\(message.text)") }
            let text = Self.folded(message.text)
            for word in Self.clinicalWords { #expect(!text.contains(word), "'\(word)' in \(record.kind.rawValue): \(message.text)") }
            for other in people where other.id != person.id {
                #expect(!message.text.contains(other.firstName) && !message.text.contains(MobileNumber.display(other.mobile ?? "")),
                        "\(other.firstName) named in \(person.firstName)'s SMS")
            }
            #expect(message.text.contains(person.firstName) && message.to == person.mobile && message.from == "Centre test")
            #expect(!message.text.contains("{{") && !message.text.contains("  ") && !message.text.hasSuffix(" "))
        }
        let kinds = Set(SMSTemplates.smsKinds.map(\.rawValue))
        #expect(seen["fr"] == kinds, "French kinds missing: \(kinds.subtracting(seen["fr"] ?? []).sorted())")
        #expect(seen["en"] == kinds, "English kinds missing: \(kinds.subtracting(seen["en"] ?? []).sorted())")
        // The longest ones still took UCS-2 and more than one part: the count was put to the test.
        #expect(sent.contains { SMSText.length(of: $0.text).encoding == .ucs2 && SMSText.length(of: $0.text).segments > 1 })
        // The place is the address and the room (the end of the address alone when too long), never the site's name.
        let reminder = try #require(sent.first { $0.text.hasPrefix("Bonjour Marie-Bérénice, rappel : séance de groupe") })
        #expect(reminder.text.contains("18 h 00, 3e étage, 128 avenue du Général-de-Gaulle, 59000 Lille. Empêchement : 03 20 00 00 00"))
    }

    @Test func aTemplateFolderWithoutAFrenchTextOfAKindIsRefusedByName() throws {
        let directory = TemporaryDirectory()
        let folder = directory.file("sms")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: World.protocols + "/sms") where file != "session_reminder.fr.mustache" {
            try FileManager.default.copyItem(atPath: World.protocols + "/sms/" + file, toPath: folder + "/" + file)
        }
        #expect(throws: MailTemplateError(file: folder + "/session_reminder.fr.mustache", reason: "missing")) { try SMSTemplates(directory: folder) }
        try "x".write(toFile: folder + "/staff_digest.fr.mustache", atomically: true, encoding: .utf8)
        #expect(throws: MailTemplateError.self) { try SMSTemplates(directory: folder) }
    }
}
