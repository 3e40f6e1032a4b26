import Foundation
import GRDB
import HTTPServer
import RelaisDomain
import RelaisConfig
import RelaisStore
@testable import RelaisWeb
import Testing

/// The programme, session, consultation, task and dashboard pages, through the router in
/// process, as each role.
@Suite("Pages: programmes, sessions, consultations, tasks, dashboard")
struct ProgrammePageTests {
    /// A structure with staff of every role, a site and room, and one participant.
    struct Fixture {
        let client: PageClient
        let lead: User, other: User, coordinator: User, helper: User, otherHelper: User, admin: User
        let site: SiteRecord, room: RoomRecord
        let ana: ParticipantRecord

        init(app: RelaisApp? = nil, configure: (inout RelaisConfig.Configuration, _ directory: String) -> Void = { _, _ in }) throws {
            client = try PageClient(app: app, configure: configure)
            coordinator = try client.user("coord", role: .coordinator)
            lead = try client.user("claire", role: .tabacologue)
            other = try client.user("omar", role: .tabacologue)
            helper = try client.user("sam", role: .peerHelper)
            otherHelper = try client.user("zoe", role: .peerHelper)
            admin = try client.user("root", role: .admin)
            site = try client.app.sites.create(name: "CSAPA Nord", address: "1 rue de la Paix", by: .system)
            room = try client.app.sites.addRoom(siteID: site.id, name: "Salle 2", capacity: 20, by: .system)
            ana = try client.app.participants.create(try ParticipantDetails(firstName: "Ana", lastName: "Dupont", birthYear: 1980,
                                                                            email: "ana@example.org", consentEmail: true).validated(currentYear: 2026), by: .system)
        }

        func programmeForm(start: String, title: String = "Printemps sans tabac", action: String, lead: String? = nil) -> [(String, String)] {
            [("template", "3g2i"), ("title", title), ("modality", "in_person"), ("siteId", site.id), ("roomId", room.id), ("capacity", "12"),
             ("start", start), ("cadence", "weekly"), ("timeZone", "Europe/Paris"), ("leadId", lead ?? self.lead.id),
             ("peerHelperId", helper.id), ("action", action)]
        }

        /// Chloé, without email, enrolled in a programme she attended to its end: the sender turned
        /// her end-of-programme questionnaire into a phone task.
        func questionnaireTask() throws -> (task: TaskRecord, participant: ParticipantRecord) {
            let app = client.app
            let chloe = try app.participants.create(try ParticipantDetails(
                firstName: "Chloé", lastName: "Petit", birthYear: 1975, phone: "06 12 34 56 78",
                postalAddress: "Résidence Les Tilleuls\n12 rue des Lilas\n59000 Lille", consentFollowUp: true).validated(currentYear: 2026), by: .system)
            let (id, sessions) = try programme()
            _ = try client.post("/programmes/\(id)/enrolments", [("participantId", chloe.id)], as: "coord")
            try client.moveClock(to: sessions[2].endsAt.addingTimeInterval(600))
            _ = try client.post("/sessions/\(sessions[2].id)/attendance", [("attendance.\(chloe.id)", "present")], as: "claire")
            // The sender turns Chloé's end questionnaire into a phone task (no email).
            let message = try #require(try app.outbox.list(state: .pending, kind: .endQuestionnaire, participantID: chloe.id).first)
            _ = try app.outbox.prepare(id: message.id, at: client.clock.now, tokenDays: 60, timeZone: TimeZone(identifier: "Europe/Paris")!)
            return (try #require(try app.tasks.list(state: .open, assignedTo: nil, participantID: chloe.id).first), chloe)
        }

        /// An answer to every required question of the end-of-programme questionnaires.
        func endAnswers() -> [(String, String)] {
            ["end_status", "satisfaction_end", "impact_end"].flatMap { id in
                client.app.instruments[id]!.definition.items.filter(\.isRequired).map { item in
                    ("\(id).\(item.id)", item.options?.first?.code ?? "7")
                }
            }
        }

        /// A programme created through the form, with Ana enrolled through the search.
        func programme(start: String = "2027-11-04T18:00") throws -> (id: String, sessions: [SessionRecord]) {
            let created = try client.post("/programmes/new", programmeForm(start: start, action: "create"), as: "coord")
            let location = try #require(created.location)
            let id = String(location.dropFirst("/programmes/".count).prefix { $0 != "?" })
            _ = try client.post("/programmes/\(id)/enrolments", [("participantId", ana.id)], as: "coord")
            return (id, try client.app.programmes.programme(id: id).1)
        }
    }

