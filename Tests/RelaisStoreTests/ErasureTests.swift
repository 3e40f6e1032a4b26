import Foundation
import GRDB
import RelaisDomain
@testable import RelaisStore
import Testing

/// The protocols of the repository, read here without RelaisConfig.
private enum Shipped {
    static let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols")

    static func instrument(_ id: String) throws -> ConfiguredInstrument {
        let file = protocols.appendingPathComponent("instruments/\(id).json")
        return try ConfiguredInstrument(try Instrument.decode(try Data(contentsOf: file), file: file.path), file: file.path)
    }

    static func template() throws -> ProgrammeTemplate {
        let file = protocols.appendingPathComponent("programme-3g2i.json")
        return try ProgrammeTemplate.decode(try Data(contentsOf: file), file: file.path)
    }
}

/// A store with a tabacologue, a site, and a 3g2i programme in September 2026.
private struct World {
    let store: Store
    let time = ManualClock()
    let lead: User
    let programme: ProgrammeRecord
    let sessions: [SessionRecord]
    static let paris = TimeZone(identifier: "Europe/Paris")!

    init() throws {
        (store, _) = try temporaryStore()
        lead = try Accounts(store: store).createUser(name: "lead", role: .tabacologue, password: "long enough pw", by: .system)
        let site = try Sites(store: store).create(name: "Centre", address: "", by: .system)
        let template = try Shipped.template()
        let plan = try Planner.plan(template: template, start: LocalDateTime(iso: "2026-09-03T18:00")!, timeZone: Self.paris)
        (programme, sessions) = try Programmes(store: store).create(
            ProgrammeDraft(template: template, title: "Septembre", siteID: site.id, roomID: nil, modality: .inPerson, visioURL: nil,
                           capacity: 10, timeZone: Self.paris, leadID: lead.id, peerHelperID: nil,
                           sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue), by: .system)
        time.advance(86400 * 3) // after the programme (the clock starts in November 2026)
    }

    var records: ParticipantRecords { ParticipantRecords(store: store, clock: time.clock) }
    var participants: Participants { Participants(store: store, clock: time.clock, currentYear: { 2026 }) }

    func participant(_ first: String, _ last: String, email: String?, phone: String?, precarity: Bool = false) throws -> ParticipantRecord {
        try participants.create(ParticipantDetails(firstName: first, lastName: last, birthYear: 1970, email: email, phone: phone,
                                                   preferredChannel: .none, consentDataProcessing: true, consentEmail: email != nil,
                                                   consentFollowUp: true, smokerStatus: .exSmoker, precarity: precarity), by: .system)
    }
}

