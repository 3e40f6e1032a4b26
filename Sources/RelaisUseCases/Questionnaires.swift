import Foundation
import RelaisDomain
import RelaisStore

/// What a participant's link opens: the questionnaire to answer, or why there is none.
public enum QuestionnaireAccess: Sendable {
    case open(invitation: InvitationRecord, firstName: String, language: String, programmeTitle: String, instruments: [ConfiguredInstrument])
    case used
    case expired
    case unknown
}

/// What a letter's code, typed on the code page, leads to.
public enum CodeAccess: Sendable, Equatable {
    /// The questionnaire, at its letter's link (`/q/{token}`): the same one, used up by either.
    case open(token: String)
    case used
    case expired
    case unknown
    /// Not shaped like a code (9 letters and digits): not counted as an attempt.
    case malformed
    case throttled(retryAfter: Int)
}

/// The outcome of answering through a link.
public enum QuestionnaireAnswer: Sendable {
    case stored
    /// Some answers are refused: per instrument, per item.
    case refused([String: [String: Reason]])
    case closed(QuestionnaireAccess)
}

extension UseCases {
    /// The questionnaire behind a link: no login, the link is the credential.
    public func questionnaire(token: String) throws -> QuestionnaireAccess {
        switch try questionnaires.lookup(token: token) {
        case .open(let invitation, let firstName, let language, let title):
            return .open(invitation: invitation, firstName: firstName, language: language, programmeTitle: title,
                         instruments: invitation.instruments.compactMap { instruments[$0] })
        case .used: return .used
        case .expired: return .expired
        case .unknown: return .unknown
        }
    }

    /// The language of the participant the link was sent to, when it is known (the link may be
    /// used or expired): the page that says so speaks it rather than the browser's.
    public func questionnaireLanguage(token: String) throws -> String? {
        try questionnaires.language(token: token)
    }

    /// The questionnaire behind a letter's short code, typed by the participant on the code page
    /// (no login: the code is the credential, throttled per client address and in all).
    public func questionnaire(code typed: String, clientAddress: String) throws -> CodeAccess {
        guard let code = LetterCode.normalized(typed) else { return .malformed }
        switch try questionnaires.resolve(code: code, clientAddress: clientAddress, key: try store.secretKey("link")) {
        case .open(let token): return .open(token: token)
        case .used: return .used
        case .expired: return .expired
        case .unknown: return .unknown
        case .throttled(let seconds): return .throttled(retryAfter: seconds)
        }
    }

    /// Stores the participant's answers through their link (answers by instrument id), closing
    /// the questionnaire, its reminders and its phone tasks in one transaction.
    public func answerQuestionnaire(token: String, answers: [String: [String: JSONValue]]) throws -> QuestionnaireAnswer {
        let access = try questionnaire(token: token)
        guard case .open(_, _, _, _, let asked) = access else { return .closed(access) }
        let (results, refused) = score(asked, answers: answers)
        guard refused.isEmpty else { return .refused(refused) }
        do {
            _ = try questionnaires.answer(token: token, results: results, takenOn: today)
            return .stored
        } catch let refusal as Refusal where refusal.kind == .conflict {
            // Answered from another tab a moment ago: the first answer stands.
            return .closed(.used)
        }
    }

    /// Scores each instrument of a form: the results, or the reasons per instrument and item.
    func score(_ instruments: [ConfiguredInstrument], answers: [String: [String: JSONValue]]) -> ([ScoreResult], [String: [String: Reason]]) {
        var results: [ScoreResult] = []
        var refused: [String: [String: Reason]] = [:]
        for instrument in instruments {
            do {
                results.append(try instrument.score(answers[instrument.id] ?? [:]))
            } catch {
                refused[instrument.id] = error.fields
            }
        }
        return (results, refused)
    }
}