    @Test func theListIsForStaffWhoPlanAndByYear() throws {
        let world = try Fixture()
        let (id, _) = try world.programme()
        let list = try world.client.get("/programmes?year=2027", as: "coord")
        #expect(list.status == 200)
        #expect(list.text.contains("Printemps sans tabac") && list.text.contains("href=\"/programmes/\(id)\""))
        #expect(try world.client.get("/programmes?year=2026", as: "coord").text.contains("Aucun programme cette année."))
        #expect(try world.client.get("/programmes", as: "root").status == 403)
        // A peer helper sees the programmes they co-lead only.
        #expect(try world.client.get("/programmes?year=2027", as: "sam").text.contains("Printemps sans tabac"))
        #expect(!(try world.client.get("/programmes?year=2027", as: "zoe").text.contains("Printemps sans tabac")))
        #expect(try world.client.get("/programmes", as: nil).location == "/login")
    }

    @Test func creatingShowsTheProposalWithHolidaysAndConflictsBeforeSaving() throws {
        let world = try Fixture()
        let form = try world.client.get("/programmes/new", as: "coord")
        #expect(form.status == 200 && form.text.contains(#"<label for="title">"#) && form.text.contains(#"id="title""#))
        #expect(try world.client.get("/programmes/new", as: "sam").status == 403)

        // 4 November 2027 is a Thursday; the 11th is Armistice day.
        let preview = try world.client.post("/programmes/new", world.programmeForm(start: "2027-11-04T18:00", action: "preview"), as: "coord")
        #expect(preview.status == 200)
        #expect(preview.text.contains("jeudi 4 novembre 2027, 18 h 00"))
        #expect(preview.text.contains("Jour férié : Armistice 1918"))
        #expect(preview.text.contains(#"value="create""#))
        #expect(try world.client.app.programmes.list(year: 2027).isEmpty, "a preview stores nothing")

        // A missing title is named next to its field; what was typed is kept.
        var untitled = world.programmeForm(start: "2027-11-04T18:00", action: "create")
        untitled.removeAll { $0.0 == "title" }
        let refused = try world.client.post("/programmes/new", untitled, as: "coord")
        #expect(refused.status == 422)
        #expect(refused.text.contains(#"id="title-error">obligatoire"#))
        #expect(refused.text.contains(#"value="2027-11-04T18:00""#))
        #expect(refused.text.contains("error-summary"))

        let created = try world.client.post("/programmes/new", world.programmeForm(start: "2027-11-04T18:00", action: "create"), as: "coord")
        #expect(created.status == 303 || created.status == 302)
        let location = try #require(created.location)
        #expect(location.hasSuffix("?done=programme_created"))
        #expect(try world.client.get(location, as: "coord").text.contains("Programme enregistré."))

        // The same tabacologue and room at the same time: the proposal shows the conflict and no save button.
        let clash = try world.client.post("/programmes/new", world.programmeForm(start: "2027-11-04T18:30", title: "Doublon", action: "preview"), as: "coord")
        #expect(clash.text.contains("Conflit"))
        #expect(!clash.text.contains(#"value="create""#))
        // Without the CSRF field, nothing happens.
        #expect(try world.client.post("/programmes/new", world.programmeForm(start: "2027-12-01T18:00", action: "create"), as: "coord", csrf: false).status == 403)
    }

