import Foundation

import HTTPServer
import HTTPTypes
import RelaisConfig
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// SMS as staff see them: the mobile and the consent on the participant's form and record, the
/// channel and state of each message (record, outbox page, dashboard), the settings page's test
/// SMS, and the address the gateway calls back with its delivery reports.
@Suite("SMS in the pages", .serialized)
struct SMSPageTests {
    static let secret = "dlr-secret-for-the-tests-0123456789"

    final class Calls: @unchecked Sendable {
        let lock = NSLock()
        var numbers: [String] = []
        var failure: Error?
    }

    /// An app whose SMS tester records the numbers, with a delivery-report secret; a coordinator
    /// `coord`, an administrator `root`, a site and room.
    static func client(_ calls: Calls = Calls(), configure: (inout RelaisConfig.Configuration, String) -> Void = { _, _ in }) throws -> PageClient {
        var app = try makeApp(configure: configure)
        app.smsDeliverySecret = Self.secret
        app.smsTester = { number in
            try calls.lock.withLock {
                if let failure = calls.failure { throw failure }
                calls.numbers.append(number)
            }
            return "envoyé via spool (/tmp/sms/new) au \(number)"
        }
        let client = try PageClient(app: app)
        try client.user("coord", role: .coordinator)
        try client.user("root", role: .admin)
        return client
    }

    static func newParticipant(_ client: PageClient, _ fields: [(String, String)]) throws -> PageClient.Page {
        try client.post("/participants/new", [("firstName", "Ana"), ("lastName", "Martin"), ("birthYear", "1980"), ("smokerStatus", "smoker"),
                                              ("language", "fr"), ("consentDataProcessing", "1")] + fields, as: "coord")
    }

