import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// The participant's questionnaire behind a mailed link: no login, no JavaScript, one
    /// submission. A used, expired or unknown link gets a polite page that shows no data.
    func registerQuestionnaires(_ routes: inout Routes) {
        let app = self

        routes.open(.get, "/q/{token}") { request in
            let token = request.parameter("token")
            // A closed link still names its participant: the page speaks their language, the
            // browser's only when the link names nobody.
            let closedLanguage = { (try? app.actions.questionnaireLanguage(token: token)).flatMap { $0 } ?? request.preferredLanguage }
            switch try app.actions.questionnaire(token: token) {
            case .open(let invitation, let firstName, let language, let programme, _):
                return app.questionnairePage(token: token, invitation: invitation, firstName: firstName, language: language,
                                             programme: programme, values: [:], errors: [:])
            case .used: return app.questionnaireClosed("used", language: closedLanguage(), status: 410)
            case .expired: return app.questionnaireClosed("expired", language: closedLanguage(), status: 410)
            case .unknown: return app.questionnaireClosed("unknown", language: closedLanguage(), status: 404)
            }
        }

        routes.open(.post, "/q/{token}") { request in
            let token = request.parameter("token")
            let values = InstrumentForm.values(request.form)
            guard case .open(let invitation, let firstName, let language, let programme, let asked) = try app.actions.questionnaire(token: token) else {
                let language = (try? app.actions.questionnaireLanguage(token: token)).flatMap { $0 } ?? request.preferredLanguage
                return app.questionnaireClosed("used", language: language, status: 410)
            }
            switch try app.actions.answerQuestionnaire(token: token, answers: InstrumentForm.answers(asked, values: values)) {
            case .stored:
                return app.questionnaireClosed("thanks", language: language, status: 200)
            case .refused(let reasons):
                let errors = reasons.mapValues { items in
                    items.mapValues { app.renderer.text($0, language: language, form: "answer") }
                }
                return app.questionnairePage(token: token, invitation: invitation, firstName: firstName, language: language,
                                             programme: programme, values: values, errors: errors, status: 422)
            case .closed:
                return app.questionnaireClosed("used", language: language, status: 410)
            }
        }

        // The printable letter of a phone task: the questionnaire on paper, with the live link of
        // the letter to answer online (the same each time it is printed). The read is audited.
        routes.page(.get, "/tasks/{id}/letter", .manageReminders) { request, context in
            let (view, programme, link) = try app.actions.letter(taskID: request.parameter("id"), by: context.caller)
            let participant = view.participant
            let language = participant.language
            var response = app.render(.letter, context, language: language, [
                "participant": ["name": "\(participant.firstName) \(participant.lastName)", "firstName": participant.firstName,
                                "postalAddress": participant.postalAddress ?? ""],
                "date": app.today.iso, "programme": programme, "link": link ?? "",
                "instruments": view.script.map { InstrumentForm.context($0, language: language) },
            ])
            response.headerFields[.cacheControl] = "no-store"
            return response
        }
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
        var response = render(.questionnaire, nil, language: language, status: status, [
            "token": token, "firstName": firstName, "programme": programme,
            "instruments": asked.map { InstrumentForm.context($0, language: language, values: values, errors: errors[$0.id] ?? [:]) },
            "hasErrors": !summary.isEmpty, "errors": summary,
        ])
        response.headerFields[.cacheControl] = "no-store"
        return response
    }

    func questionnaireClosed(_ reason: String, language: String, status: Int) -> Response {
        let strings = renderer.strings(language)
        var response = render(.questionnaireDone, nil, language: language, status: status, [
            "heading": strings["q_\(reason)_title"] ?? "", "message": strings["q_\(reason)"] ?? "",
        ])
        response.headerFields[.cacheControl] = "no-store"
        return response
    }
}
