import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases
@testable import RelaisWeb
import HTTPTypes
import Testing

/// Every page and every form error a French user or participant sees is French: the walk logs
/// in as each role, opens every page route of the router with real ids, posts every form with
/// bad input (and the conflicts staff meet: a facilitator or a room taken, a consultation booked
/// twice), and reads the visible text of each answer for English.
@Suite("French everywhere")
struct FrenchWalkTests {
    // MARK: - The detector

    /// Words and phrases of English that never appear in correct French UI text.
    static let englishMarkers = [
        "the", "must", "expected", "already", "not found", "invalid", "required", "got", "is", "are", "please", "cannot",
        "should", "your", "with", "and", "of", "this", "that", "from", "between", "unknown", "missing", "which", "will", "has", "have",
        "been", "was", "were", "does", "not", "for", "to", "by", "error", "weekly", "every", "none", "yes", "true", "false", "null", "nil",
        "Optional", "leads", "booked", "enter", "choose", "field", "value", "date format", "whole number", "failed", "sent", "pending",
        "present", "excused", "planned", "done", "missed", "cancelled", "in_person", "enrolled", "waiting", "withdrawn", "smoker",
    ]

    /// Codes that are not words: camelCase field names ("participantId") and indexed paths ("records[0].status").
    static let codeExpressions = [#"(?<![\p{L}\p{N}])[a-z]{3,}(?:[A-Z][a-z]+)+(?![\p{L}\p{N}])"#, #"[a-z]+\[\d+\]"#, #"\bevery:\d*"#]
        .map { try! NSRegularExpression(pattern: $0) }

    static let markerExpressions: [(String, NSRegularExpression)] = englishMarkers.map { word in
        let pattern = "(?i)(?<![\\p{L}\\p{N}_@./-])" + NSRegularExpression.escapedPattern(for: word) + "(?![\\p{L}\\p{N}_@-])"
        return (word, try! NSRegularExpression(pattern: pattern))
    }

    /// The text a person reads on a page: tags, scripts, styles and code removed, attributes
    /// read aloud (labels, titles, placeholders, alternative text) kept, entities decoded.
    static func visibleText(_ html: String) -> String {
        var text = html
        for pattern in [#"(?is)<script\b.*?</script>"#, #"(?is)<style\b.*?</style>"#, #"(?is)<code\b.*?</code>"#, #"(?is)<!--.*?-->"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        // What assistive technologies read from attributes.
        var spoken: [String] = []
        let attribute = try! NSRegularExpression(pattern: #"(?i)\s(?:aria-label|title|placeholder|alt)="([^"]*)""#)
        for match in attribute.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            if let range = Range(match.range(at: 1), in: text) { spoken.append(String(text[range])) }
        }
        text = text.replacingOccurrences(of: #"(?s)<[^>]*>"#, with: " ", options: .regularExpression)
        text += " " + spoken.joined(separator: " ")
        for (entity, character) in [("&#39;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&#x27;", "'"),
                                    ("&#34;", "\""), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
    }

    /// The English found in `text` (each marker with a little context), once the data the test
    /// typed and the proper names are taken out.
    static func english(in text: String, ignoring typed: [String]) -> [String] {
        var text = text
        for value in typed.sorted(by: { $0.count > $1.count }) where !value.isEmpty { text = text.replacingOccurrences(of: value, with: " ") }
        var found: [String] = []
        for (word, expression) in markerExpressions {
            for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).prefix(1) {
                guard let range = Range(match.range, in: text) else { continue }
                let start = text.index(range.lowerBound, offsetBy: -50, limitedBy: text.startIndex) ?? text.startIndex
                let end = text.index(range.upperBound, offsetBy: 50, limitedBy: text.endIndex) ?? text.endIndex
                found.append("«\(word)» in …\(text[start..<end])…")
            }
        }
        for expression in codeExpressions {
            for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).prefix(1) {
                guard let range = Range(match.range, in: text) else { continue }
                let start = text.index(range.lowerBound, offsetBy: -50, limitedBy: text.startIndex) ?? text.startIndex
                found.append("code «\(text[range])» in …\(text[start..<range.upperBound])…")
            }
        }
        return found
    }

    @Test func theDetectorFindsEnglishAndLeavesFrenchAlone() {
        #expect(!Self.english(in: "Dr Julien Durand already leads the session", ignoring: []).isEmpty)
        #expect(!Self.english(in: "must be from 0 to 200, got 250", ignoring: []).isEmpty)
        #expect(!Self.english(in: "expected a whole number", ignoring: []).isEmpty)
        #expect(!Self.english(in: "'none' cannot be combined", ignoring: []).isEmpty)
        #expect(!Self.english(in: "q3 — required", ignoring: []).isEmpty)
        #expect(!Self.english(in: "participantId : obligatoire", ignoring: []).isEmpty)
        #expect(!Self.english(in: "records[0].status : choisissez", ignoring: []).isEmpty)
        #expect(Self.english(in: "Le programme est complet : Bruno Martin est en liste d'attente. 1 présent sur 1 ; séance du jeudi 4 novembre 2027, 18 h 00",
                             ignoring: []).isEmpty)
        #expect(Self.english(in: "Dr Julien Durand anime déjà la séance « Printemps sans tabac, séance 1 » le jeudi 4 novembre 2027", ignoring: []).isEmpty)
        #expect(Self.visibleText(#"<p title="the title">a<script>var the = 1</script><code>every:14</code> b &amp; c</p>"#).contains("the title"))
        #expect(!Self.visibleText(#"<p>a<script>var the = 1</script><code>every:14</code></p>"#).contains("every"))
    }

