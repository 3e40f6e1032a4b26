import Foundation
import GRDB
import RelaisDomain
import RelaisMail
@testable import RelaisSender
import RelaisStore
import RelaisTestSupport
import Testing

/// The outbox and its sender over a real SQLite file, a real maildir and a real SMTP server
/// (aiosmtpd on loopback). Times are chosen around the first programme of March 2027 in Paris
/// (UTC+1): Thursday 4 March 18:00 local is 17:00Z.
@Suite("Reminders: outbox, sweep, questionnaires, phone tasks")
struct SenderTests {
    static func at(_ text: String) -> Date { World.instant(text) }

    func maildirMessages(_ world: World) throws -> [ParsedEmail] {
        let folder = world.directory.file("maildir/new")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return try names.map { try PythonEmail.parse(FileManager.default.contents(atPath: folder + "/" + $0)!) }
    }

    @Test func theSessionReminderArrivesTwoDaysBeforeWithTheLocalTimeAndAnICalendar() throws {
        let world = try World()
        let server = try SMTPTestServer()
        let (programme, sessions) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.participant("Ana", email: "ana@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        #expect(try world.pending(.sessionReminder).count == 3)
        let sender = try world.sender(world.smtp(server))

        // The enrolment confirmation goes at once (Monday 11:00 in Paris).
        #expect(try sender.sweep(at: Self.at("2027-02-01T10:00:00Z")).sent == 1)
        // One minute before the reminder is due (Tuesday 2 March 17:59 in Paris): nothing.
        #expect(try sender.sweep(at: Self.at("2027-03-02T16:59:00Z")).sent == 0)
        let report = try sender.sweep(at: Self.at("2027-03-02T17:00:00Z"))
        #expect(report.sent == 1)

        let received = server.waitForMessages(2)
        try #require(received.count == 2)
        #expect(server.envelopes()[1].rcptTos == ["ana@example.org"])
        let reminder = try PythonEmail.parse(received[1])
        #expect(reminder.subject == "Rappel : séance 1 « Évaluer sa dépendance physique » le jeudi 4 mars 2027 à 18 h 00")
        #expect(reminder.text?.contains("le jeudi 4 mars 2027 de 18 h 00 à 20 h 00") == true)
        #expect(reminder.text?.contains("Lieu : Centre, Salle A, 1 rue Exemple") == true)
        #expect(reminder.html?.contains("<p>") == true)
        #expect(reminder.listUnsubscribe?.hasPrefix("<mailto:contact@example.org") == true)
        let sent = try world.outbox.list(state: .sent, kind: .sessionReminder, participantID: ana.id)
        #expect(sent.count == 1 && sent[0].sessionId == sessions[0].id)
        #expect(reminder.messageID == "<\(sent[0].id)@relais.example.org>")
        let calendar = try #require(reminder.attachments.first)
        #expect(calendar.contentType == "text/calendar")
        let ics = String(decoding: calendar.data, as: UTF8.self)
        #expect(ics.contains("DTSTART;TZID=Europe/Paris:20270304T180000"))
        #expect(ics.contains("UID:session-\(sessions[0].id)@relais"))
        #expect(reminder.defects.isEmpty)
    }

    @Test func aPasswordResetByAnAdministratorIsToldToTheHolderAtOnceEvenAtNight() throws {
        let world = try World(now: "2027-03-07T01:30:00Z", leadEmail: "lead@example.org") // Sunday, 02:30 in Paris
        let server = try SMTPTestServer()
        let accounts = Accounts(store: world.store, clock: world.time.clock)
        let admin = try accounts.createUser(name: "root", displayName: "Admin Nuit", role: .admin, password: "long enough password", by: .system)
        let (_, session) = try accounts.startSession(for: world.lead)
        try accounts.resetPassword(userID: world.lead.id, to: "one time password", by: admin.actor)
        #expect(try world.store.pool.read { try WebSession.fetchOne($0, key: session.id) } == nil, "the holder's sessions are ended")
        let audit = try world.store.auditEntries(entity: "user", limit: 10).filter { $0.action == "reset_password" }
        #expect(audit.count == 1 && audit.first?.actorName == "root" && audit.first?.entityId == world.lead.id)

        let sender = try world.sender(world.smtp(server))
        let report = try sender.sweep(at: world.time.now)
        #expect(report.windowOpen == false && report.sent == 1, "a security notice does not wait for the sending hours")
        let notice = try PythonEmail.parse(try #require(server.waitForMessages(1).first))
        #expect(server.envelopes().first?.rcptTos == ["lead@example.org"])
        #expect(notice.subject == "Votre mot de passe Relais a été réinitialisé")
        #expect(notice.text?.contains("réinitialisé par root le dimanche 7 mars 2027 à 2 h 30") == true)
        // Nothing else moves at night.
        let (programme, _) = try world.programme(start: "2027-03-11T18:00")
        let ana = try world.participant("Ana", email: "ana@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        #expect(try sender.sweep(at: world.time.now).sent == 0)
        // A user changing their own password is not told by mail.
        try accounts.resetPassword(userID: world.lead.id, to: "another one time", by: world.lead.actor)
        #expect(try world.outbox.list(state: .pending, kind: .passwordReset, participantID: nil).isEmpty)
    }

    @Test func quietHoursHoldMessagesUntilTheWindowOpens() throws {
        let world = try World()
        // A Tuesday 10:00 session: its reminder falls due on Sunday 7 March at 10:00 in Paris.
        let (programme, _) = try world.programme(start: "2027-03-09T10:00")
        let ana = try world.participant("Ana", email: "ana@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        _ = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z")) // the confirmation
        #expect(try maildirMessages(world).count == 1)

        let sunday = try sender.sweep(at: Self.at("2027-03-07T09:00:00Z"))
        #expect(!sunday.windowOpen && sunday.sent == 0)
        let earlyMonday = try sender.sweep(at: Self.at("2027-03-08T07:59:00Z")) // 08:59 in Paris
        #expect(!earlyMonday.windowOpen)
        let eveningMonday = try sender.sweep(at: Self.at("2027-03-08T18:00:00Z")) // 19:00 in Paris: closed
        #expect(!eveningMonday.windowOpen)
        #expect(try maildirMessages(world).count == 1)
        let monday = try sender.sweep(at: Self.at("2027-03-08T08:00:00Z")) // 09:00 in Paris
        #expect(monday.windowOpen && monday.sent == 1)
        let messages = try maildirMessages(world)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.subject?.hasPrefix("Rappel : séance 1") == true })
    }

