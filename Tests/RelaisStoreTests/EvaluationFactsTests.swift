import Foundation
import GRDB
import RelaisDomain
@testable import RelaisStore
import Testing

/// What the evaluation reads of a real SQLite file: the baseline frozen at enrolment, one
/// invitation per follow-up, reporting periods, erased participants, and the upgrade of a
/// database written before the baseline existed.
@Suite("Evaluation facts in the store")
struct EvaluationFactsTests {
    static let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols")
    static let paris = TimeZone(identifier: "Europe/Paris")!

    static func template(followUps: [FollowUpTemplate]? = nil) throws -> ProgrammeTemplate {
        let file = protocols.appendingPathComponent("programme-3g2i.json")
        var template = try ProgrammeTemplate.decode(try Data(contentsOf: file), file: file.path)
        if let followUps { template.followUps = followUps }
        return template
    }

    static func instrument(_ id: String) throws -> ConfiguredInstrument {
        let file = protocols.appendingPathComponent("instruments/\(id).json")
        return try ConfiguredInstrument(try Instrument.decode(try Data(contentsOf: file), file: file.path), file: file.path)
    }

    /// A store with a lead tabacologue and a site; programmes made on demand.
    struct World {
        let store: Store
        let time: ManualClock
        let lead: User
        let site: SiteRecord

        init(now: String = "2026-01-10T09:00:00Z") throws {
            (store, _) = try temporaryStore()
            time = ManualClock(ISO8601DateFormatter().date(from: now)!)
            lead = try Accounts(store: store).createUser(name: "lead", role: .tabacologue, password: "long enough pw", by: .system)
            site = try Sites(store: store).create(name: "Centre", address: "", by: .system)
        }

        func programme(_ title: String, start: String, followUps: [FollowUpTemplate]? = nil, moisSansTabac: Bool = false) throws
            -> (ProgrammeRecord, [SessionRecord]) {
            let template = try EvaluationFactsTests.template(followUps: followUps)
            let plan = try Planner.plan(template: template, start: LocalDateTime(iso: start)!, timeZone: EvaluationFactsTests.paris)
            return try Programmes(store: store, clock: time.clock).create(
                ProgrammeDraft(template: template, title: title, siteID: site.id, roomID: nil, modality: .inPerson, visioURL: nil, capacity: 10,
                               timeZone: EvaluationFactsTests.paris, leadID: lead.id, peerHelperID: nil,
                               sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue,
                               moisSansTabac: moisSansTabac), by: .system)
        }

        var participants: Participants { Participants(store: store, clock: time.clock, currentYear: { 2026 }) }
        var enrolments: Enrolments { Enrolments(store: store, clock: time.clock) }

        func participant(_ first: String, smoker: SmokerStatus = .smoker, publics: Set<PriorityPublic> = []) throws -> ParticipantRecord {
            try participants.create(ParticipantDetails(firstName: first, lastName: "Test", birthYear: 1980, phone: "06 12 34 56 78",
                                                       consentDataProcessing: true, consentFollowUp: true, smokerStatus: smoker,
                                                       sex: .female, postalCode: "59000", publics: publics), by: .system)
        }

        func facts(_ scope: EvaluationScope, asOf: String = "2026-12-31") throws -> EvaluationFacts {
            try EvaluationQueries(store: store, timeZone: EvaluationFactsTests.paris).facts(scope, asOf: CalendarDate(iso: asOf)!,
                                                                                            consultationsPlanned: ["3g2i": 2])
        }
    }

    @Test func theBaselineIsFrozenAtEnrolmentAndLaterEditsOfTheRecordDoNotMoveIt() throws {
        let world = try World()
        let (programme, _) = try world.programme("Printemps", start: "2026-03-05T18:00", moisSansTabac: true)
        let nadia = try world.participant("Nadia", publics: [.precarity, .pregnant])
        let entered = Baseline(smokingStatus: .smoker, smokingStatusSource: .declared, cigarettesPerDay: 16, products: ["cigarette": 10, "cigarillo": 3],
                               goal: .reduce, publics: [.precarity, .pregnant])
        let enrolment = try world.enrolments.enrol(programmeID: programme.id, participantID: nadia.id, baseline: entered, waitingList: false, by: .system)
        #expect(enrolment.baseline == entered)
        // The record changes afterwards: she now says she is an ex-smoker, no longer pregnant.
        var details = nadia.details
        details.smokerStatus = .exSmoker
        details.publics = [.precarity]
        _ = try world.participants.update(id: nadia.id, details, by: .system)
        let participation = try #require(try world.facts(.programme(programme.id)).participations.first)
        var read = entered
        read.products = [:] // the evaluation reads the total, not the detail by product
        #expect(participation.baseline == read)
        #expect(try world.enrolments.enrolment(id: enrolment.id).baseline == entered)
        #expect(participation.sex == .female && participation.postalCode == "59000" && participation.birthYear == 1980)
        #expect(try world.facts(.programme(programme.id)).programmes.first?.moisSansTabac == true)
        // Enrolling with nothing said takes the record as it is now, marked as such.
        let bruno = try world.participant("Bruno", smoker: .exSmoker, publics: [.isolation])
        let plain = try world.enrolments.enrol(programmeID: programme.id, participantID: bruno.id, waitingList: false, by: .system)
        #expect(plain.baseline == Baseline(smokingStatus: .exSmoker, smokingStatusSource: .record, publics: [.isolation]))
        // A correction replaces it, audited.
        let corrected = try world.enrolments.setBaseline(enrolmentID: plain.id, Baseline(smokingStatus: .smoker, smokingStatusSource: .declared,
                                                                                          cigarettesPerDay: 12), by: .system)
        #expect(corrected.baseline.smokingStatus == .smoker && corrected.baseline.cigarettesPerDay == 12)
        #expect(try world.store.auditEntries(entity: "participant", id: bruno.id).contains { $0.action == "baseline" })
    }