    // MARK: - The structure walked

    struct World {
        let client: PageClient
        let coordinator: User, lead: User, other: User, helper: User, admin: User, spare: User
        let site: SiteRecord, room: RoomRecord, otherRoom: RoomRecord
        let ana: ParticipantRecord, bruno: ParticipantRecord, chloe: ParticipantRecord
        let programmeID: String, sessions: [SessionRecord]
        let otherProgrammeID: String, otherSessions: [SessionRecord]
        let anaEnrolment: EnrolmentRecord
        let consultation: ConsultationRecord
        let task: TaskRecord
        let token: String
        let usedMessage: OutboxRecord
        /// A test of Ana's, for the correction and withdrawal forms.
        let assessment: AssessmentRecord
        /// A treatment of Ana's, for its correction and end forms.
        let treatment: TreatmentRecord
        /// What the walk typed, and proper names: not English, whatever their words.
        let typed: [String]

        init() throws {
            client = try PageClient()
            coordinator = try client.user("coord", role: .coordinator)
            lead = try client.user("julien", role: .tabacologue)
            other = try client.user("omar", role: .tabacologue)
            helper = try client.user("sam", role: .peerHelper)
            admin = try client.user("root", role: .admin)
            spare = try client.user("partant", role: .coordinator)
            let app = client.app
            site = try app.sites.create(name: "CSAPA Nord", address: "1 rue de la Paix, Lille", by: .system)
            room = try app.sites.addRoom(siteID: site.id, name: "Salle Bleue", capacity: 20, by: .system)
            otherRoom = try app.sites.addRoom(siteID: site.id, name: "Bureau 3", capacity: 4, by: .system)
            ana = try app.participants.create(try ParticipantDetails(firstName: "Ana", lastName: "Dupont", birthYear: 1980, email: "ana@example.org",
                                                                     consentDataProcessing: true, consentEmail: true, consentFollowUp: true)
                .validated(currentYear: 2026), by: .system)
            bruno = try app.participants.create(try ParticipantDetails(firstName: "Bruno", lastName: "Martin", birthYear: 1970, phone: "06 11 22 33 44")
                .validated(currentYear: 2026), by: .system)
            chloe = try app.participants.create(try ParticipantDetails(firstName: "Chloé", lastName: "Petit", birthYear: 1975, phone: "06 12 34 56 78",
                                                                       consentDataProcessing: true, consentFollowUp: true).validated(currentYear: 2026), by: .system)
            let (siteID, leadID, helperID) = (site.id, lead.id, helper.id)
            let client = client
            func create(_ title: String, start: String, roomID: String) throws -> (String, [SessionRecord]) {
                let created = try client.post("/programmes/new", [
                    ("template", "3g2i"), ("title", title), ("modality", "in_person"), ("siteId", siteID), ("roomId", roomID), ("capacity", "2"),
                    ("start", start), ("rhythm", "weekly"), ("timeZone", "Europe/Paris"), ("leadId", leadID), ("peerHelperId", helperID),
                    ("action", "create"),
                ], as: "coord")
                guard let location = created.location else { throw WalkError(message: String(created.text.suffix(2000))) }
                let id = String(location.dropFirst("/programmes/".count).prefix { $0 != "?" })
                return (id, try client.app.programmes.programme(id: id).1)
            }
            (programmeID, sessions) = try create("Printemps sans tabac", start: "2027-11-04T18:00", roomID: room.id)
            (otherProgrammeID, otherSessions) = try create("Automne sans tabac", start: "2027-11-05T18:00", roomID: otherRoom.id)
            for person in [ana, chloe, bruno] {
                _ = try client.post("/programmes/\(programmeID)/enrolments", [("participantId", person.id)], as: "coord")
            }
            let (anaID, chloeID, programme) = (ana.id, chloe.id, programmeID)
            guard let enrolment = try app.enrolments.roster(programmeID: programme, auditedFor: .system).first(where: { $0.1.id == anaID })?.0 else {
                throw WalkError(message: "Ana is not enrolled")
            }
            anaEnrolment = enrolment
            _ = try client.post("/programmes/\(programmeID)/consultations", [("participantId", ana.id), ("index", "1"), ("facilitatorId", lead.id),
                                                                             ("start", "2027-11-05T10:00"), ("modality", "in_person")], as: "coord")
            guard let booked = try app.consultations.list(programmeID: programme).first else { throw WalkError(message: "no consultation") }
            consultation = booked
            // The evening of the last session (attendance is recorded from its start): the end
            // questionnaires are due; Ana's link is issued, Chloé's becomes a phone task.
            try client.moveClock(to: sessions[2].endsAt)
            _ = try client.post("/sessions/\(sessions[2].id)/attendance", [("attendance.\(ana.id)", "present"), ("attendance.\(chloe.id)", "present")],
                                as: "julien")
            let zone = TimeZone(identifier: "Europe/Paris")!
            var token = ""
            for message in try app.outbox.list(state: .pending, kind: .endQuestionnaire, participantID: nil) {
                if case .send(let prepared) = try app.outbox.prepare(id: message.id, at: client.clock.now, tokenDays: 60, timeZone: zone),
                   prepared.recipient.firstName == "Ana" {
                    token = prepared.questionnaireToken ?? ""
                }
            }
            self.token = token
            guard let call = try app.tasks.list(state: .open, assignedTo: nil, participantID: chloeID).first,
                  let message = try app.outbox.list(state: nil, kind: .enrolmentConfirmation, participantID: anaID).first else {
                throw WalkError(message: "no phone task or message")
            }
            task = call
            usedMessage = message
            _ = try client.post("/participants/\(anaID)/assessments/new?instrument=co",
                                [("date", LocalDateTime(client.clock.now, in: zone).date.iso), ("source", "staff"), ("co.ppm", "12")], as: "julien")
            guard let recorded = try app.assessments.assessments(participantID: anaID, by: .system).first else { throw WalkError(message: "no test") }
            assessment = recorded
            treatment = try app.actions.recordTreatment(participantID: anaID, TreatmentRequest(
                kind: "nicotine_patch", dose: "21 mg/24 h", start: LocalDateTime(client.clock.now, in: zone).date.iso), by: .commandLine("walk"))
            typed = ["Ana Dupont", "Dupont Ana", "Ana D.", "Bruno Martin", "Martin Bruno", "Bruno M.", "Chloé Petit", "Petit Chloé", "Chloé P.", "Ana", "Bruno", "Chloé",
                     "ana@example.org", "CSAPA Nord", "1 rue de la Paix, Lille", "Salle Bleue", "Bureau 3", "Printemps sans tabac", "Automne sans tabac",
                     "Julien", "Omar", "Sam", "Root", "Coord", "Partant", "julien", "omar", "sam", "root", "coord", "partant",
                     "06 11 22 33 44", "06 12 34 56 78", "Relais", "example.org", "not-an-email", "beaucoup", "pas une date", "xyz", "abc"]
        }

