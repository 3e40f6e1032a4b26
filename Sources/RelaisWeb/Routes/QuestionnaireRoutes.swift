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

        // The printable letter of a phone task: a letter to post (the structure's name, address
        // and phone, the participant's address for a window envelope, the date in words), the
        // questionnaire on paper, and to answer online a short code to type on `/c` (the full
        // link too, small): the same live link and code each time it is printed. The read is audited.
        routes.page(.get, "/tasks/{id}/letter", .manageReminders) { request, context in
            let letter = try app.actions.letter(taskID: request.parameter("id"), by: context.caller)
            let participant = letter.task.participant
            let language = participant.language
            let strings = app.renderer.strings(language)
            let structure = app.configuration
            let heading = letter.followUpMonths.map {
                strings.fill("l_letter_h1_follow_up", ["months": DateWording.months($0, language: language)])
            } ?? strings.fill("l_letter_h1_end", ["programme": letter.programmeTitle])
            var response = app.render(.letter, context, language: language, [
                "sender": ["name": structure.structureName,
                           "address": (structure.structureAddress.map(Self.addressLines) ?? []).map { ["line": $0] },
                           "phone": structure.structurePhone ?? ""],
                "participant": ["name": "\(participant.firstName) \(participant.lastName)", "firstName": participant.firstName,
                                "address": (participant.postalAddress.map(Self.addressLines) ?? []).map { ["line": $0] }],
                "date": strings.fill("l_letter_date", ["date": DateWording.date(app.today, language: language)]),
                "heading": heading, "programme": letter.programmeTitle, "hasQuestionnaire": !letter.task.script.isEmpty,
                "code": letter.code ?? "", "codePage": letter.codePage, "link": letter.link ?? "",
                "answered": letter.task.invitation?.answeredAt != nil,
                "instruments": letter.task.script.map { InstrumentForm.context($0, language: language) },
            ])
            response.headerFields[.cacheControl] = "no-store"
            return response
        }

        // The short page of letters' codes: a form, then the questionnaire of the code at its
        // letter's link. Wrong codes are throttled (per client address and in all); used, expired
        // and unknown codes get the same polite pages as links, without any data.
        routes.open(.get, "/c") { request in
            app.codePage(language: request.preferredLanguage)
        }

        routes.open(.post, "/c") { request in
            try app.answerCode(String(request.trimmedFormValue("code").prefix(64)), request, malformedStatus: 422, keepTypedWhenThrottled: true)
        }
    }

    /// What a letter's code leads to, typed on `/c` or carried by an SMS's short link (`/c/{code}`):
    /// its questionnaire, or the same polite pages as a link's, throttled alike.
    func answerCode(_ typed: String, _ request: Request, malformedStatus: Int, keepTypedWhenThrottled: Bool) throws -> Response {
        let language = request.preferredLanguage
        switch try actions.questionnaire(code: typed, clientAddress: request.clientAddress) {
        case .open(let token):
            return Response.redirect(to: "/q/\(token)")
        case .used: return questionnaireClosed("used", language: language, status: 410)
        case .expired: return questionnaireClosed("expired", language: language, status: 410)
        case .unknown:
            return codePage(language: language, typed: typed, error: renderer.strings(language)["l_code_unknown"], status: 404)
        case .malformed:
            return codePage(language: language, typed: typed, error: renderer.strings(language)["l_code_malformed"], status: malformedStatus)
        case .throttled(let seconds):
            // Whole minutes, rounded up, with the singular said in words ("une minute").
            let minutes = max(1, (seconds + 59) / 60)
            let strings = renderer.strings(language)
            let error = minutes == 1 ? strings["l_code_throttled_one"] : strings.fill("l_code_throttled", ["minutes": String(minutes)])
            var response = codePage(language: language, typed: keepTypedWhenThrottled ? typed : "", error: error, status: 429)
            response.headerFields[.retryAfter] = String(seconds)
            return response
        }
    }

    func codePage(language: String, typed: String = "", error: String? = nil, status: Int = 200) -> Response {
        var response = render(.letterCode, nil, language: language, status: status, ["typed": typed, "error": error ?? ""])
        response.headerFields[.cacheControl] = "no-store"
        return response
    }

    func questionnairePage(token: String, invitation: InvitationRecord, firstName: String, language: String, programme: String,
                           values: [String: [String]], errors: [String: [String: String]], status: Int = 200) -> Response {
        let asked = invitation.instruments.compactMap { self.instruments[$0] }
        var summary: [[String: Any]] = []
        for instrument in asked {
            for item in instrument.definition.items {
                if let message = errors[instrument.id]?[item.id] {
                    // The link goes to the field itself (a choice's first option), which takes the focus.
                    let field = "\(instrument.id)-\(item.id)"
                    let target = item.options?.first.map { "\(field)-\($0.code)".replacingOccurrences(of: ".", with: "-") } ?? field
                    summary.append(["fieldId": target, "title": item.text.text(language), "message": message])
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
