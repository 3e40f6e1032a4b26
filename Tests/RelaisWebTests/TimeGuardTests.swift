import Foundation
import GRDB
import HTTPServer
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// Time is part of validity: nothing is recorded as done before it happened, the record keeps
/// its order, the past is entered knowingly, and nothing stale reaches a participant. Through
/// the API and the pages alike, on the app's clock.
@Suite("Time guards")
struct TimeGuardTests {
    typealias Fixture = ProgrammePageTests.Fixture
    static let paris = TimeZone(identifier: "Europe/Paris")!

    /// `days` from the clock's today, at `hour` in Paris, as forms and the API take it.
    static func local(_ world: Fixture, days: Int, hour: Int = 18) -> String {
        let today = LocalDateTime(world.client.clock.now, in: paris).date
        return LocalDateTime(date: today.addingDays(days), hour: hour, minute: 0)!.iso
    }

    static func codes(_ page: PageClient.Page) throws -> [String: String] { try SameRuleTests.fieldCodes(page) }

    /// A programme created through the API (no confirmation asked of scripts), Ana enrolled.
    static func programmeByAPI(_ world: Fixture, start: String, title: String = "Automne", participant: String? = nil) throws
        -> (id: String, sessions: [SessionRecord]) {
        let created = try world.client.api(.post, "/api/v1/programmes", #"""
            {"title":"\#(title)","siteId":"\#(world.site.id)","roomId":"\#(world.room.id)","start":"\#(start)","leadId":"\#(world.lead.id)"}
            """#, as: "coord")
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(try SameRuleTests.json(created)["id"] as? String)
        let enrolled = try world.client.api(.post, "/api/v1/programmes/\(id)/enrolments", #"{"participantId":"\#(participant ?? world.ana.id)"}"#,
                                            as: "coord")
        #expect(enrolled.status == 201, "\(enrolled.text)")
        return (id, try world.client.app.programmes.programme(id: id).1)
    }

    static func attendance(_ world: Fixture, _ session: SessionRecord, of participant: String? = nil) throws -> PageClient.Page {
        try world.client.api(.put, "/api/v1/sessions/\(session.id)/attendance",
                             #"{"records":[{"participantId":"\#(participant ?? world.ana.id)","status":"present"}]}"#, as: "claire")
    }

    // MARK: Order

    @Test func aSessionStaysBetweenThePreviousAndTheNextByBothWays() throws {
        let world = try Fixture()
        let (_, sessions) = try world.programme()  // 4, 11 and 18 November 2027
        let before = try world.client.api(.patch, "/api/v1/sessions/\(sessions[1].id)", #"{"start":"2027-11-03T18:00","reason":"salle"}"#, as: "coord")
        #expect(try before.status == 422 && Self.codes(before) == ["start": "session_before_previous"])
        #expect(before.text.contains("the session cannot take place before the previous session (on Thursday 4 November 2027, 18:00)"))
        let after = try world.client.post("/sessions/\(sessions[1].id)/reschedule", [("start", "2027-11-19T18:00"), ("reason", "salle")], as: "coord")
        #expect(after.status == 422
                && after.text.contains("la séance ne peut pas avoir lieu après la séance suivante (le jeudi 18 novembre 2027, 18 h 00)"))
        #expect(after.text.contains(#"value="2027-11-19T18:00""#), "what was typed is kept")
        #expect(try world.client.app.programmes.session(id: sessions[1].id).0.startsAt == sessions[1].startsAt)
        // Between them it moves; a cancelled neighbour keeps no place in the order.
        let moved = try world.client.api(.patch, "/api/v1/sessions/\(sessions[1].id)", #"{"start":"2027-11-12T18:00","reason":"salle"}"#, as: "coord")
        #expect(moved.status == 200, "\(moved.text)")
        #expect(try world.client.api(.post, "/api/v1/sessions/\(sessions[2].id)/cancel", #"{"reason":"grève"}"#, as: "coord").status == 200)
        #expect(try world.client.api(.patch, "/api/v1/sessions/\(sessions[1].id)", #"{"start":"2027-11-25T18:00","reason":"report"}"#,
                                     as: "coord").status == 200)
    }

    @Test func aConsultationIsNotBookedBeforeTheProgrammeStarts() throws {
        let world = try Fixture()
        let (id, _) = try world.programme()
        let api = try world.client.api(.post, "/api/v1/programmes/\(id)/consultations",
                                       #"{"participantId":"\#(world.ana.id)","index":1,"facilitatorId":"\#(world.lead.id)","start":"2027-11-03T10:00"}"#,
                                       as: "coord")
        #expect(try api.status == 422 && Self.codes(api) == ["start": "consultation_before_programme"])
        let page = try world.client.post("/programmes/\(id)/consultations", [("participantId", world.ana.id), ("index", "1"),
                                                                           ("facilitatorId", world.lead.id), ("start", "2027-11-03T10:00")], as: "coord")
        #expect(page.status == 422 && page.text.contains("une consultation du programme ne peut pas avoir lieu avant sa première séance (le jeudi 4 novembre 2027)"))
        #expect(try world.client.app.consultations.list(programmeID: id).isEmpty)
        // The morning of the first session is the programme's first day.
        let sameDay = try world.client.api(.post, "/api/v1/programmes/\(id)/consultations",
                                           #"{"participantId":"\#(world.ana.id)","index":1,"facilitatorId":"\#(world.lead.id)","start":"2027-11-04T10:00"}"#,
                                           as: "coord")
        #expect(sameDay.status == 201, "\(sameDay.text)")
    }

    @Test func anAssessmentIsDatedNeitherInTheFutureNorLongBeforeTheFirstProgramme() throws {
        let world = try Fixture()
        // Enrolled on 20 October for a programme that starts on 4 November.
        try world.client.moveClock(to: LocalDateTime(iso: "2027-10-20T11:00")!.instant(in: Self.paris))
        let (_, sessions) = try world.programme()
        try world.client.moveClock(to: sessions[0].endsAt)
        func record(_ date: String) throws -> PageClient.Page {
            try world.client.api(.post, "/api/v1/participants/\(world.ana.id)/assessments",
                                 #"{"instrument":"co","answers":{"ppm":12},"date":"\#(date)"}"#, as: "claire")
        }
        let future = try record("2027-11-05")
        #expect(try future.status == 422 && Self.codes(future) == ["date": "date_in_future"])
        let early = try record("2027-09-19")
        #expect(try early.status == 422 && Self.codes(early) == ["date": "assessment_before_enrolment"])
        #expect(early.text.contains("the date is more than 30 days before the person's first enrolment in a programme (on Wednesday 20 October 2027)"))
        let page = try world.client.post("/participants/\(world.ana.id)/assessments/new?instrument=co",
                                         [("date", "2027-09-19"), ("source", "staff"), ("co.ppm", "12")], as: "claire")
        #expect(page.status == 422
                && page.text.contains("la date précède de plus de 30 jours la première inscription de la personne à un programme (le mercredi 20 octobre 2027)"))
        #expect(try world.client.app.assessments.assessments(participantID: world.ana.id, by: .system).isEmpty)
        // A test a month before the enrolment (the first interview), and the evening itself, are accepted.
        #expect(try record("2027-09-20").status == 201)
        let evening = try record("2027-11-04")
        #expect(evening.status == 201)
        // A correction of its date obeys the same rule.
        let assessment = try #require(try SameRuleTests.json(evening)["id"] as? String)
        let corrected = try world.client.api(.patch, "/api/v1/participants/\(world.ana.id)/assessments/\(assessment)",
                                             #"{"date":"2027-11-06","reason":"date mal saisie"}"#, as: "claire")
        #expect(try corrected.status == 422 && Self.codes(corrected) == ["date": "date_in_future"])
        let tooEarly = try world.client.api(.patch, "/api/v1/participants/\(world.ana.id)/assessments/\(assessment)",
                                            #"{"date":"2027-08-01","reason":"date mal saisie"}"#, as: "claire")
        #expect(try tooEarly.status == 422 && Self.codes(tooEarly) == ["date": "assessment_before_enrolment"])
    }

    // MARK: The end of the programme

    @Test func theEndQuestionnaireIsDueOnlyOnceTheLastSessionHasEnded() throws {
        let world = try Fixture()
        let (_, sessions) = try world.programme()
        let last = try #require(sessions.last)
        #expect(try Self.attendance(world, last).status == 422)
        #expect(try world.client.app.outbox.list(state: nil, kind: .endQuestionnaire, participantID: world.ana.id).isEmpty)
        // Recorded during the last session: the questionnaire waits for its end.
        try world.client.moveClock(to: last.startsAt.addingTimeInterval(20 * 60))
        #expect(try Self.attendance(world, last).status == 200)
        let questionnaire = try #require(try world.client.app.outbox.list(state: .pending, kind: .endQuestionnaire, participantID: world.ana.id).first)
        #expect(questionnaire.dueAt == last.endsAt)
        let reminder = try #require(try world.client.app.outbox.list(state: .pending, kind: .endQuestionnaireReminder, participantID: world.ana.id).first)
        #expect(reminder.dueAt == last.endsAt.addingTimeInterval(7 * 86400))
    }

    // MARK: The past

    @Test func aProgrammeEnteredAfterTheFactSendsNothingStaleAndOpensTasksInstead() throws {
        let world = try Fixture()
        let bea = try world.client.app.participants.create(try ParticipantDetails(firstName: "Béa", lastName: "Roy", birthYear: 1970, email: "bea@example.org",
                                                                                 consentEmail: true, consentFollowUp: true).validated(currentYear: 2026), by: .system)
        // Last year's programme, entered to report on it: the sessions ended about 200 days ago.
        let (id, sessions) = try Self.programmeByAPI(world, start: Self.local(world, days: -214), participant: bea.id)
        for session in sessions { #expect(try Self.attendance(world, session, of: bea.id).status == 200) }

        let messages = try world.client.app.outbox.list(state: nil, kind: nil, participantID: bea.id)
        let mail = messages.filter { $0.kind.isParticipantMail }
        #expect(!mail.isEmpty && mail.allSatisfy { $0.state == .skipped && $0.closedReason == "recorded late" },
                "\(mail.map { "\($0.kind.rawValue) \($0.state.rawValue) \($0.closedReason ?? "")" })")
        #expect(Set(mail.map(\.kind)) == [.enrolmentConfirmation, .endQuestionnaire, .endQuestionnaireReminder, .followUpInvitation, .followUpReminder])
        // Staff collect the questionnaires instead: one task each, by phone or by letter.
        let tasks = try world.client.app.tasks.list(state: .open, assignedTo: nil, participantID: bea.id)
        #expect(tasks.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.followUpCall, .questionnaireCall])
        #expect(tasks.allSatisfy { $0.programmeId == id && $0.reason.hasPrefix("Enregistré après coup") })

        // The sweep sends none of it, and its follow-up call finds the task already open.
        let due = try world.client.app.outbox.due(at: world.client.clock.now, limit: 100)
        let hers = try world.client.app.outbox.list(state: .pending, kind: nil, participantID: bea.id)
        #expect(hers.allSatisfy { !$0.kind.isParticipantMail } && Set(hers.map(\.id)).isSubset(of: Set(due)))
        for message in hers {
            _ = try world.client.app.outbox.prepare(id: message.id, at: world.client.clock.now, tokenDays: 60, timeZone: Self.paris)
        }
        #expect(try world.client.app.tasks.list(state: .open, assignedTo: nil, participantID: bea.id).count == 2)
        #expect(try world.client.app.outbox.list(state: .sent, kind: nil, participantID: bea.id).allSatisfy { !$0.kind.isParticipantMail })

        // Without consent to follow-up contact, no follow-up task either: the end questionnaire only.
        let (_, again) = try Self.programmeByAPI(world, start: Self.local(world, days: -180), title: "Hiver")
        for session in again { #expect(try Self.attendance(world, session).status == 200) }
        let anas = try world.client.app.tasks.list(state: .open, assignedTo: nil, participantID: world.ana.id)
        #expect(anas.map(\.kind) == [.questionnaireCall])
    }

    @Test func aRecentProgrammeEnteredLateStillSendsWhatIsNotStale() throws {
        let world = try Fixture()
        // Sessions 3 weeks, 2 weeks and 10 days ago: the end questionnaire's moment is 10 days old.
        let created = try world.client.api(.post, "/api/v1/programmes", #"""
            {"title":"Rattrapage","siteId":"\#(world.site.id)","roomId":"\#(world.room.id)","start":"\#(Self.local(world, days: -24))","leadId":"\#(world.lead.id)",
             "cadence":["\#(Self.local(world, days: -24))","\#(Self.local(world, days: -17))","\#(Self.local(world, days: -10))"]}
            """#, as: "coord")
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(try SameRuleTests.json(created)["id"] as? String)
        #expect(try world.client.api(.post, "/api/v1/programmes/\(id)/enrolments", #"{"participantId":"\#(world.ana.id)"}"#, as: "coord").status == 201)
        for session in try world.client.app.programmes.programme(id: id).1 { #expect(try Self.attendance(world, session).status == 200) }
        let questionnaire = try #require(try world.client.app.outbox.list(state: nil, kind: .endQuestionnaire, participantID: world.ana.id).first)
        #expect(questionnaire.state == .pending)
        let confirmation = try #require(try world.client.app.outbox.list(state: nil, kind: .enrolmentConfirmation, participantID: world.ana.id).first)
        #expect(confirmation.state == .skipped && confirmation.closedReason == "recorded late", "no session left to come")
    }

    @Test func thePagesAskBeforeEnteringThePastAndSayWhatWillNotBeSent() throws {
        let world = try Fixture()
        // A programme whose first session is past: the proposal says so, and creation waits for the box.
        let start = Self.local(world, days: -60)
        let proposal = try world.client.post("/programmes/new", world.programmeForm(start: start, action: "preview"), as: "coord")
        #expect(proposal.status == 200 && proposal.text.contains("Date passée"))
        #expect(proposal.text.contains("Un questionnaire dont la date est dépassée de plus de 14 jours n&#39;est pas envoyé"))
        #expect(proposal.text.contains("Aucun rappel n&#39;est envoyé pour les séances déjà passées"))
        let unticked = try world.client.post("/programmes/new", world.programmeForm(start: start, action: "create"), as: "coord")
        #expect(unticked.status == 422 && unticked.text.contains("cette date est passée : cochez la case pour confirmer que vous enregistrez après coup"))
        #expect(unticked.text.contains(#"id="confirmPast-error""#) && unticked.text.contains(#"value="create""#))
        #expect(try world.client.app.programmes.list(year: nil, visibleTo: nil).isEmpty, "nothing created without the box")
        let ticked = try world.client.post("/programmes/new", world.programmeForm(start: start, action: "create") + [("confirmPast", "on")], as: "coord")
        let location = try #require(ticked.location)
        let id = String(location.dropFirst("/programmes/".count).prefix { $0 != "?" })
        // A future programme asks nothing.
        let future = try world.client.post("/programmes/new", world.programmeForm(start: "2027-11-04T18:00", title: "Futur", action: "preview"), as: "coord")
        #expect(future.status == 200 && !future.text.contains("Date passée"))

        // A consultation booked in the past.
        _ = try world.client.post("/programmes/\(id)/enrolments", [("participantId", world.ana.id)], as: "coord")
        let when = Self.local(world, days: -50, hour: 10)
        let booking = [("participantId", world.ana.id), ("index", "1"), ("facilitatorId", world.lead.id), ("start", when)]
        let unconfirmed = try world.client.post("/programmes/\(id)/consultations", booking, as: "coord")
        #expect(unconfirmed.status == 422 && unconfirmed.text.contains("Aucun message n&#39;est envoyé pour elle")
                && unconfirmed.text.contains(#"id="c-confirmPast""#))
        #expect(try world.client.app.consultations.list(programmeID: id).isEmpty)
        #expect(try world.client.post("/programmes/\(id)/consultations", booking + [("confirmPast", "on")], as: "coord").status == 303)
        let consultation = try #require(try world.client.app.consultations.list(programmeID: id).first)
        // Its time corrected on its page, still in the past: asked again, and no notice for a past time.
        let later = Self.local(world, days: -49, hour: 10)
        let moveUnticked = try world.client.post("/consultations/\(consultation.id)", [("start", later), ("durationMinutes", "45"), ("status", "planned")],
                                                 as: "coord")
        #expect(moveUnticked.status == 422 && moveUnticked.text.contains(#"id="confirmPast""#)
                && moveUnticked.text.contains("cochez la case pour confirmer"), "\(moveUnticked.text)")
        #expect(try world.client.app.consultations.list(programmeID: id).first?.startsAt == consultation.startsAt)
        let moveTicked = try world.client.post("/consultations/\(consultation.id)",
                                               [("start", later), ("durationMinutes", "45"), ("status", "planned"), ("confirmPast", "on")], as: "coord")
        #expect(moveTicked.status == 303, "\(moveTicked.text)")
        #expect(try world.client.app.consultations.list(programmeID: id).first?.startsAt == LocalDateTime(iso: later)!.instant(in: Self.paris))
        #expect(try world.client.app.store.pool.read {
            try OutboxRecord.filter(Column("kind") == MessageKind.consultationChanged.rawValue).fetchCount($0)
        } == 0)

        // A session of a future programme moved into the past (its date corrected after the fact).
        let (_, sessions) = try world.programme()
        let past = Self.local(world, days: -1)
        let move = try world.client.post("/sessions/\(sessions[0].id)/reschedule", [("start", past), ("reason", "date corrigée")], as: "coord")
        #expect(move.status == 422 && move.text.contains("Aucun avis de changement ni rappel n&#39;est envoyé aux participants pour une séance passée"))
        #expect(try world.client.app.programmes.session(id: sessions[0].id).0.startsAt == sessions[0].startsAt)
        let confirmed = try world.client.post("/sessions/\(sessions[0].id)/reschedule", [("start", past), ("reason", "date corrigée"), ("confirmPast", "on")],
                                              as: "coord")
        #expect(confirmed.status == 303)
        // Scripts through the API are not asked.
        let api = try world.client.api(.patch, "/api/v1/sessions/\(sessions[1].id)", #"{"start":"\#(Self.local(world, days: -0, hour: 0))","reason":"x"}"#,
                                       as: "coord")
        #expect(api.status == 200, "\(api.text)")
    }

    // MARK: Change notices

    @Test func aNoticeSaysTheDateParticipantsWereToldAndNothingWhenMovedBack() throws {
        let world = try Fixture()
        let (_, sessions) = try world.programme()
        let session = sessions[1]  // 11 November 2027, 18:00
        func notices() throws -> [OutboxRecord] {
            try world.client.app.outbox.list(state: .pending, kind: .sessionChanged, participantID: world.ana.id)
        }
        func move(_ start: String) throws {
            let moved = try world.client.api(.patch, "/api/v1/sessions/\(session.id)", #"{"start":"\#(start)","reason":"salle"}"#, as: "coord")
            #expect(moved.status == 200, "\(moved.text)")
        }
        try move("2027-11-12T18:00")
        try move("2027-11-13T10:00")
        // Moved twice before the sweep: one notice, from the date Ana knew to the new one.
        let notice = try #require(try notices().first)
        #expect(try notices().count == 1)
        #expect(notice.payload["previousStartsAt"] == String(Int(session.startsAt.timeIntervalSince1970)))
        // Moved back to the date she knew: nothing to tell.
        try move("2027-11-11T18:00")
        #expect(try notices().isEmpty)
    }
}