@Suite("Participant erasure and export")
struct ErasureTests {
    @Test func redactionReplacesWholeWordsIgnoringCaseAndAccents() {
        let tokens = ["Élodie Durand", "Durand", "Élodie", "elodie.durand@example.org", "06 12 34 56 78"]
        #expect(ParticipantRecords.redacted("Appel de elodie DURAND au 06 12 34 56 78", tokens: tokens)
                == "Appel de [effacé] au [effacé]")
        #expect(ParticipantRecords.redacted("search=Durand", tokens: tokens) == "search=[effacé]")
        #expect(ParticipantRecords.redacted("Écrire à elodie.durand@example.org.", tokens: tokens) == "Écrire à [effacé].")
        #expect(ParticipantRecords.redacted("M. Durandeau et Mme Bedurand", tokens: tokens) == nil, "whole words only")
        #expect(ParticipantRecords.redacted("programme=3f2e-durand9", tokens: ["durand9x"]) == nil)
        #expect(ParticipantRecords.identifyingTokens(ParticipantRecord(
            id: "x", firstName: "Li", lastName: "Ng", createdAt: Date(), email: nil, phone: nil, preferredChannel: .none, noContact: true,
            smokerStatus: .smoker, precarity: false, isolation: false, difficultCarePath: false, language: "fr")) == ["Li Ng", "Ng Li", "Ng", "Li"])
    }

    @Test func theAuditLogStaysAppendOnlyExceptForRedactingDetailsDuringAnErasure() throws {
        let (store, _) = try temporaryStore()
        try store.pool.write { db in try Audit.record(db, .system, "list", entity: "participant", detail: "search=Durand") }
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in try db.execute(sql: "UPDATE audit_log SET detail = 'x'") }
        }
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
        }
        #expect(throws: DatabaseError.self) {
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO setting(key, value) VALUES ('audit_redaction', 'now')")
                try db.execute(sql: "UPDATE audit_log SET detail = '[effacé]', action = 'other'")
            }
        }
        try store.pool.write { db in
            try db.execute(sql: "INSERT INTO setting(key, value) VALUES ('audit_redaction', 'now')")
            try db.execute(sql: "UPDATE audit_log SET detail = '[effacé]'")
            try db.execute(sql: "DELETE FROM setting WHERE key = 'audit_redaction'")
        }
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT detail FROM audit_log") } == ["[effacé]"])
        #expect(try store.appliedMigrations().contains("v5-erasure"))
    }

    @Test func erasureDeletesTheRecordAndKeepsAnonymousCountsAndOutcomes() throws {
        let world = try World()
        let store = world.store
        let durand = try world.participant("Élodie", "Durand", email: "elodie.durand@example.org", phone: "06 12 34 56 78", precarity: true)
        let other = try world.participant("Jean", "Petit", email: nil, phone: "07 00 00 00 00")
        let enrolments = Enrolments(store: store, clock: world.time.clock)
        for person in [durand, other] {
            _ = try enrolments.enrol(programmeID: world.programme.id, participantID: person.id, waitingList: false, by: .system)
        }
        try enrolments.recordAttendance(sessionID: world.sessions[1].id, [(durand.id, .present), (other.id, .present)],
                                        note: "Élodie Durand et Jean P. très investis", by: .system)
        try enrolments.recordAttendance(sessionID: world.sessions[2].id, [(durand.id, .present), (other.id, .present)], note: nil, by: .system)
        let followUp = try Shipped.instrument("followup_3m").score(["status": .string("stopped"), "aids_used": .array([.string("patches")]),
                                                                   "orientation_followed": .string("yes"), "would_recommend": .string("yes")])
        let assessments = Assessments(store: store, clock: world.time.clock)
        _ = try assessments.record(participantID: durand.id, result: followUp, takenOn: CalendarDate(iso: "2026-11-02")!, partial: false,
                                   source: .phone, by: world.lead.actor)
        try store.pool.write { db in
            try Audit.record(db, .system, "list", entity: "participant", detail: "search=durand")
            try Audit.record(db, .system, "withdraw", entity: "participant", id: durand.id, detail: "déménage chez sa sœur à Lyon")
        }
        let invitations = try Questionnaires(store: store).invitations(participantID: durand.id)
        #expect(invitations.count == 2 && invitations.first { $0.purpose == .followUp }?.answeredAt != nil)

        let receipt = try world.records.erase(participantID: durand.id, by: Actor(userID: nil, name: "coord"), timeZone: World.paris)
        #expect(receipt.anonymousRows == 1 && receipt.redactedTexts == 3 && receipt.compacted)

        // Everything of hers is gone, by cascade; the other participant keeps all of his.
        let counts = try store.pool.read { db in
            try ["participant", "enrolment", "attendance", "assessment", "questionnaire_invitation", "outbox", "task"].map { table in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(table == "participant" ? "id" : "participant_id") = ?",
                                 arguments: [durand.id]) ?? -1
            }
        }
        #expect(counts == [0, 0, 0, 0, 0, 0, 0])
        #expect(try world.records.enrolments(participantID: other.id).first?.sessionsAttended == 2)
        #expect(try Questionnaires(store: store).invitations(participantID: other.id).count == 2)

        let kept = try world.records.erased(year: 2026)
        #expect(kept.count == 1)
        let row = try #require(kept.first)
        #expect(row.programmeId == world.programme.id && row.enrolmentStatus == .enrolled && row.sessionsAttended == 2 && row.consultationsDone == 0)
        #expect(row.endAnswered == false && row.endOutcome == "unknown")
        #expect(row.followUpAnswered == true && row.followUpOutcome == "stopped" && !row.followUpUnreachable)
        #expect(row.smokerStatus == .exSmoker && row.precarity && !row.isolation)
        #expect(row.erasedOn == LocalDateTime(world.time.now, in: World.paris).date.iso)

        let (note, details) = try store.pool.read { db in
            (try String.fetchOne(db, sql: "SELECT note FROM session WHERE id = ?", arguments: [world.sessions[1].id]),
             try String.fetchAll(db, sql: "SELECT detail FROM audit_log WHERE detail IS NOT NULL ORDER BY id"))
        }
        #expect(note == "[effacé] et Jean P. très investis")
        #expect(details.contains("search=[effacé]") && details.contains("[effacé]"))
        #expect(!details.contains { $0.contains("Lyon") || $0.localizedCaseInsensitiveContains("durand") })
        #expect(details.last == "anonymous_rows=1 redacted_texts=3")
        #expect(throws: Refusal.notFound(.participantNotFound)) {
            try world.records.erase(participantID: durand.id, by: .system, timeZone: World.paris)
        }
    }

    @Test func aParticipantNeverEnrolledLeavesOneRowOfTheErasureYear() throws {
        let world = try World()
        let alone = try world.participant("Marc", "Leroy", email: nil, phone: "06 00 00 00 01")
        try world.records.erase(participantID: alone.id, by: .system, timeZone: World.paris)
        let kept = try world.records.erased()
        #expect(kept.count == 1 && kept[0].programmeId == nil && kept[0].year == LocalDateTime(world.time.now, in: World.paris).date.year)
        #expect(kept[0].endAnswered == nil && kept[0].followUpOutcome == nil && kept[0].sessionsAttended == 0)
    }

    @Test func theExportGathersTheWholeRecordInOneAuditedRead() throws {
        let world = try World()
        let durand = try world.participant("Élodie", "Durand", email: "elodie.durand@example.org", phone: nil)
        let enrolments = Enrolments(store: world.store, clock: world.time.clock)
        _ = try enrolments.enrol(programmeID: world.programme.id, participantID: durand.id, waitingList: false, by: .system)
        try enrolments.recordAttendance(sessionID: world.sessions[0].id, [(durand.id, .excused)], note: nil, by: .system)
        let task = try Tasks(store: world.store, clock: world.time.clock, timeZone: World.paris).create(participantID: durand.id, reason: "Rappeler", dueOn: nil,
                                                                               assignedTo: nil, by: world.lead.actor)
        let file = try world.records.export(participantID: durand.id, by: world.lead.actor)
        #expect(file.participant.email == "elodie.durand@example.org")
        #expect(file.enrolments.map(\.programme.title) == ["Septembre"] && file.enrolments[0].sessionCount == 3)
        #expect(file.attendance.map(\.status) == [.excused] && file.attendance[0].sessionIndex == 1)
        #expect(file.tasks.map(\.id) == [task.id])
        #expect(file.messages.contains { $0.kind == .enrolmentConfirmation })
        #expect(file.audit.map(\.action).suffix(1) == ["export"])
        #expect(file.audit.contains { $0.entity == "task" && $0.entityId == task.id }, "the audit rows of their tasks too")
        #expect(throws: Refusal.notFound(.participantNotFound)) { try world.records.export(participantID: "nope", by: .system) }
    }
}