    @Test func theFormTakesAFrenchMobileStoresItInE164AndRefusesALandlineInFrench() throws {
        let client = try Self.client()
        let form = try client.get("/participants/new", as: "coord")
        #expect(form.text.contains("<label for=\"mobile\">Portable (SMS)</label>") && form.text.contains("id=\"consentSms\""))
        #expect(form.text.contains("id=\"preferredChannel-sms\""))

        let landline = try Self.newParticipant(client, [("mobile", "01 23 45 67 89"), ("consentSms", "1"), ("preferredChannel", "sms")])
        #expect(landline.status == 422)
        #expect(landline.text.contains("id=\"mobile-error\">Ce numéro est un fixe") || landline.text.contains("id=\"mobile-error\">ce numéro est un fixe"))
        #expect(landline.text.contains("href=\"#mobile\">Portable (SMS)"))
        #expect(landline.text.contains("value=\"01 23 45 67 89\""), "what was typed is kept")
        let noConsent = try Self.newParticipant(client, [("mobile", "06 12 34 56 78"), ("preferredChannel", "sms")])
        #expect(noConsent.status == 422 && noConsent.text.contains("id=\"preferredChannel-error\""))

        let created = try Self.newParticipant(client, [("mobile", "06 12 34 56 78"), ("consentSms", "1"), ("preferredChannel", "sms")])
        #expect(created.status == 303)
        let record = try #require(try client.app.participants.list(search: "Martin", by: .system).participants.first)
        #expect(record.mobile == "+33612345678" && record.consentSmsAt != nil && record.preferredChannel == .sms)
        let shown = try client.get("/participants/\(record.id)", as: "coord")
        #expect(shown.text.contains("<dt>Portable (SMS)</dt><dd>06 12 34 56 78</dd>"))
        #expect(shown.text.contains("Accepte de recevoir par SMS les rappels de séance et les questionnaires : <strong>accordé le"))
        let edit = try client.get("/participants/\(record.id)/edit", as: "coord")
        #expect(edit.text.contains("id=\"mobile\" name=\"mobile\" value=\"06 12 34 56 78\""))

        // The API says the same, in E.164, with the consent's date.
        let api = try client.api(.get, "/api/v1/participants/\(record.id)", as: "coord")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(api.text.utf8)) as? [String: Any])
        #expect(body["mobile"] as? String == "+33612345678" && body["preferredChannel"] as? String == "sms")
        #expect((body["consents"] as? [String: Any])?["sms"] is String)
        let patched = try client.api(.patch, "/api/v1/participants/\(record.id)", #"{"mobile":"+33 7 11 22 33 44"}"#, as: "coord")
        #expect(patched.status == 200 && patched.text.contains("\"mobile\":\"+33711223344\""))
        let refused = try client.api(.patch, "/api/v1/participants/\(record.id)", #"{"mobile":"04 78 00 00 00"}"#, as: "coord")
        #expect(refused.status == 422 && refused.text.contains("mobile_landline"))
    }

    @Test func staffSeeEachSMSWithItsStateOnTheRecordTheOutboxPageAndTheDashboard() throws {
        let client = try Self.client()
        let app = client.app
        let site = try app.sites.create(name: "Centre Test", address: "1 rue Exemple", by: .system)
        let room = try app.sites.addRoom(siteID: site.id, name: "Salle A", capacity: 12, by: .system)
        let template = try #require(app.templates.first { $0.id == "3g2i" })
        let lead = try client.user("tab", role: .tabacologue)
        let day = LocalDateTime(Date().addingTimeInterval(30 * 86400), in: Clinic.paris).date
        let plan = try Planner.plan(template: template, start: LocalDateTime(date: day, hour: 18, minute: 0)!, timeZone: Clinic.paris)
        let (programme, _) = try app.programmes.create(ProgrammeDraft(
            template: template, title: "Arrêter ensemble", siteID: site.id, roomID: room.id, modality: .inPerson, visioURL: nil, capacity: 12,
            timeZone: Clinic.paris, leadID: lead.id, peerHelperID: nil, sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) },
            followUpDue: plan.followUpDue), by: .system)
        let ana = try app.participants.create(ParticipantDetails(firstName: "Ana", lastName: "Martin", birthYear: 1980, consentDataProcessing: true,
                                                                 mobile: "06 12 34 56 78", consentSms: true), by: .system)
        _ = try app.enrolments.enrol(programmeID: programme.id, participantID: ana.id, waitingList: false, by: .system)
        // The confirmation, handed to the gateway, then reported delivered; a reminder still to send.
        let confirmation = try #require(try app.outbox.list(state: .pending, kind: .enrolmentConfirmation, participantID: ana.id).first)
        #expect(confirmation.channel == .sms)
        let reference = confirmation.id + ".test1"
        try app.outbox.beginAttempt(id: confirmation.id, reference: reference)
        try app.outbox.markSent(id: confirmation.id, recipient: "+33612345678", messageID: reference, channel: .sms, at: Date())

        // The gateway's report: the secret is checked, the type too, and the same report twice is the same.
        #expect(try client.get("/sms/dlr/wrong-secret/\(reference)?type=1", as: nil).status == 403)
        #expect(try client.get("/sms/dlr/\(Self.secret)x/\(reference)?type=1", as: nil).status == 403)
        #expect(try client.get("/sms/dlr/\(Self.secret)/\(reference)?type=99", as: nil).status == 400)
        #expect(try client.get("/sms/dlr/\(Self.secret)/\(reference)", as: nil).status == 400)
        #expect(try client.get("/sms/dlr/\(Self.secret)/no-such-reference?type=1", as: nil).status == 404)
        let accepted = try client.get("/sms/dlr/\(Self.secret)/\(reference)?type=8&answer=ACK%2F", as: nil)
        #expect(accepted.status == 200 && accepted.text == "ok accepted\n")
        for _ in 0..<2 {
            let delivered = try client.get("/sms/dlr/\(Self.secret)/\(reference)?type=1&answer=", as: nil)
            #expect(delivered.status == 200 && delivered.text == "ok delivered\n")
        }
        #expect(try client.get("/sms/dlr/\(Self.secret)/\(reference)?type=8", as: nil).text == "ok delivered\n", "a final state stays")
        #expect(try app.outbox.message(id: confirmation.id)?.delivery == .delivered)

        let record = try client.get("/participants/\(ana.id)", as: "coord")
        #expect(record.text.contains("id=\"s-messages\""))
        #expect(record.text.contains("<td>Confirmation d&#39;inscription</td><td>SMS<br><span class=\"muted\">06 12 34 56 78</span></td>"))
        #expect(record.text.contains("<td>distribué <span class=\"muted\">"))
        #expect(record.text.contains("<td>Rappel de séance</td><td>SMS</td>") && record.text.contains("<td>à envoyer</td>"))

        let outbox = try client.get("/outbox", as: "coord")
        #expect(outbox.text.contains("id=\"sms\"") && outbox.text.contains("<li class=\"sms-delivered\">distribué : 1</li>"))
        #expect(outbox.text.contains("<li class=\"sms-pending\">à envoyer : 3</li>"))
        #expect(outbox.text.contains("<a href=\"/participants/\(ana.id)\">Ana Martin</a>"))
        let dashboard = try client.get("/", as: "coord")
        #expect(dashboard.text.contains("<li class=\"sms-delivered\"><a href=\"/outbox#sms\">distribué : 1</a></li>"))
        let api = try client.api(.get, "/api/v1/outbox?channel=sms&state=sent", as: "coord")
        #expect(api.status == 200 && api.text.contains("\"delivery\":\"delivered\"") && api.text.contains("\"channel\":\"sms\""))
        #expect(try client.api(.get, "/api/v1/outbox?channel=pigeon", as: "coord").status == 422)
        // A report of failure afterwards changes nothing: delivered is final.
        #expect(try client.get("/sms/dlr/\(Self.secret)/\(reference)?type=2", as: nil).text == "ok delivered\n")
    }

    @Test func theSettingsPageSendsATestSMSToANumberTypedAsStaffTypeIt() throws {
        let calls = Calls()
        let client = try Self.client(calls)
        let page = try client.get("/admin/settings", as: "root")
        #expect(page.text.contains("Envoyer un SMS de test") && page.text.contains("action=\"/admin/settings/test-sms\""))
        for expected in ["dossier local (spool)", "<code>sms.enabled</code>", "<code>RELAIS_SMS_TRANSPORT</code>", "pas de SMS les jours fériés",
                         "deux jours avant", "<code>sms.reminder_days_before</code>", ">Structure<"] {
            #expect(page.text.contains(expected), "shows \(expected)")
        }
        let landline = try client.post("/admin/settings/test-sms", [("number", "03 20 00 00 00")], as: "root")
        #expect(landline.status == 422 && landline.text.contains("un fixe"))
        #expect(calls.lock.withLock { calls.numbers.isEmpty })
        let sent = try client.post("/admin/settings/test-sms", [("number", " 06 12 34 56 78 ")], as: "root")
        #expect(sent.status == 303 && sent.location == "/admin/settings?done=s_done_test_sms#test-sms-title")
        #expect(calls.lock.withLock { calls.numbers } == ["+33612345678"])
        let shown = try client.get("/admin/settings?done=s_done_test_sms", as: "root")
        #expect(shown.text.contains("SMS de test envoyé") && shown.text.contains("Dernier SMS de test"))
        struct Down: Error, CustomStringConvertible { var description = "Kannel sendsms at http://127.0.0.1:13013/cgi-bin/sendsms failed: Couldn't connect to server" }
        calls.lock.withLock { calls.failure = SMSTestFailure(refusedNumber: false, detail: Down().description) }
        let failed = try client.post("/admin/settings/test-sms", [("number", "0612345678")], as: "root")
        #expect(failed.status == 502 && failed.text.contains("la passerelle SMS est injoignable"))
        // Only an administrator; and not at all when SMS are switched off.
        #expect(try client.post("/admin/settings/test-sms", [("number", "0612345678")], as: "coord").status == 403)
        let off = try Self.client(configure: { configuration, _ in configuration.smsEnabled = false })
        let refused = try off.post("/admin/settings/test-sms", [("number", "0612345678")], as: "root")
        #expect(refused.status == 409 && refused.text.contains("désactivés"))
    }

    @Test func theSettingsPageShowsTheKannelGatewayButNeverItsPassword() throws {
        let client = try Self.client(configure: { configuration, _ in
            configuration.smsTransport = "kannel"
            configuration.kannelUsername = "relais"
            configuration.kannelPassword = "S3cret-Kannel-Passw0rd"
            configuration.smsSender = "CSAPA Nord"
            configuration.smsReminderDaysBefore = 1
            configuration.smsSkipPublicHolidays = false
        })
        let page = try client.get("/admin/settings", as: "root")
        #expect(!page.text.contains("S3cret-Kannel-Passw0rd"))
        for expected in ["passerelle Kannel", "http://127.0.0.1:13013/cgi-bin/sendsms", "Utilisateur sendsms de Kannel", "Mot de passe sendsms de Kannel",
                         ">CSAPA Nord<", "la veille", "SMS aussi les jours fériés", "<code>sms.kannel.dlr_mask</code>"] {
            #expect(page.text.contains(expected), "shows \(expected)")
        }
    }

    @Test func theShortLinkOfAnSMSOpensTheQuestionnaireLikeTheLettersCode() throws {
        let client = try Self.client()
        // An unknown code: the page to type it again, without data; a malformed one too.
        let unknown = try client.get("/c/K7M-4QX-9TR", as: nil)
        #expect(unknown.status == 404 && unknown.text.contains("name=\"code\""))
        #expect(try client.get("/c/not-a-code", as: nil).status == 404)
    }
}