        /// Concrete paths for a route pattern, with the walk's ids; nil for a pattern it does not know.
        func paths(_ pattern: String) -> [String]? {
            let session = sessions[0].id
            switch pattern {
            case "/", "/account", "/account/password", "/admin", "/admin/settings", "/admin/sites", "/admin/users", "/login", "/participants",
                 "/participants/new", "/programmes", "/programmes/new", "/tasks", "/reports", "/reports/period":
                return [pattern]
            case "/programmes/{id}": return ["/programmes/\(programmeID)", "/programmes/\(otherProgrammeID)", "/programmes/\(programmeID)?q=Martin"]
            case "/sessions/{id}", "/sessions/{id}/sheet": return sessions.map { pattern.replacingOccurrences(of: "{id}", with: $0.id) }
            case "/sessions/{id}/quick/{instrument}":
                return ["fagerstrom", "co", "qmat", "decisional_balance", "end_status"].map { "/sessions/\(session)/quick/\($0)" }
            case "/consultations/{id}", "/consultations/{id}/record": return [pattern.replacingOccurrences(of: "{id}", with: consultation.id)]
            case "/enrolments/{id}": return ["/enrolments/\(anaEnrolment.id)"]
            case "/participants/{id}", "/participants/{id}/edit", "/participants/{id}/erase":
                return [ana.id, bruno.id].map { pattern.replacingOccurrences(of: "{id}", with: $0) }
            case "/participants/{id}/assessments/new":
                return ["fagerstrom", "qmat", "followup_3m"].map { "/participants/\(ana.id)/assessments/new?instrument=\($0)" }
            case "/tasks/{id}", "/tasks/{id}/letter": return [pattern.replacingOccurrences(of: "{id}", with: task.id)]
            case "/participants/{id}/assessments/{assessment}/correct", "/participants/{id}/assessments/{assessment}/withdraw":
                return [pattern.replacingOccurrences(of: "{id}", with: ana.id).replacingOccurrences(of: "{assessment}", with: assessment.id)]
            case "/participants/{id}/treatments/{treatment}": return ["/participants/\(ana.id)/treatments/\(treatment.id)"]
            case "/q/{token}": return ["/q/\(token)", "/q/inconnu"]
            case "/c", "/outbox", "/accessibilite": return [pattern]
            // The short link of an SMS (an unknown code, a malformed one), and the gateway's reports (plain text, not a page).
            case "/c/{code}": return ["/c/ABC-DEF-GHJ", "/c/xyz"]
            case "/sms/dlr/{secret}/{reference}": return ["/sms/dlr/faux/inconnu?type=1"]
            case "/reports/years/{year}", "/reports/years/{year}/bilan": return [pattern.replacingOccurrences(of: "{year}", with: "2027")]
            case "/reports/programmes/{id}", "/reports/programmes/{id}/bilan": return [pattern.replacingOccurrences(of: "{id}", with: programmeID)]
            case "/reports/period/bilan": return ["/reports/period/bilan?from=2027-01-01&to=2027-12-31"]
            default: return nil
            }
        }

