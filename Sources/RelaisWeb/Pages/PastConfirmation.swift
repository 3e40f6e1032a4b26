import Foundation
import RelaisDomain

/// What is entered at a date already past: structures enter last year's programme to report on
/// it, and correct a session's date after the fact. The page asks for a ticked box first, and
/// says what will and will not be sent (the use case refuses an unticked page with
/// `past_needs_confirmation`; scripts through the API are not asked).
enum PastEntry: String {
    case programme, consultation, sessionMove = "session_move"
}

extension RelaisApp {
    /// The confirmation block of `past_confirmation.mustache`: what happens, point by point, and
    /// the box, with its error when the form came back unticked.
    /// `prefix` is the form's prefix of field ids (the booking form's `c-`).
    func pastConfirmation(_ entry: PastEntry, language: String, error: String?, prefix: String = "") -> [String: Any] {
        let strings = renderer.strings(language)
        let days = ["days": String(configuration.mailStaleAfterDays)]
        let points: [String] = switch entry {
        case .programme: ["past_programme_sessions", "past_programme_confirmation", "past_programme_questionnaires"]
        case .consultation: ["past_consultation"]
        case .sessionMove: ["past_session_move"]
        }
        return ["intro": strings.fill("past_intro_\(entry.rawValue)"), "points": points.map { strings.fill($0, days) },
                "error": error ?? "", "invalid": error != nil, "prefix": prefix]
    }
}