    @Test func theProgrammePageEnrolsThroughASearchAndShowsPeersInitialsOnly() throws {
        let world = try Fixture()
        let (id, _) = try world.programme()
        let page = try world.client.get("/programmes/\(id)", as: "coord")
        #expect(page.status == 200)
        #expect(page.text.contains("Ana Dupont") && page.text.contains("1 / 12"))
        let bruno = try world.client.app.participants.create(try ParticipantDetails(firstName: "Bruno", lastName: "Martin", birthYear: 1970,
                                                                                  phone: "06 11 22 33 44").validated(currentYear: 2026), by: .system)
        let search = try world.client.get("/programmes/\(id)?q=Martin", as: "coord")
        #expect(search.text.contains("Bruno Martin (1970)"))
        let enrolled = try world.client.post("/programmes/\(id)/enrolments", [("participantId", bruno.id)], as: "coord")
        #expect(enrolled.location?.hasPrefix("/programmes/\(id)?enrolment=") == true && enrolled.location?.hasSuffix("&done=enrolment_done") == true)
        #expect(try world.client.get(try #require(enrolled.location), as: "coord").text.contains("Inscription enregistrée pour Bruno Martin."))
        let twice = try world.client.post("/programmes/\(id)/enrolments", [("participantId", bruno.id)], as: "coord")
        #expect(twice.status == 409 && twice.text.contains("cette personne est déjà inscrite"))

        let peer = try world.client.get("/programmes/\(id)", as: "sam")
        #expect(peer.status == 200)
        #expect(peer.text.contains("Ana D.") && !peer.text.contains("Dupont"))
        #expect(!peer.text.contains("/participants/"))
        #expect(try world.client.get("/programmes/\(id)", as: "zoe").status == 403)

        // Leaving needs a reason.
        let enrolment = try #require(try world.client.app.enrolments.roster(programmeID: id, auditedFor: .system).first { $0.1.id == bruno.id }?.0)
        let noReason = try world.client.post("/enrolments/\(enrolment.id)/withdraw", [("programmeId", id), ("reason", "")], as: "coord")
        #expect(noReason.status == 422 && noReason.text.contains("obligatoire"))
        let left = try world.client.post("/enrolments/\(enrolment.id)/withdraw", [("programmeId", id), ("reason", "Déménagement")], as: "coord")
        #expect(left.location == "/programmes/\(id)?enrolment=\(enrolment.id)&done=enrolment_withdrawn")
        // Withdrawn, Bruno stays on the page, struck out with his reason.
        let after = try world.client.get(try #require(left.location), as: "coord").text
        #expect(after.contains("Sortie du programme enregistrée pour Bruno Martin."))
        #expect(after.contains("<tr class=\"withdrawn\"><td><s>Bruno Martin</s> <span class=\"tag\">sortie du programme le "))
        #expect(after.contains("Motif de sortie : Déménagement"))
        // The peer helper sees the struck-out initials, not the reason.
        let peerView = try world.client.get("/programmes/\(id)", as: "sam").text
        #expect(peerView.contains("<s>Bruno M.</s>") && !peerView.contains("Déménagement"))
    }

    /// A full programme: the next person goes on the waiting list and the page says how they are
    /// told; when someone leaves, the notice names who takes the freed place.
    @Test func theWaitingListIsToldAndThePromotedPersonIsNamed() throws {
        let world = try Fixture()
        var form = world.programmeForm(start: "2027-11-04T18:00", action: "create")
        form.removeAll { $0.0 == "capacity" }
        form.append(("capacity", "1"))
        let created = try world.client.post("/programmes/new", form, as: "coord")
        let id = String(try #require(created.location).dropFirst("/programmes/".count).prefix { $0 != "?" })
        _ = try world.client.post("/programmes/\(id)/enrolments", [("participantId", world.ana.id)], as: "coord")
        let bruno = try world.client.app.participants.create(try ParticipantDetails(firstName: "Bruno", lastName: "Martin", birthYear: 1970,
                                                                                  phone: "06 11 22 33 44").validated(currentYear: 2026), by: .system)
        let waiting = try world.client.post("/programmes/\(id)/enrolments", [("participantId", bruno.id)], as: "coord")
        #expect(waiting.location?.hasSuffix("&done=enrolment_waiting") == true)
        let waitingPage = try world.client.get(try #require(waiting.location), as: "coord").text
        #expect(waitingPage.contains("Le programme est complet : Bruno Martin est en liste d&#39;attente. Aucun courriel possible : appelez pour l&#39;en informer."),
                "\(waitingPage)")
        // No email for Bruno: the notice waits for the sweep, which closes it (staff call him).
        #expect(try world.client.app.outbox.list(state: nil, kind: .waitingList, participantID: bruno.id).map(\.state) == [.pending])
        let anaEnrolment = try #require(try world.client.app.enrolments.roster(programmeID: id, auditedFor: .system).first { $0.1.id == world.ana.id }?.0)
        let left = try world.client.post("/enrolments/\(anaEnrolment.id)/withdraw", [("programmeId", id), ("reason", "Raisons de santé")], as: "coord")
        let notice = try world.client.get(try #require(left.location), as: "coord").text
        #expect(notice.contains("Sortie du programme enregistrée pour Ana Dupont. Bruno Martin quitte la liste d&#39;attente et prend la place libérée ; sans courriel, appelez pour le lui dire."),
                "\(notice)")
    }

    @Test func theSessionPageRecordsAttendanceWithTheGuideAndQuickEntry() throws {
        let world = try Fixture()
        let (_, sessions) = try world.programme()
        let session = sessions[0]
        // Before the session: the note only, no attendance and no tests, and the page says why.
        let before = try world.client.get("/sessions/\(session.id)", as: "claire")
        #expect(before.status == 200 && !before.text.contains(#"name="attendance."#) && !before.text.contains("/quick/"))
        #expect(before.text.contains("La présence et les tests du groupe se notent à partir du début de la séance (jeudi 4 novembre 2027"))
        let early = try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "present")], as: "claire")
        #expect(early.status == 422 && early.text.contains("la séance 1 n&#39;a pas encore commencé (elle commence le jeudi 4 novembre 2027, 18 h 00)"))
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id).isEmpty)
        let earlyQuick = try world.client.get("/sessions/\(session.id)/quick/co", as: "claire")
        #expect(earlyQuick.status == 422 && !earlyQuick.text.contains("p\(world.ana.id).co.ppm"))
        let prepared = try world.client.post("/sessions/\(session.id)/attendance", [("note", "Apporter les CO-testeurs")], as: "claire")
        #expect(prepared.location == "/sessions/\(session.id)?done=attendance_saved")
        #expect(try world.client.app.programmes.session(id: session.id).0.note == "Apporter les CO-testeurs")

        try world.client.moveClock(to: session.startsAt.addingTimeInterval(30 * 60))
        let page = try world.client.get("/sessions/\(session.id)", as: "claire")
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>Séance 1 — Évaluer sa dépendance physique</h1>"), "the guide, rendered from Markdown")
        #expect(page.text.contains(#"name="attendance.\#(world.ana.id)""#))
        #expect(page.text.contains("/sessions/\(session.id)/quick/fagerstrom") && page.text.contains("/sessions/\(session.id)/quick/co"))

        // The peer helper records attendance and the note, sees initials and no test entry.
        let peer = try world.client.get("/sessions/\(session.id)", as: "sam")
        #expect(peer.status == 200 && peer.text.contains("Ana D.") && !peer.text.contains("Dupont") && !peer.text.contains("/quick/"))
        let saved = try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "present"), ("note", "Groupe dynamique")], as: "sam")
        #expect(saved.location == "/sessions/\(session.id)?done=attendance_saved")
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id)[world.ana.id] == .present)
        #expect(try world.client.get("/sessions/\(session.id)?done=attendance_saved", as: "sam").text.contains("Présences enregistrées."))
        #expect(try world.client.get("/sessions/\(session.id)", as: "zoe").status == 403)
        // The coordination may record attendance too (from the paper sign-in sheet).
        #expect(try world.client.get("/sessions/\(session.id)", as: "coord").text.contains(#"name="attendance.\#(world.ana.id)""#))
        #expect(try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "absent")], as: "sam", csrf: false).status == 403)

        // Quick entry of CO for the group: an impossible reading is refused and kept; a valid one is stored.
        let quick = try world.client.get("/sessions/\(session.id)/quick/co", as: "claire")
        #expect(quick.status == 200 && quick.text.contains("Ana Dupont"))
        let field = "p\(world.ana.id).co.ppm"
        let wrong = try world.client.post("/sessions/\(session.id)/quick/co", [(field, "-3")], as: "claire")
        #expect(wrong.status == 422 && wrong.text.contains(#"value="-3""#))
        let stored = try world.client.post("/sessions/\(session.id)/quick/co", [(field, "14")], as: "claire")
        #expect(stored.location == "/sessions/\(session.id)?done=quick_saved&count=1")
        let assessments = try world.client.app.assessments.assessments(participantID: world.ana.id, by: .system)
        #expect(assessments.map(\.instrumentId) == ["co"] && assessments.first?.total == 14)
        #expect(try world.client.get("/sessions/\(session.id)/quick/co", as: "sam").status == 403)

        let sheet = try world.client.get("/sessions/\(session.id)/sheet", as: "coord")
        #expect(sheet.status == 200 && sheet.text.contains("Feuille d&#39;émargement") && sheet.text.contains("Ana Dupont"))
        let audited = try world.client.app.store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'read_roster'") ?? 0 }
        #expect(audited >= 5)
    }

    @Test func aConsultationNoteIsForItsTabacologueOnly() throws {
        let world = try Fixture()
        let (id, _) = try world.programme()
        let booked = try world.client.post("/programmes/\(id)/consultations", [("participantId", world.ana.id), ("index", "1"),
                                                                              ("facilitatorId", world.lead.id), ("start", "2027-11-05T10:00"),
                                                                              ("modality", "in_person")], as: "coord")
        #expect(booked.location == "/programmes/\(id)?done=consultation_booked#consultations")
        let consultation = try #require(try world.client.app.consultations.list(programmeID: id).first)
        // Before its time it cannot be done nor missed: the page does not offer it, the use case refuses it.
        let ahead = try world.client.get("/consultations/\(consultation.id)", as: "claire")
        #expect(ahead.status == 200 && !ahead.text.contains(#"<option value="done""#) && !ahead.text.contains(#"<option value="missed""#))
        #expect(ahead.text.contains("Elle pourra être marquée réalisée ou manquée à partir de son heure (vendredi 5 novembre 2027"))
        let early = try world.client.post("/consultations/\(consultation.id)", [("status", "done"), ("note", "Patchs 21 mg")], as: "claire")
        #expect(early.status == 422 && early.text.contains("la consultation n&#39;a pas encore eu lieu"))
        #expect(try world.client.app.consultations.read(id: consultation.id, by: .system).status == .planned)

        try world.client.moveClock(to: consultation.startsAt.addingTimeInterval(45 * 60))
        #expect(try world.client.get("/consultations/\(consultation.id)", as: "claire").text.contains(#"<option value="done""#))
        let written = try world.client.post("/consultations/\(consultation.id)", [("status", "done"), ("note", "Patchs 21 mg")], as: "claire")
        #expect(written.location == "/consultations/\(consultation.id)?done=consultation_saved")
        let clinician = try world.client.get("/consultations/\(consultation.id)", as: "claire")
        #expect(clinician.status == 200 && clinician.text.contains("Patchs 21 mg"))
        let coordination = try world.client.get("/consultations/\(consultation.id)", as: "coord")
        #expect(coordination.status == 200 && !coordination.text.contains("Patchs 21 mg"))
        #expect(try world.client.get("/consultations/\(consultation.id)", as: "omar").text.contains("Patchs 21 mg") == false)
        #expect(try world.client.get("/consultations/\(consultation.id)", as: "sam").status == 403)
        #expect(try world.client.post("/consultations/\(consultation.id)", [("note", "x")], as: "coord").status == 403)
        #expect(try world.client.app.consultations.read(id: consultation.id, by: .system).note == "Patchs 21 mg")
    }

    @Test func aPhoneTaskIsAnsweredFromItsPageAndClosesItself() throws {
        let world = try Fixture()
        let (task, chloe) = try world.questionnaireTask()

        let list = try world.client.get("/tasks", as: "coord")
        #expect(list.status == 200 && list.text.contains("Chloé Petit") && list.text.contains("tel:0612345678"))
        #expect(try world.client.get("/tasks", as: "sam").status == 403)
        let page = try world.client.get("/tasks/\(task.id)", as: "coord")
        #expect(page.text.contains("Questions à poser") && page.text.contains(#"name="satisfaction_end.overall""#))
        #expect(page.text.contains("/tasks/\(task.id)/letter"))

        let partial = try world.client.post("/tasks/\(task.id)/answers", [("satisfaction_end.overall", "satisfied"), ("source", "phone")], as: "coord")
        #expect(partial.status == 422 && partial.text.contains(#"value="satisfied" checked"#))
        let done = try world.client.post("/tasks/\(task.id)/answers", [("source", "phone")] + world.endAnswers(), as: "coord")
        #expect(done.location == "/tasks?done=task_answered")
        #expect(try world.client.app.tasks.task(id: task.id).state == .done)
        #expect(try world.client.app.assessments.assessments(participantID: chloe.id, by: .system).allSatisfy { $0.source == .phone })

        // Closing another task as unreachable.
        let manual = try world.client.app.tasks.create(participantID: chloe.id, reason: "Rappeler", dueOn: nil, assignedTo: nil, by: .system)
        let closed = try world.client.post("/tasks/\(manual.id)", [("state", "unreachable"), ("note", "3 appels"), ("assignedTo", world.coordinator.id)], as: "coord")
        #expect(closed.location == "/tasks?done=task_closed")
        #expect(try world.client.app.tasks.task(id: manual.id).state == .unreachable)
    }

    @Test func theDashboardShowsEachRoleWhatConcernsIt() throws {
        let world = try Fixture()
        let now = world.client.app.clock.now()
        let zone = TimeZone(identifier: "Europe/Paris")!
        let start = LocalDateTime(now.addingTimeInterval(3 * 86400), in: zone)
        let (_, _) = try world.programme(start: "\(start.date.iso)T18:00")
        let coordinator = try world.client.get("/", as: "coord")
        #expect(coordinator.status == 200)
        #expect(coordinator.text.contains("Printemps sans tabac, Séance 1"))
        #expect(coordinator.text.contains("Consultations à programmer (1)") && coordinator.text.contains("C1, C2"))
        #expect(coordinator.text.contains("0 tâche à faire"))
        let audited = try world.client.app.store.auditEntries(entity: "participant").filter { $0.action == "read_dashboard" }
        #expect(audited.map(\.participants) == [[world.ana.id]], "the names on the dashboard are audited reads, in one row")
        #expect(try world.client.app.store.auditEntries(entity: "participant", id: world.ana.id).contains { $0.action == "read_dashboard" })
        let peer = try world.client.get("/", as: "sam")
        #expect(peer.text.contains("Printemps sans tabac, Séance 1") && !peer.text.contains("Consultations à programmer"))
        #expect(!(try world.client.get("/", as: "zoe").text.contains("Printemps sans tabac")))
        let admin = try world.client.get("/", as: "root")
        #expect(admin.text.contains("href=\"/admin\"") && !admin.text.contains("Consultations à programmer"))
    }
}