        /// The bad input of each form, and the conflicts planners meet; nil for a pattern the walk does not know.
        func badForms(_ pattern: String) -> [(path: String, fields: [(String, String)], as: String)]? {
            let session = sessions[0].id
            switch pattern {
            case "/login": return [("/login", [("name", "coord"), ("password", "faux")], "")]
            case "/logout": return [("/logout", [], "partant")]
            case "/account": return [("/account", [("displayName", ""), ("language", "xx"), ("email", "not-an-email")], "coord")]
            case "/account/password":
                return [("/account/password", [("current", "faux"), ("new", "court"), ("confirm", "autre")], "coord")]
            case "/programmes/new":
                let base: [(String, String)] = [("template", "3g2i"), ("title", "Printemps sans tabac"), ("modality", "in_person"), ("siteId", site.id),
                                                 ("roomId", room.id), ("capacity", "12"), ("timeZone", "Europe/Paris"), ("leadId", lead.id),
                                                 ("peerHelperId", helper.id), ("action", "preview")]
                return [
                    ("/programmes/new", [("title", ""), ("capacity", "abc"), ("start", "pas une date"), ("visioUrl", "http://x"), ("timeZone", "Mars/Olympus"),
                                         ("action", "create")], "coord"),
                    ("/programmes/new", base + [("start", "2027-11-04T18:30"), ("rhythm", "weekly")], "coord"),
                    ("/programmes/new", base + [("start", "2027-12-02T18:00"), ("rhythm", "every"), ("everyDays", "abc")], "coord"),
                    ("/programmes/new", base + [("start", "2027-12-02T18:00"), ("rhythm", "every"), ("everyDays", "200")], "coord"),
                    ("/programmes/new", base + [("start", "2027-12-02T18:00"), ("rhythm", "dates"), ("date2", "2027-11-25T18:00"),
                                                ("date3", "2027-12-16T18:00")], "coord"),
                    ("/programmes/new", base + [("start", "2027-12-02T18:00"), ("rhythm", "dates"), ("date2", "2027-12-09T18:00")], "coord"),
                    ("/programmes/new", base + [("start", "2027-12-02T18:00"), ("rhythm", "weekly"), ("cadence", "every:abc")], "coord"),
                ]
            case "/programmes/{id}/enrolments":
                return [("/programmes/\(programmeID)/enrolments", [("participantId", ana.id)], "coord"),
                        ("/programmes/\(programmeID)/enrolments", [("participantId", "")], "coord")]
            case "/programmes/{id}/consultations":
                return [("/programmes/\(programmeID)/consultations", [("participantId", ana.id), ("index", "1"), ("facilitatorId", lead.id),
                                                                      ("start", "2027-11-20T10:00"), ("modality", "in_person")], "coord"),
                        ("/programmes/\(programmeID)/consultations", [("participantId", chloe.id), ("index", "abc"), ("facilitatorId", lead.id),
                                                                      ("start", "2027-11-05T10:15"), ("durationMinutes", "5"), ("modality", "x")], "coord"),
                        ("/programmes/\(programmeID)/consultations", [("participantId", chloe.id), ("index", "2"), ("facilitatorId", lead.id),
                                                                      ("start", "2027-11-05T10:15"), ("modality", "in_person")], "coord")]
            case "/enrolments/{id}/withdraw":
                return [("/enrolments/\(anaEnrolment.id)/withdraw", [("programmeId", programmeID), ("reason", "")], "coord")]
            case "/enrolments/{id}/baseline":
                return [("/enrolments/\(anaEnrolment.id)/baseline", [("smokingStatus", "ex_smoker"), ("cigarettesPerDay", "beaucoup"),
                                                                   ("quitDate", "pas une date")], "coord")]
            case "/sessions/{id}/attendance":
                return [("/sessions/\(session)/attendance", [("attendance.\(ana.id)", "xyz")], "julien")]
            case "/sessions/{id}/reschedule":
                return [("/sessions/\(session)/reschedule", [("start", "pas une date")], "coord"),
                        ("/sessions/\(session)/reschedule", [("start", "2027-11-05T18:30"), ("reason", "Salle prise")], "coord")]
            case "/sessions/{id}/cancel": return [("/sessions/\(session)/cancel", [("reason", "")], "coord")]
            case "/sessions/{id}/quick/{instrument}":
                return [("/sessions/\(session)/quick/co", [("p\(ana.id).co.ppm", "250")], "julien"),
                        ("/sessions/\(session)/quick/co", [("p\(ana.id).co.ppm", "xyz")], "julien"),
                        ("/sessions/\(session)/quick/fagerstrom", [("p\(ana.id).fagerstrom.time_to_first", "abc")], "julien")]
            case "/consultations/{id}":
                return [("/consultations/\(consultation.id)", [("status", "xyz"), ("note", "")], "julien")]
            case "/consultations/{id}/record":
                return [("/consultations/\(consultation.id)/record", [("products.cigarette", "xyz"), ("eCigaretteNicotineMgPerMl", "6"), ("yearsSmoked", "abc"),
                                                                     ("longestQuit", "3"), ("quitDate", "pas une date"), ("weightKg", "beaucoup"),
                                                                     ("pregnancy", "xyz"), ("craving", "12"), ("withdrawalSymptoms", "xyz"),
                                                                     ("goal", "xyz")], "julien"),
                        ("/consultations/\(consultation.id)/record", [("products.cigarette", "0"), ("coPpm", "250"), ("quitAttempts", "0"),
                                                                     ("longestQuit", "2"), ("longestQuitUnit", "xyz")], "julien"),
                        ("/consultations/\(consultation.id)/record", [("products.cigarette", "0"), ("coPpm", "14")], "julien")]
            case "/participants/new":
                return [("/participants/new", [("firstName", ""), ("lastName", ""), ("birthYear", "2020"), ("email", "not-an-email"),
                                               ("phone", "abc"), ("preferredChannel", "email"), ("postalCode", "xyz")], "coord")]
            case "/participants/{id}/edit":
                return [("/participants/\(bruno.id)/edit", [("firstName", "Bruno"), ("lastName", ""), ("birthYear", "abc"),
                                                            ("consentEmail", "1"), ("preferredChannel", "post")], "coord")]
            case "/participants/{id}/assessments/{assessment}/correct":
                return [("/participants/\(ana.id)/assessments/\(assessment.id)/correct", [("date", "pas une date"), ("reason", ""), ("co.ppm", "beaucoup")],
                         "julien")]
            case "/participants/{id}/assessments/{assessment}/withdraw":
                return [("/participants/\(ana.id)/assessments/\(assessment.id)/withdraw", [("reason", "")], "julien")]
            case "/participants/{id}/assessments/new":
                return [("/participants/\(ana.id)/assessments/new?instrument=fagerstrom", [("date", "pas une date"), ("source", "xyz"),
                                                                                            ("fagerstrom.time_to_first", "abc")], "julien"),
                        ("/participants/\(ana.id)/assessments/new?instrument=followup_3m", [("date", "2027-12-01"), ("source", "staff")], "julien")]
            case "/participants/{id}/erase": return [("/participants/\(bruno.id)/erase", [("confirmName", "xyz")], "coord")]
            case "/participants/{id}/treatments":
                return [("/participants/\(ana.id)/treatments", [("kind", "xyz"), ("dose", ""), ("start", "pas une date"), ("end", "pas une date")], "julien")]
            case "/participants/{id}/treatments/{treatment}":
                return [("/participants/\(ana.id)/treatments/\(treatment.id)", [("kind", "nicotine_patch"), ("dose", ""), ("start", "pas une date"),
                                                                                 ("reason", "")], "julien")]
            case "/participants/{id}/treatments/{treatment}/end":
                return [("/participants/\(ana.id)/treatments/\(treatment.id)/end", [("end", "pas une date")], "julien"),
                        ("/participants/\(ana.id)/treatments/\(treatment.id)/end", [("end", "")], "julien")]
            case "/participants/{id}/orientations":
                return [("/participants/\(ana.id)/orientations", [("detail", ""), ("kinds", "other")], "julien"),
                        ("/participants/\(ana.id)/orientations", [], "julien")]
            case "/tasks/{id}": return [("/tasks/\(task.id)", [("state", "xyz"), ("assignedTo", "xyz")], "coord")]
            case "/tasks/{id}/answers":
                return [("/tasks/\(task.id)/answers", [("satisfaction_end.overall", "xyz"), ("source", "phone")], "coord")]
            case "/q/{token}":
                return [("/q/\(token)", [("end_status.status", "xyz")], "")]
            case "/c": return [("/c", [("code", "xyz")], ""), ("/c", [("code", "ABC-DEF-GHJ")], "")]
            case "/outbox/{id}/retry": return [("/outbox/\(usedMessage.id)/retry", [], "coord")]
            case "/admin/users":
                return [("/admin/users", [("name", "Pas Valide!"), ("displayName", ""), ("role", "xyz"), ("email", "not-an-email")], "root"),
                        ("/admin/users", [("name", "coord"), ("displayName", "Coord"), ("role", "coordinator")], "root")]
            case "/admin/users/{id}/role":
                return [("/admin/users/\(coordinator.id)/role", [("role", "xyz")], "root"), ("/admin/users/\(admin.id)/role", [("role", "coordinator")], "root")]
            case "/admin/users/{id}/disable": return [("/admin/users/\(admin.id)/disable", [], "root")]
            case "/admin/users/{id}/enable": return [("/admin/users/\(coordinator.id)/enable", [], "root")]
            case "/admin/users/{id}/reset-password": return [("/admin/users/\(admin.id)/reset-password", [], "root")]
            case "/admin/sites": return [("/admin/sites", [("name", ""), ("address", "")], "root"), ("/admin/sites", [("name", "CSAPA Nord")], "root")]
            case "/admin/sites/{id}": return [("/admin/sites/\(site.id)", [("name", "")], "root")]
            case "/admin/sites/{id}/rooms":
                return [("/admin/sites/\(site.id)/rooms", [("name", ""), ("capacity", "abc")], "root"),
                        ("/admin/sites/\(site.id)/rooms", [("name", "Salle Bleue"), ("capacity", "10")], "root")]
            case "/admin/rooms/{id}": return [("/admin/rooms/\(room.id)", [("name", ""), ("capacity", "0")], "root")]
            case "/admin/rooms/{id}/remove": return [("/admin/rooms/\(room.id)/remove", [], "root"), ("/admin/rooms/\(otherRoom.id)/remove", [], "root")]
            case "/admin/settings/test-email": return [("/admin/settings/test-email", [("recipient", "not-an-email")], "root")]
            case "/admin/settings/test-sms":
                return [("/admin/settings/test-sms", [("number", "01 23 45 67 89")], "root"), ("/admin/settings/test-sms", [("number", "abc")], "root"),
                        ("/admin/settings/test-sms", [("number", "06 12 34 56 78")], "root")]
            default: return nil
            }
        }
    }

