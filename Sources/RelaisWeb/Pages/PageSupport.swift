import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// A refused form, ready for the page: each reason next to its field, all of them summarised at
/// the top (with links to the fields), and a message for what belongs to no field (a conflict).
struct FormProblems {
    var fields: [String: String] = [:]
    var message: String?
    var status = 422

    /// The summary list: `label: reason` with the anchor of the field, in the form's order.
    func summary(order: [String], labels: [String: String]) -> [[String: Any]] {
        let known = order.filter { fields[$0] != nil }
        let others = fields.keys.filter { !order.contains($0) }.sorted()
        return (known + others).map { ["field": $0, "label": labels[$0] ?? $0, "reason": fields[$0] ?? ""] }
    }
}

extension RelaisApp {
    /// What a store or the domain refused, as form problems; nil for errors that are not the
    /// user's (they go on to the error responder: 500 with a reference).
    func formProblems(_ error: any Error, language: String) -> FormProblems? {
        guard let apiError = APIError.from(error) else { return nil }
        var problems = FormProblems(status: apiError.status)
        if let fields = apiError.fields, !fields.isEmpty {
            problems.fields = fields.mapValues { localizedReason($0, language: language) }
        } else {
            problems.message = localizedReason(apiError.message, language: language)
        }
        return problems
    }

    /// Reasons come from the domain and the stores in English; the pages show the French
    /// wording from `Locales/validation.fr.json` when there is one (keys are the English text).
    func localizedReason(_ reason: String, language: String) -> String {
        renderer.strings(language)["reason: " + reason] ?? reason
    }

    /// `<option>` values for a select: value, label and whether it is the chosen one.
    func options(_ pairs: [(value: String, label: String)], selected: String?) -> [[String: Any]] {
        pairs.map { ["value": $0.value, "label": $0.label, "selected": $0.value == selected] }
    }

    /// "jeudi 4 mars 2027, 18 h 00" for a page, in the programme's time zone.
    func when(_ instant: Date, _ zone: TimeZone, _ language: String) -> String {
        DateWording.day(instant, in: zone, language: language) + (language == "en" ? ", " : ", ") + DateWording.time(instant, in: zone, language: language)
    }

    /// Who may open a programme's pages: planners see every programme; a peer helper only the
    /// ones they co-lead. (The API applies the same rule.)
    func mayOpen(_ programme: ProgrammeRecord, _ user: User) -> Bool {
        user.role.allows(.plan) || (user.role == .peerHelper && programme.peerHelperId == user.id)
    }

    /// Who reads and writes a consultation's clinical note: the tabacologue of the consultation
    /// or of the programme; never a coordinator or a peer helper. (API and pages alike.)
    func isClinician(of consultation: ConsultationRecord, _ programme: ProgrammeRecord, _ user: User) -> Bool {
        user.role.allows(.readClinical) && user.role.allows(.writeClinical) && [consultation.facilitatorId, programme.leadId].contains(user.id)
    }

    /// The name a user may see: a peer helper sees first names and initials only.
    func shownName(_ participant: ParticipantRecord, for user: User) -> String {
        user.role == .peerHelper ? participant.details.firstNameAndInitial : "\(participant.firstName) \(participant.lastName)"
    }
}