    @Test func eachFollowUpOfTheTemplateHasItsInvitationAndAnAnswerClosesTheNearestOnly() throws {
        let world = try World(now: "2026-03-19T20:00:00Z")
        let followUps = [FollowUpTemplate(months: 1, instrument: "followup_3m"), FollowUpTemplate(months: 3, instrument: "followup_3m")]
        let (programme, sessions) = try world.programme("Printemps", start: "2026-03-05T18:00", followUps: followUps)
        #expect(programme.followUps == followUps)
        let ana = try world.participant("Ana")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        for session in sessions { try world.enrolments.recordAttendance(sessionID: session.id, [(ana.id, .present)], note: nil, by: .system) }
        let invitations = try Questionnaires(store: world.store).invitations(participantID: ana.id).filter { $0.purpose == .followUp }
        #expect(invitations.map(\.months) == [1, 3] && invitations.map(\.dueOn) == ["2026-04-19", "2026-06-19"])
        let keys = try world.store.pool.read { try String.fetchAll($0, sql: "SELECT key FROM outbox WHERE kind = 'follow_up_invitation' ORDER BY due_at") }
        #expect(keys.count == 2 && Set(keys).count == 2)
        // Entered by staff on 21 April: the one-month questionnaire is answered, not the three-month one.
        let followUp = try EvaluationFactsTests.instrument("followup_3m")
        world.time.set(ISO8601DateFormatter().date(from: "2026-04-21T10:00:00Z")!)
        let answer = try followUp.score(["status": .string("stopped"), "cigarettes_per_day": .number(0), "aids_used": .array([.string("none")]),
                                         "orientation_followed": .string("not_applicable"), "would_recommend": .string("yes")])
        _ = try Assessments(store: world.store, clock: world.time.clock).record(participantID: ana.id, programmeID: programme.id, result: answer,
                                                                                 takenOn: CalendarDate(iso: "2026-04-21")!, partial: false,
                                                                                 source: .phone, by: .system)
        let after = try Questionnaires(store: world.store).invitations(participantID: ana.id).filter { $0.purpose == .followUp }
        #expect(after.map { $0.answeredAt != nil } == [true, false])
        let participation = try #require(try world.facts(.programme(programme.id)).participations.first)
        #expect(participation.followUpInvitations[1]?.answered == true && participation.followUpInvitations[3]?.answered == false)
        let assessment = try #require(try world.facts(.programme(programme.id)).assessments[ana.id]?.first { $0.instrument == "followup_3m" })
        #expect(assessment.programmeID == programme.id)
        // An assessment for a programme the participant never enrolled in is refused, naming the field.
        let (other, _) = try world.programme("Automne", start: "2026-09-03T18:00")
        #expect(throws: ValidationError(field: "programmeId", .participantNotEnrolled)) {
            try Assessments(store: world.store).record(participantID: ana.id, programmeID: other.id, result: answer,
                                                       takenOn: CalendarDate(iso: "2026-04-21")!, partial: false, source: .phone, by: .system)
        }
    }

    @Test func aReportingPeriodKeepsTheProgrammesThatStartInIt() throws {
        let world = try World()
        let (spring, _) = try world.programme("Printemps", start: "2026-03-05T18:00")
        let (autumn, _) = try world.programme("Automne", start: "2026-09-03T18:00")
        // 1 January 00:30 in Paris is still 31 December in UTC: the programme belongs to 2027.
        let (newYear, _) = try world.programme("Nouvel an", start: "2027-01-01T00:30")
        func ids(_ scope: EvaluationScope) throws -> [String] { try world.facts(scope).programmes.map(\.id) }
        let day = { (text: String) in CalendarDate(iso: text)! }
        #expect(try ids(.period(from: day("2026-02-01"), to: day("2026-04-30"), siteID: nil)) == [spring.id])
        #expect(Set(try ids(.period(from: day("2026-03-05"), to: day("2026-09-03"), siteID: nil))) == [spring.id, autumn.id], "both ends included")
        #expect(try ids(.period(from: day("2026-03-06"), to: day("2026-09-02"), siteID: nil)).isEmpty)
        #expect(Set(try ids(.year(2026, siteID: nil))) == [spring.id, autumn.id])
        #expect(try ids(.year(2027, siteID: nil)) == [newYear.id])
        #expect(try ids(.period(from: day("2026-01-01"), to: day("2026-12-31"), siteID: world.site.id)).count == 2)
        #expect(try ids(.period(from: day("2026-01-01"), to: day("2026-12-31"), siteID: "elsewhere")).isEmpty)
    }

    @Test func anErasureKeepsTheEvaluatedTimePointsAndTheBaselinesPublics() throws {
        let world = try World()
        let (programme, _) = try world.programme("Printemps", start: "2026-03-05T18:00")
        let ana = try world.participant("Ana", publics: [.justice])
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        let snapshot = ErasedSnapshot(smokerAtEntry: true, sex: .female, ageBand: .from35to49, departement: "59", publics: [.justice],
                                      timePoints: [TimePointResult(timePoint: "end", months: 0, due: true, smoker: .stopped, co: .validated)])
        _ = try ParticipantRecords(store: world.store, clock: world.time.clock).erase(participantID: ana.id, snapshots: [programme.id: snapshot],
                                                                                         by: .system, timeZone: EvaluationFactsTests.paris)
        let row = try #require(try ParticipantRecords(store: world.store).erased().first)
        #expect(row.publics == [.justice] && row.departement == "59" && row.ageBand == "35-49" && row.sex == "female")
        #expect(!(row.outcomes ?? "").contains("Ana") && !(row.outcomes ?? "").contains("59000"))
        let erased = try #require(try world.facts(.programme(programme.id)).erased.first)
        #expect(erased.snapshot == snapshot)
    }

    @Test func aDatabaseOfTheFirstEvaluationIsUpgradedWithTheRecordAsBaseline() throws {
        let directory = NSTemporaryDirectory() + "relais-v7-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/relais.sqlite"
        // Written by the version before the baseline: migrations up to v7 only.
        do {
            let pool = try DatabasePool(path: path)
            try Migrations.migrator.migrate(pool, upTo: "v7-calendar-sequence")
            try pool.write { db in
                let now = Date()
                try db.execute(sql: "INSERT INTO user(id, name, display_name, role, password_hash, must_change_password, language, created_at, password_changed_at) VALUES ('u', 'lead', 'Lead', 'tabacologue', 'x', 0, 'fr', ?, ?)", arguments: [now, now])
                try db.execute(sql: "INSERT INTO participant(id, first_name, last_name, created_at, smoker_status, precarity, isolation) VALUES ('p', 'A', 'B', ?, 'ex_smoker', 1, 0)", arguments: [now])
                try db.execute(sql: """
                    INSERT INTO programme(id, template_id, template_version, title, modality, capacity, time_zone, lead_id, status, follow_up_due, created_at, follow_up_months, follow_up_instrument)
                    VALUES ('g', '3g2i', '1.0.0', 'Ancien', 'visio', 10, 'Europe/Paris', 'u', 'planned', '2026-06-19', ?, 3, 'followup_3m')
                    """, arguments: [now])
                try db.execute(sql: "INSERT INTO enrolment(id, programme_id, participant_id, status, requested_at, enrolled_at) VALUES ('e', 'g', 'p', 'enrolled', ?, ?)", arguments: [now, now])
                try db.execute(sql: "INSERT INTO questionnaire_invitation(id, participant_id, programme_id, purpose, instruments, due_on, created_at) VALUES ('i', 'p', 'g', 'follow_up', '[\"followup_3m\"]', '2026-06-19', ?)", arguments: [now])
                try db.execute(sql: "INSERT INTO questionnaire_token(token_hash, invitation_id, created_at, expires_at) VALUES ('h', 'i', ?, ?)", arguments: [now, now])
            }
        }
        let store = try Store(path: path)
        let enrolment = try Enrolments(store: store).enrolment(id: "e")
        #expect(enrolment.baseline == Baseline(smokingStatus: .exSmoker, smokingStatusSource: .record, publics: [.precarity]))
        let invitation = try Questionnaires(store: store).invitation(id: "i")
        #expect(invitation.months == 3 && invitation.purpose == .followUp)
        let programme = try Programmes(store: store).programme(id: "g").0
        #expect(programme.followUps == [FollowUpTemplate(months: 3, instrument: "followup_3m")] && !programme.moisSansTabac)
        // The token still points to its invitation, and the foreign keys hold.
        #expect(try store.pool.read { try String.fetchOne($0, sql: "SELECT invitation_id FROM questionnaire_token") } == "i")
        #expect(try store.pool.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }.isEmpty)
    }
}