    struct WalkError: Error { var message: String }

    /// The answer's visible text when it is a page (and the page a redirect leads to).
    static func pageText(_ page: PageClient.Page, client: PageClient, as user: String?) throws -> String? {
        if (300..<400).contains(page.status), let location = page.location, location.hasPrefix("/") {
            return try pageText(try client.get(location, as: user), client: client, as: user)
        }
        guard page.headers[.contentType]?.contains("text/html") == true else { return nil }
        return visibleText(page.text)
    }

    @Test func everyPageAndEveryFormErrorIsFrench() throws {
        let world = try World()
        let client = world.client
        #expect(!world.token.isEmpty, "Ana's questionnaire link")
        let users = ["coord", "julien", "omar", "sam", "root"]
        var problems: [String] = []
        var unknown: [String] = []
        var walked = 0
        var dumped: [String] = []
        let routes = client.router.patterns.filter { !$0.pattern.hasPrefix("/api/") && $0.pattern != "/healthz" && !$0.pattern.hasPrefix("/static/")
            && !$0.pattern.hasPrefix("/calendar/") }

        // Every page, as every role (a refusal is a page too).
        for route in routes where route.method == .get {
            if route.pattern.hasSuffix(".csv") || route.pattern.hasSuffix(".json") { continue }
            guard let paths = world.paths(route.pattern) else { unknown.append("GET \(route.pattern)"); continue }
            for path in paths {
                for user in route.pattern.hasPrefix("/q/") || route.pattern == "/login" || route.pattern == "/c" ? [nil] : users.map(Optional.some) {
                    let page = try client.get(path, as: user)
                    guard page.status != 500 else { problems.append("GET \(path) as \(user ?? "-"): 500"); continue }
                    guard let text = try Self.pageText(page, client: client, as: user) else { continue }
                    walked += 1
                    dumped.append("== GET \(path) as \(user ?? "-") (\(page.status))\n\(text)")
                    for found in Self.english(in: text, ignoring: world.typed) { problems.append("GET \(path) as \(user ?? "-"): \(found)") }
                }
            }
        }
        // Every form, with bad input; the answer, and where a redirect leads, read the same way.
        for route in routes where route.method == .post {
            guard let forms = world.badForms(route.pattern) else { unknown.append("POST \(route.pattern)"); continue }
            for form in forms {
                let user: String? = form.as.isEmpty ? nil : form.as
                let page = try client.post(form.path, form.fields, as: user)
                guard page.status != 500 else { problems.append("POST \(form.path) as \(user ?? "-"): 500 \(page.text.suffix(300))"); continue }
                guard let text = try Self.pageText(page, client: client, as: user) else { continue }
                walked += 1
                dumped.append("== POST \(form.path) \(form.fields.map(\.1)) as \(user ?? "-") (\(page.status))\n\(text)")
                for found in Self.english(in: text, ignoring: world.typed) { problems.append("POST \(form.path) \(form.fields.map(\.1)) as \(user ?? "-"): \(found)") }
            }
        }
        if let dump = ProcessInfo.processInfo.environment["RELAIS_WALK_DUMP"] {
            try dumped.joined(separator: "\n\n").write(toFile: dump, atomically: true, encoding: .utf8)
        }
        #expect(unknown.isEmpty, "routes the walk does not know (give them ids and bad input): \(unknown)")
        #expect(walked > 150, "pages read: \(walked)")
        #expect(problems.isEmpty, "English on French pages:\n\(problems.joined(separator: "\n"))")
        print("French walk: \(walked) pages read, \(problems.count) problems")
    }

