import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// The participant's questionnaire behind a mailed link: no login, no JavaScript, one
    /// submission. A used, expired or unknown link gets a polite page that shows no data.
    func registerQuestionnaires(_ router: inout Router) {
        let app = self

        router.get("/q/{token}", { request in
            let token = request.parameter("token")
            switch try app.questionnaires.lookup(token: token) {
            case .open(let invitation, let firstName, let language, let programme):
                return app.questionnairePage(token: token, invitation: invitation, firstName: firstName, language: language,
                                             programme: programme, values: [:], errors: [:])
            case .used: return app.questionnaireClosed("used", language: request.preferredLanguage, status: 410)
            case .expired: return app.questionnaireClosed("expired", language: request.preferredLanguage, status: 410)
            case .unknown: return app.questionnaireClosed("unknown", language: request.preferredLanguage, status: 404)
            }
        })

        router.post("/q/{token}", { request in
            let token = request.parameter("token")
            guard case .open(let invitation, let firstName, let language, let programme) = try app.questionnaires.lookup(token: token) else {
                return app.questionnaireClosed("used", language: request.preferredLanguage, status: 410)
            }
            let values = InstrumentForm.values(request.form)
            let (results, errors) = InstrumentForm.score(invitation.instruments.compactMap { app.instruments[$0] }, values: values) {
                app.localizedReason($0, language: language)
            }
            guard errors.isEmpty else {
                return app.questionnairePage(token: token, invitation: invitation, firstName: firstName, language: language,
                                             programme: programme, values: values, errors: errors, status: 422)
            }
            do {
                _ = try app.questionnaires.answer(token: token, results: results, takenOn: app.today)
            } catch StoreError.conflict {
                // Answered from another tab a moment ago: the first answer stands.
                return app.questionnaireClosed("used", language: language, status: 410)
            }
            return app.questionnaireClosed("thanks", language: language, status: 200)
        })
    }

    /// The printable letter of a phone task: the questionnaire on paper, with a fresh link to
    /// answer online. Staff only; the read of the participant's address is audited.
    func registerLetters(_ router: inout Router) {
        let app = self
        router.get("/tasks/{id}/letter", page(.manageReminders) { request, context in
            let task = try app.tasks.task(id: request.parameter("id"))
            let participant = try app.participants.read(id: task.participantId, by: context.actor)
            var link: String?
            var asked: [ConfiguredInstrument] = []
            var programme = ""
            if let invitationID = task.invitationId {
                let invitation = try app.questionnaires.invitation(id: invitationID)
                asked = invitation.instruments.compactMap { app.instruments[$0] }
                programme = try app.programmes.programme(id: invitation.programmeId).0.title
                if invitation.answeredAt == nil {
                    let token = try app.questionnaires.letterToken(invitationID: invitationID, days: app.configuration.questionnaireTokenDays,
                                                                   key: try app.store.secretKey("link"))
                    link = "\(app.configuration.effectivePublicBaseURL)/q/\(token)"
                }
            }
            let language = participant.language
            var response = app.render("letter", context, language: language, [
                "participant": ["name": "\(participant.firstName) \(participant.lastName)", "firstName": participant.firstName,
                                "postalAddress": participant.postalAddress ?? ""],
                "date": app.today.iso, "programme": programme, "link": link ?? "",
                "instruments": asked.map { InstrumentForm.context($0, language: language) },
            ])
            response.headers.set("Cache-Control", "no-store")
            return response
        })
    }

    func questionnairePage(token: String, invitation: InvitationRecord, firstName: String, language: String, programme: String,
                           values: [String: [String]], errors: [String: [String: String]], status: Int = 200) -> Response {
        let asked = invitation.instruments.compactMap { self.instruments[$0] }
        var summary: [[String: Any]] = []
        for instrument in asked {
            for item in instrument.definition.items {
                if let message = errors[instrument.id]?[item.id] {
                    summary.append(["fieldId": "\(instrument.id)-\(item.id)", "title": item.text.text(language), "message": message])
                }
            }
        }
        var response = render("questionnaire", nil, language: language, status: status, [
            "token": token, "firstName": firstName, "programme": programme,
            "instruments": asked.map { InstrumentForm.context($0, language: language, values: values, errors: errors[$0.id] ?? [:]) },
            "hasErrors": !summary.isEmpty, "errors": summary,
        ])
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    func questionnaireClosed(_ reason: String, language: String, status: Int) -> Response {
        let strings = renderer.strings(language)
        var response = render("questionnaire_done", nil, language: language, status: status, [
            "heading": strings["q_\(reason)_title"] ?? "", "message": strings["q_\(reason)"] ?? "",
        ])
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