    @Test func whenSMTPIsDownNothingIsLostAndEachMessageIsDeliveredOnceWhenItIsBack() throws {
        let world = try World()
        let server = try SMTPTestServer()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        for name in ["Ana", "Bruno"] {
            let person = try world.participant(name, email: "\(name.lowercased())@example.org")
            _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system)
        }
        server.stop()
        let sender = try world.sender(world.smtp(server))
        let t0 = Self.at("2027-02-01T10:00:00Z")
        let down = try sender.sweep(at: t0)
        #expect(down.sent == 0 && down.retrying == 1 && down.transportError != nil)
        let pending = try world.pending(.enrolmentConfirmation)
        #expect(pending.count == 2, "both confirmations are still pending")
        #expect(pending.map(\.attempts).sorted() == [0, 1], "the sweep stopped at the first transport failure")
        let tried = try #require(pending.first { $0.attempts == 1 })
        #expect(tried.nextAttemptAt == t0.addingTimeInterval(300))
        #expect(tried.lastError?.isEmpty == false)

        try server.restart()
        // The untried one goes at once; the tried one waits for its back-off.
        #expect(try sender.sweep(at: t0.addingTimeInterval(60)).sent == 1)
        #expect(try sender.sweep(at: t0.addingTimeInterval(300)).sent == 1)
        #expect(try sender.sweep(at: t0.addingTimeInterval(3600)).sent == 0)
        let ids = try server.waitForMessages(2).map { try PythonEmail.parse($0).messageID ?? "" }
        #expect(ids.count == 2 && Set(ids).count == 2)
        #expect(try world.outbox.list(state: .sent, kind: .enrolmentConfirmation, participantID: nil).count == 2)
    }

    @Test func aGreylistedRecipientWaitsForItsBackOffWhileTheSweepGoesOn() throws {
        let world = try World()
        let server = try SMTPTestServer(greylistRecipients: ["bruno@example.org"])
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        // One second apart, so that the sweep takes Bruno's confirmation between the two others.
        for name in ["Ana", "Bruno", "Chloe"] {
            let person = try world.participant(name, email: "\(name.lowercased())@example.org")
            _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system)
            world.time.set(world.time.now.addingTimeInterval(1))
        }
        let sender = try world.sender(world.smtp(server))
        let t0 = Self.at("2027-02-01T10:01:00Z")
        let first = try sender.sweep(at: t0)
        #expect(first.due == 3 && first.sent == 2 && first.retrying == 1 && first.failed == 0)
        #expect(first.transportError == nil, "a deferred recipient is not a transport failure")
        #expect(server.envelopes().map(\.rcptTos) == [["ana@example.org"], ["chloe@example.org"]])
        let deferred = try #require(try world.pending(.enrolmentConfirmation).first)
        #expect(deferred.attempts == 1 && deferred.nextAttemptAt == t0.addingTimeInterval(300))
        #expect(deferred.lastError?.contains("451") == true)

        // Retried after its back-off, not before; the greylist lets the retry through.
        #expect(try sender.sweep(at: t0.addingTimeInterval(60)).due == 0)
        let retry = try sender.sweep(at: t0.addingTimeInterval(300))
        #expect(retry.sent == 1 && retry.transportError == nil)
        #expect(server.envelopes().map(\.rcptTos) == [["ana@example.org"], ["chloe@example.org"], ["bruno@example.org"]])
        #expect(try world.outbox.list(state: .sent, kind: .enrolmentConfirmation, participantID: nil).count == 3)
    }

    @Test func aRescheduledSessionMovesItsReminderAndTellsTheParticipants() throws {
        let world = try World()
        let (programme, sessions) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.participant("Ana", email: "ana@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        let newStart = Self.at("2027-03-12T17:00:00Z")
        _ = try world.programmes.reschedule(sessionID: sessions[1].id, start: newStart, end: newStart.addingTimeInterval(7200), roomID: nil,
                                            holiday: nil, reason: "salle indisponible", by: .system)
        let reminders = try world.pending(.sessionReminder)
        #expect(reminders.count == 3)
        #expect(reminders.first { $0.sessionId == sessions[1].id }?.dueAt == newStart.addingTimeInterval(-2 * 86400))
        let cancelled = try world.outbox.list(state: .cancelled, kind: .sessionReminder, participantID: ana.id)
        #expect(cancelled.count == 1 && cancelled[0].sessionId == sessions[1].id)
        #expect(try world.pending(.sessionChanged).count == 1)

        _ = try world.programmes.cancel(sessionID: sessions[2].id, reason: "grève", by: .system)
        #expect(try world.pending(.sessionReminder).count == 2)
        #expect(try world.pending(.sessionCancelled).count == 1)

        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        #expect(try sender.sweep(at: Self.at("2027-02-01T10:00:00Z")).sent == 3)
        let subjects = try maildirMessages(world).compactMap(\.subject)
        #expect(subjects.contains("Changement d'horaire : séance 2 le vendredi 12 mars 2027 à 18 h 00"))
        #expect(subjects.contains("Séance annulée : séance 3 du jeudi 18 mars 2027"))
        let change = try maildirMessages(world).first { $0.subject?.hasPrefix("Changement") == true }
        #expect(change?.text?.contains("Avant : jeudi 11 mars 2027 à 18 h 00") == true)
        #expect(change?.text?.contains("Motif : salle indisponible") == true)
        // Moving the session again supersedes the first notice if it had not gone yet.
        let withdrawn = try world.enrolments.withdraw(enrolmentID: try world.enrolments.roster(programmeID: programme.id, auditedFor: .system)[0].0.id,
                                                     reason: "déménagement", by: .system)
        #expect(withdrawn.withdrawn.status == .withdrawn)
        #expect(try world.outbox.list(state: .pending, kind: nil, participantID: ana.id).isEmpty, "nothing left for a participant who left")
    }

    /// The whole end of a programme for one participant with email: end questionnaires, then the
    /// follow-up three months after the last attended session, answered through the link.
    @Test func answeringTheFollowUpThroughItsLinkCancelsTheRemindersAndTheLinkThenShowsNothing() throws {
        let world = try World()
        let (programme, sessions) = try world.programme(start: "2027-03-04T18:00")
        let ana = try world.participant("Ana", email: "ana@example.org")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        for session in sessions {
            world.time.set(session.endsAt)
            try world.enrolments.recordAttendance(sessionID: session.id, [(ana.id, .present)], note: nil, by: .system)
        }
        // Recording the last session again changes nothing.
        try world.enrolments.recordAttendance(sessionID: sessions[2].id, [(ana.id, .present)], note: nil, by: .system)
        #expect(try world.pending(.endQuestionnaire).count == 1)
        let followUps = try world.pending(.followUpInvitation)
        #expect(followUps.count == 1)
        // 18 March + 3 months = 18 June, from midnight in Paris.
        #expect(followUps[0].dueAt == Self.at("2027-06-17T22:00:00Z"))
        #expect(try world.pending(.followUpReminder).map(\.dueAt).sorted() == [Self.at("2027-06-24T22:00:00Z"), Self.at("2027-07-01T22:00:00Z")])
        #expect(try world.pending(.followUpCall).count == 1)

        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        world.time.set(Self.at("2027-06-18T08:00:00Z"))
        let report = try sender.sweep(at: Self.at("2027-06-18T08:00:00Z"))
        // The confirmation, the end questionnaire and its reminder (both overdue), the follow-up.
        #expect(report.sent == 4)
        let invitation = try #require(try maildirMessages(world).first { $0.subject == "Où en êtes-vous, trois mois après le programme ?" })
        let text = try #require(invitation.text)
        let link = try #require(text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://relais.example.org/q/") })
        let token = String(link.dropFirst("https://relais.example.org/q/".count))
        #expect(token.count >= 43, "256 random bits")
        #expect(try String.fetchTokens(world).contains(token) == false, "only a digest of the token is stored")

        guard case .open(let opened, let firstName, _, _) = try world.questionnaires.lookup(token: token) else {
            Issue.record("the link should be open")
            return
        }
        #expect(firstName == "Ana" && opened.instruments == ["followup_3m"])
        let answers: [String: JSONValue] = ["status": .string("stopped"), "aids_used": .array([.string("patches")]),
                                            "orientation_followed": .string("yes"), "would_recommend": .string("yes")]
        let result = try world.instruments["followup_3m"]!.score(answers)
        let stored = try world.questionnaires.answer(token: token, results: [result], takenOn: CalendarDate(iso: "2027-06-18")!)
        #expect(stored.count == 1 && stored[0].source == .participantWeb)
        #expect(try world.pending(.followUpReminder).isEmpty)
        #expect(try world.pending(.followUpCall).isEmpty)
        #expect(try world.outbox.list(state: .cancelled, kind: .followUpReminder, participantID: ana.id).count == 2)
        #expect(try world.questionnaires.lookup(token: token) == .used)
        #expect(throws: Refusal.conflict(.questionnaireAnswered)) { try world.questionnaires.answer(token: token, results: [result], takenOn: CalendarDate(iso: "2027-06-18")!) }
        #expect(try world.questionnaires.lookup(token: "not-a-token") == .unknown)

        let before = try maildirMessages(world).count
        _ = try sender.sweep(at: Self.at("2027-06-25T08:00:00Z"))
        _ = try sender.sweep(at: Self.at("2027-07-09T08:00:00Z"))
        #expect(try maildirMessages(world).filter { $0.subject?.contains("suivi") == true }.count == 0)
        #expect(try maildirMessages(world).count == before)
        #expect(try world.tasks.list(state: .open, assignedTo: nil, participantID: ana.id).isEmpty)
    }

    @Test func eachFollowUpOfTheTemplateIsSentInItsTurnAndSaysItsDelay() throws {
        let world = try World()
        let (programme, sessions) = try world.programme(start: "2027-03-04T18:00", followUps: [FollowUpTemplate(months: 1, instrument: "followup_3m"),
                                                                                                FollowUpTemplate(months: 6, instrument: "followup_3m")])
        let ana = try world.participant("Ana", email: "ana@example.org")
        let ben = try world.participant("Ben", email: "ben@example.org", language: "en")
        for person in [ana, ben] { _ = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system) }
        world.time.set(sessions[2].endsAt)
        try world.enrolments.recordAttendance(sessionID: sessions[2].id, [(ana.id, .present), (ben.id, .present)], note: nil, by: .system)
        // 18 March + 1 month and + 6 months, from midnight in Paris.
        #expect(Set(try world.pending(.followUpInvitation).map(\.dueAt)) == [Self.at("2027-04-17T22:00:00Z"), Self.at("2027-09-17T22:00:00Z")])
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        world.time.set(Self.at("2027-04-19T08:00:00Z"))
        _ = try sender.sweep(at: Self.at("2027-04-19T08:00:00Z"))
        var subjects = try maildirMessages(world).compactMap(\.subject)
        #expect(subjects.contains("Où en êtes-vous, un mois après le programme ?") && subjects.contains("How are you doing, a month after the programme?"))
        #expect(!subjects.contains { $0.contains("six") })
        world.time.set(Self.at("2027-09-20T08:00:00Z"))
        _ = try sender.sweep(at: Self.at("2027-09-20T08:00:00Z"))
        subjects = try maildirMessages(world).compactMap(\.subject)
        #expect(subjects.contains("Où en êtes-vous, six mois après le programme ?") && subjects.contains("How are you doing, six months after the programme?"))
        let body = try #require(try maildirMessages(world).first { $0.subject == "Où en êtes-vous, six mois après le programme ?" }?.text)
        #expect(body.contains("Il y a six mois, vous participiez"))
    }

    @Test func anExpiredLinkIsRefused() throws {
        let world = try World()
        let ana = try world.participant("Ana", email: "ana@example.org")
        let sessions = try world.programmeAttendedToTheEnd(by: ana)
        let invitation = try #require(try world.questionnaires.invitations(participantID: ana.id).first { $0.purpose == .endOfProgramme })
        let token = try world.questionnaires.issueToken(invitationID: invitation.id, days: 60)
        world.time.set(sessions[2].endsAt.addingTimeInterval(61 * 86400))
        #expect(try world.questionnaires.lookup(token: token) == .expired)
    }

    @Test func withoutEmailTheQuestionnaireBecomesAPhoneTaskThatStaffAnswers() throws {
        let world = try World()
        let chloe = try world.participant("Chloé", email: nil)
        try world.programmeAttendedToTheEnd(by: chloe)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        let report = try sender.sweep(at: Self.at("2027-03-19T09:00:00Z"))
        #expect(report.sent == 0 && report.tasksOpened == 1)
        #expect(try maildirMessages(world).isEmpty)
        let tasks = try world.tasks.list(state: .open, assignedTo: nil, participantID: chloe.id)
        #expect(tasks.count == 1)
        #expect(tasks[0].kind == .questionnaireCall && tasks[0].invitationId != nil)
        let confirmation = try world.outbox.list(state: .skipped, kind: .enrolmentConfirmation, participantID: chloe.id)
        #expect(confirmation.first?.closedReason == "no email, or no consent to email")
        let questionnaire = try world.outbox.list(state: .skipped, kind: .endQuestionnaire, participantID: chloe.id)
        #expect(questionnaire.first?.closedReason == "no email, or no consent to email: phone task", "the stored reason keeps its wording")

        // A week later the reminder of the same questionnaire opens no second task, and the
        // sweep does not count one.
        let week = try sender.sweep(at: Self.at("2027-03-26T09:00:00Z"))
        #expect(week.skipped == 1 && week.tasksOpened == 0)
        #expect(try world.tasks.list(state: nil, assignedTo: nil, participantID: chloe.id).count == 1)

        // The coordinator calls and enters the three questionnaires: the task closes by itself.
        for id in ["end_status", "satisfaction_end", "impact_end"] {
            let instrument = world.instruments[id]!
            var answers: [String: JSONValue] = [:]
            for item in instrument.definition.items where item.isRequired {
                answers[item.id] = item.type == .integer ? .number(7) : .string(item.options!.first!.code)
            }
            _ = try world.assessments.record(participantID: chloe.id, result: try instrument.score(answers),
                                             takenOn: CalendarDate(iso: "2027-03-27")!, partial: false, source: .phone, by: .system)
        }
        let closed = try world.tasks.task(id: tasks[0].id)
        #expect(closed.state == .done)
        let invitation = try world.questionnaires.invitation(id: tasks[0].invitationId!)
        #expect(invitation.answeredSource == "phone")
    }

    @Test func anUnansweredFollowUpBecomesAPhoneTaskAfterTheTwoReminders() throws {
        let world = try World()
        let ana = try world.participant("Ana", email: "ana@example.org")
        try world.programmeAttendedToTheEnd(by: ana)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        for day in ["2027-06-18", "2027-06-25", "2027-07-02", "2027-07-09"] {
            _ = try sender.sweep(at: Self.at("\(day)T08:00:00Z"))
        }
        let subjects = try maildirMessages(world).compactMap(\.subject)
        #expect(subjects.filter { $0 == "Rappel : votre suivi, trois mois après le programme" }.count == 2)
        let tasks = try world.tasks.list(state: .open, assignedTo: nil, participantID: ana.id)
        #expect(tasks.map(\.kind) == [.followUpCall])
        #expect(tasks.first?.dueOn == "2027-07-09")
        // Closed as unreachable: the participant is lost to follow-up and nothing more is sent.
        _ = try world.tasks.update(id: tasks[0].id, state: .unreachable, assignedTo: nil, note: "3 appels sans réponse", by: .system)
        #expect(try world.outbox.list(state: .pending, kind: nil, participantID: ana.id).isEmpty)
    }

    @Test func aFollowUpWithoutConsentIsNeverSent() throws {
        let world = try World()
        let ana = try world.participant("Ana", email: "ana@example.org", followUp: false)
        try world.programmeAttendedToTheEnd(by: ana)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        for day in ["2027-06-18", "2027-06-25", "2027-07-02", "2027-07-09"] { _ = try sender.sweep(at: Self.at("\(day)T08:00:00Z")) }
        #expect(try maildirMessages(world).filter { $0.subject?.contains("trois mois") == true }.isEmpty)
        #expect(try world.tasks.list(state: nil, assignedTo: nil, participantID: ana.id).isEmpty)
        let skipped = try world.outbox.list(state: .skipped, kind: .followUpInvitation, participantID: ana.id)
        #expect(skipped.first?.closedReason == "no consent to follow-up contact")
    }

    @Test func aRefusedRecipientFailsAtOnceShowsInTheDigestAndCanBeRetried() throws {
        let world = try World(leadEmail: "lead@example.org")
        let server = try SMTPTestServer(rejectRecipients: ["nobody@example.org"])
        let ghost = try world.participant("Ghost", email: "nobody@example.org")
        try world.programmeAttendedToTheEnd(by: ghost)
        let sender = try world.sender(world.smtp(server))
        let report = try sender.sweep(at: Self.at("2027-03-19T09:00:00Z"))
        // The confirmation and the end questionnaire are refused for good; the sweep goes on, and
        // the lead's digest, taken last, already counts them.
        #expect(report.failed == 2 && report.sent == 1 && report.transportError == nil, "a 5xx refusal is permanent and does not stop the sweep")
        let failed = try world.outbox.list(state: .failed, kind: .endQuestionnaire, participantID: ghost.id)
        #expect(failed.count == 1 && failed[0].attempts == 1)
        // Why, as a code staff read in French ("550 5.1.1 … User unknown"), and the address tried.
        #expect(failed[0].failure == .mailboxUnknown && failed[0].recipient == "nobody@example.org")
        let tasks = try world.tasks.list(state: .open, assignedTo: nil, participantID: ghost.id)
        #expect(tasks.map(\.kind) == [.deliveryFailed])

        // The lead's digest of the next morning counts the failures too, and names nobody.
        _ = try sender.sweep(at: Self.at("2027-03-20T08:00:00Z"))
        let digest = try #require(try PythonEmail.parse(server.waitForMessages(1).last!).text)
        #expect(digest.contains("Envois en échec : 2"))
        #expect(!digest.contains("Ghost"))

        let retried = try world.outbox.retry(id: failed[0].id, by: .system)
        #expect(retried.state == .pending && retried.attempts == 0)
        #expect(throws: Refusal.conflict(.retryOnlyFailed, ["state": "pending"])) { try world.outbox.retry(id: failed[0].id, by: .system) }
    }

    /// An address entered before Relais checked them as the transports do ("éric@exemple.fr"):
    /// refused by the transport before it connects, failed at once with the reason staff read,
    /// and the questionnaire becomes a phone task saying so.
    @Test func anAddressNoTransportCanDeliverToFailsAtOnceWithItsReason() throws {
        let world = try World()
        let server = try SMTPTestServer()
        let eric = try world.participant("Éric", email: "eric@exemple.fr")
        try world.store.pool.write { try $0.execute(sql: "UPDATE participant SET email = 'éric@exemple.fr' WHERE id = ?", arguments: [eric.id]) }
        try world.programmeAttendedToTheEnd(by: eric)
        let report = try world.sender(world.smtp(server)).sweep(at: Self.at("2027-03-19T09:00:00Z"))
        #expect(report.failed == 2 && report.retrying == 0 && report.transportError == nil)
        #expect(server.messages().isEmpty)
        let failed = try world.outbox.list(state: .failed, kind: nil, participantID: eric.id)
        #expect(failed.count == 2 && failed.allSatisfy { $0.failure == .addressInvalid && $0.recipient == "éric@exemple.fr" && $0.attempts == 1 })
        #expect(try world.tasks.list(state: .open, assignedTo: nil, participantID: eric.id).map(\.kind) == [.deliveryFailed])
    }

    @Test func coordinatorsAreRemindedOfTheYearlyEvaluationOnceInTheWeekOfItsDate() throws {
        let world = try World(now: "2027-01-10T10:00:00Z")
        let accounts = Accounts(store: world.store, clock: world.time.clock)
        try accounts.createUser(name: "coord", role: .coordinator, password: "long enough password", email: "coord@example.org", by: .system)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        _ = try sender.sweep(at: Self.at("2027-01-14T10:00:00Z")) // the day before: nothing
        #expect(try maildirMessages(world).isEmpty)
        _ = try sender.sweep(at: Self.at("2027-01-15T10:00:00Z"))
        _ = try sender.sweep(at: Self.at("2027-01-16T10:00:00Z"))
        let subjects = try maildirMessages(world).compactMap(\.subject)
        #expect(subjects == ["Évaluation annuelle 2026 à transmettre"])
        let text = try #require(try maildirMessages(world).first?.text)
        #expect(text.contains("https://relais.example.org/reports/years/2026"))
        // A coordinator created after the week of the date is not reminded that year.
        try accounts.createUser(name: "late", role: .coordinator, password: "long enough password", email: "late@example.org", by: .system)
        _ = try sender.sweep(at: Self.at("2027-01-25T10:00:00Z"))
        #expect(try maildirMessages(world).count == 1)
    }

    @Test func anEnglishSpeakingParticipantGetsEnglishMail() throws {
        let world = try World()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        let john = try world.participant("John", email: "john@example.org", language: "en")
        _ = try world.enrolments.enrol(programmeID: programme.id, participantID: john.id, waitingList: false, by: .system)
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        _ = try sender.sweep(at: Self.at("2027-03-02T17:00:00Z"))
        let messages = try maildirMessages(world)
        let subjects = messages.compactMap(\.subject)
        // The sessions' titles are the template's English ones, never the French stored with the session.
        #expect(subjects.contains("Reminder: session 1 \"Assessing one's physical dependence\" on Thursday 4 March 2027 at 18:00"))
        #expect(subjects.contains("Your enrolment: Arrêter ensemble"))
        let confirmation = try #require(messages.first { $0.subject == "Your enrolment: Arrêter ensemble" })
        #expect(confirmation.text?.contains("- Session 2: Expressing and strengthening one's motivation, Thursday 11 March 2027 from 18:00 to 20:00") == true,
                "\(confirmation.text ?? "")")
        #expect(confirmation.text?.contains("Évaluer") == false && confirmation.text?.contains("Exprimer") == false)
        #expect(confirmation.text?.contains("Place: Centre, Salle A, 1 rue Exemple") == true, "no \"room Salle A\"")
        let reminder = try #require(messages.first { $0.subject?.hasPrefix("Reminder") == true })
        let ics = String(decoding: try #require(reminder.attachments.first).data, as: UTF8.self)
        #expect(ics.contains("Assessing one's physical dependence") && !ics.contains("Évaluer"))
    }

    @Test func aRoomIsNamedOnceWhateverItsName() throws {
        #expect(RoomWording.named("Salle Bleue", language: "fr") == "Salle Bleue")
        #expect(RoomWording.named("salle 2", language: "fr") == "salle 2")
        #expect(RoomWording.named("Bureau 3", language: "fr") == "Bureau 3")
        #expect(RoomWording.named("Bleue", language: "fr") == "salle Bleue")
        #expect(RoomWording.named("2", language: "en") == "room 2")
        #expect(RoomWording.named("Room B", language: "en") == "Room B")
    }

    /// A full programme puts the next person on its waiting list and tells them, in their
    /// language; without email nothing is queued (staff call them); enrolled before the sweep,
    /// the notice is not sent (the confirmation says it all).
    @Test func aParticipantPutOnTheWaitingListIsToldInTheirLanguage() throws {
        let world = try World()
        let (programme, _) = try world.programme(start: "2027-03-04T18:00")
        for index in 0..<12 {
            let filler = try world.participant("P\(index)", email: nil)
            _ = try world.enrolments.enrol(programmeID: programme.id, participantID: filler.id, waitingList: false, by: .system)
        }
        let lea = try world.participant("Léa", email: "lea@example.org")
        let john = try world.participant("John", email: "john@example.org", language: "en")
        let paul = try world.participant("Paul", email: nil)
        for person in [lea, john, paul] {
            let enrolment = try world.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: true, by: .system)
            #expect(enrolment.status == .waiting)
        }
        #expect(Set(try world.pending(.waitingList).compactMap(\.participantId)) == [lea.id, john.id, paul.id])
        let sender = try world.sender(try MaildirTransport(directory: world.directory.file("maildir")))
        _ = try sender.sweep(at: Self.at("2027-02-01T10:00:00Z"))
        let messages = try maildirMessages(world).filter { $0.subject?.contains("attente") == true || $0.subject?.contains("Waiting") == true }
        #expect(messages.count == 2, "Paul has no email: staff call him")
        let french = try #require(messages.first { $0.subject == "Liste d'attente : Arrêter ensemble" })
        #expect(french.text?.contains("Bonjour Léa,") == true)
        #expect(french.text?.contains("vous êtes inscrit·e sur sa liste d'attente") == true)
        #expect(french.text?.contains("vous recevrez alors la confirmation de votre inscription") == true)
        let english = try #require(messages.first { $0.subject == "Waiting list: Arrêter ensemble" })
        #expect(english.text?.contains("Hello John,") == true && english.text?.contains("you are on its waiting list") == true)
        let paulsNotice = try world.outbox.list(state: nil, kind: .waitingList, participantID: paul.id)
        #expect(paulsNotice.count == 1 && paulsNotice[0].state == .skipped && paulsNotice[0].closedReason == "no email, or no consent to email")

        // Put on the list and enrolled before the sweep: the notice no longer holds.
        let (second, _) = try world.programme(start: "2027-05-06T18:00")
        for index in 0..<12 {
            let filler = try world.participant("Q\(index)", email: nil)
            _ = try world.enrolments.enrol(programmeID: second.id, participantID: filler.id, waitingList: false, by: .system)
        }
        let marc = try world.participant("Marc", email: "marc@example.org")
        _ = try world.enrolments.enrol(programmeID: second.id, participantID: marc.id, waitingList: true, by: .system)
        let leaving = try world.enrolments.roster(programmeID: second.id, auditedFor: .system).first { $0.0.status == .enrolled }!
        let (_, promoted) = try world.enrolments.withdraw(enrolmentID: leaving.0.id, reason: "Déménagement", by: .system)
        #expect(promoted?.participantId == marc.id)
        _ = try sender.sweep(at: Self.at("2027-02-01T10:05:00Z"))
        let marcs = try world.outbox.list(state: nil, kind: .waitingList, participantID: marc.id)
        #expect(marcs.count == 1 && marcs[0].state == .skipped && marcs[0].closedReason == "participant no longer on the waiting list")
        #expect(try world.outbox.list(state: .sent, kind: .enrolmentConfirmation, participantID: marc.id).count == 1)
    }

    @Test func aMissingOrBrokenTemplateStopsWithTheFileName() throws {
        let folder = TemporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: World.protocols + "/mail") {
            try FileManager.default.copyItem(atPath: World.protocols + "/mail/" + file, toPath: folder.file(file))
        }
        _ = try MailTemplates(directory: folder.path)
        try FileManager.default.removeItem(atPath: folder.file("session_reminder.fr.mustache"))
        #expect(throws: MailTemplateError(file: folder.file("session_reminder.fr.mustache"), reason: "missing")) {
            try MailTemplates(directory: folder.path)
        }
        try "Pas de sujet\n\nBonjour".write(toFile: folder.file("session_reminder.fr.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: MailTemplateError.self) { try MailTemplates(directory: folder.path) }
        try "Subject: x\n\n{{#open}}".write(toFile: folder.file("session_reminder.fr.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: MailTemplateError.self) { try MailTemplates(directory: folder.path) }
    }
}

extension String {
    /// Every stored questionnaire token digest.
    static func fetchTokens(_ world: World) throws -> [String] {
        try world.store.pool.read { try String.fetchAll($0, sql: "SELECT token_hash FROM questionnaire_token") }
    }
}

@Suite("Mail HTML part")
struct MailHTMLTests {
    @Test func paragraphsLineBreaksLinksAndEscaping() {
        let html = MailTemplates.html(fromText: "Bonjour Ana,\n\nLigne 1\nRépondre : https://relais.example.org/q/a&b\n\n\n<b>gras</b> \"cité\"\n")
        #expect(html == """
            <p>Bonjour Ana,</p>
            <p>Ligne 1<br>
            Répondre : <a href="https://relais.example.org/q/a&amp;b">https://relais.example.org/q/a&amp;b</a></p>
            <p>&lt;b&gt;gras&lt;/b&gt; &quot;cité&quot;</p>
            """)
    }
}