    /// The closed-link pages speak the participant's language, not the browser's.
    @Test func aClosedQuestionnaireLinkSpeaksTheParticipantsLanguage() throws {
        let world = try World()
        let client = world.client
        func speak(_ language: String) throws {
            var details = world.ana.details
            details.language = language
            _ = try client.app.participants.update(id: world.ana.id, details, by: .system)
        }
        let frenchBrowser: HTTPFields = [.acceptLanguage: "fr-FR,fr;q=0.9"]
        try speak("en")
        let english = try client.get("/q/\(world.token)", as: nil, headers: frenchBrowser)
        #expect(english.status == 200 && english.text.contains("lang=\"en\""))
        // Answered by staff: the link is used; a French browser still gets the participant's English.
        let invitation = try #require(try client.app.store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM questionnaire_invitation WHERE participant_id = ?", arguments: [world.ana.id])
        })
        try client.app.store.pool.write { db in
            try db.execute(sql: "UPDATE questionnaire_invitation SET answered_at = ? WHERE id = ?", arguments: [Date(), invitation])
        }
        var used = try client.get("/q/\(world.token)", as: nil, headers: frenchBrowser)
        #expect(used.status == 410 && used.text.contains("lang=\"en\""), "\(used.text.prefix(600))")
        #expect(try client.post("/q/\(world.token)", [], as: nil).text.contains("lang=\"en\""))
        try speak("fr")
        used = try client.get("/q/\(world.token)", as: nil, headers: [.acceptLanguage: "en-GB,en;q=0.9"])
        #expect(used.status == 410 && used.text.contains("lang=\"fr\""))
        // A link that names nobody: the browser's language, French by default.
        #expect(try client.get("/q/inconnu", as: nil).text.contains("lang=\"fr\""))
        #expect(try client.get("/q/inconnu", as: nil, headers: [.acceptLanguage: "en-GB,en;q=0.9"]).text.contains("lang=\"en\""))
    }
}