@Suite("Pages: my account")
struct AccountPageTests {
    @Test func aUserChoosesTheNameShownTheLanguageAndTheDigestAddress() throws {
        let client = try PageClient()
        try client.user("claire", role: .tabacologue)
        let page = try client.get("/account", as: "claire")
        #expect(page.status == 200 && page.text.contains(#"<label for="language">Langue des pages</label>"#))
        let refused = try client.post("/account", [("displayName", "Claire M."), ("language", "en"), ("email", "pas une adresse")], as: "claire")
        #expect(refused.status == 422 && refused.text.contains("adresse e-mail invalide") && refused.text.contains(#"value="Claire M.""#))
        let saved = try client.post("/account", [("displayName", "Claire M."), ("language", "en"), ("email", "claire@example.org")], as: "claire")
        #expect(saved.location == "/account?done=account_saved")
        let user = try #require(try client.app.accounts.user(named: "claire"))
        #expect(user.displayName == "Claire M." && user.language == "en" && user.email == "claire@example.org")
        // The pages now speak English to her.
        #expect(try client.get("/account?done=account_saved", as: "claire").text.contains("Account saved."))
        #expect(try client.post("/account", [("displayName", "X")], as: "claire", csrf: false).status == 403)
    }
}

@Suite("Pages: instrument forms")
struct InstrumentFormPageTests {
    @Test func fagerstromQuestionFourTakesTheNumberOfCigarettes() throws {
        let client = try PageClient()
        try client.user("claire", role: .tabacologue)
        let ana = try client.app.participants.create(try ParticipantDetails(firstName: "Ana", lastName: "Dupont", birthYear: 1980,
                                                                           phone: "06 12 34 56 78").validated(currentYear: 2026), by: .system)
        let form = try client.get("/participants/\(ana.id)/assessments/new?instrument=fagerstrom", as: "claire")
        #expect(form.text.contains(#"name="fagerstrom.q4.count""#))
        let saved = try client.post("/participants/\(ana.id)/assessments/new?instrument=fagerstrom", [
            ("fagerstrom.q1", "within5"), ("fagerstrom.q2", "yes"), ("fagerstrom.q3", "first_morning"), ("fagerstrom.q4.count", "25"),
            ("fagerstrom.q5", "yes"), ("fagerstrom.q6", "yes"), ("date", "2026-11-20"), ("source", "staff"),
        ], as: "claire")
        #expect(saved.status == 303 || saved.status == 302, "\(saved.text.prefix(400))")
        let stored = try #require(try client.app.assessments.assessments(participantID: ana.id, by: .system).first)
        // 3 + 1 + 1 + 2 (21 to 30 a day) + 1 + 1, Heatherton's table.
        #expect(stored.total == 9)
        #expect(stored.answerValues["q4"] == .string("21to30") || stored.answerValues["q4"] == .number(25))
    }
}
