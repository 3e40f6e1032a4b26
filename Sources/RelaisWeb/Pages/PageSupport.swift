import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// A refused form, ready for the page: each reason next to its field (in the page's words when
/// the page has its own for that field and code), all of them summarised at the top with links
/// to the fields, and a message for what belongs to no field (a conflict).
struct FormProblems {
    var fields: [String: String] = [:]
    var message: String?
    var status = 422

    /// The summary list: `label: reason` with the anchor of the field, in the form's order.
    func summary(order: [String], labels: [String: String]) -> [[String: Any]] {
        let known = order.filter { fields[$0] != nil }
        let others = fields.keys.filter { !order.contains($0) }.sorted()
        // A field without a label is summarised by its reason alone: a page never shows a code.
        return (known + others).map { ["field": $0, "label": labels[$0] ?? "", "reason": fields[$0] ?? ""] }
    }
}

extension RelaisApp {
    /// What a use case refused, as form problems in `language`; nil for errors that are not the
    /// user's (they go on: 500 with a reference). `form` names the page's own wordings.
    func formProblems(_ error: any Error, language: String, form: String? = nil) -> FormProblems? {
        switch error {
        case let error as ValidationError:
            var problems = FormProblems(status: 422)
            problems.fields = Dictionary(uniqueKeysWithValues: error.fields.map { field, reason in
                (field, renderer.text(reason, language: language, form: form, field: field))
            })
            return problems
        case let refusal as Refusal:
            var problems = FormProblems(status: refusal.kind == .notFound ? 404 : refusal.kind == .forbidden ? 403 : 409)
            problems.message = renderer.text(refusal.reason, language: language)
            return problems
        default:
            return nil
        }
    }

    /// The values every page's layout needs.
    func layoutContext(_ context: WebContext?) -> [String: Any] {
        var values: [String: Any] = ["structure": configuration.structureName, "version": RelaisVersion.current]
        if let context {
            let role = context.user.role
            values["user"] = ["displayName": context.user.displayName, "name": context.user.name,
                              "roleLabel": renderer.strings(context.language)["a_role_\(role.rawValue)"] ?? role.rawValue, "role": role.rawValue]
            values["csrf"] = context.session.csrfToken
            // What the navigation offers, by role (the routes check again).
            values["nav"] = ["programmes": role != .admin, "participants": role.allows(.readContactDetails),
                             "tasks": role.allows(.manageReminders), "reports": role.allows(.readReports), "admin": role.allows(.administer)]
        }
        return values
    }

    /// The success message of a Post/Redirect/Get: the string `done` names in the query.
    func notice(_ request: Request, _ context: WebContext) -> String? {
        request.queryValue("done").flatMap { renderer.strings(context.language)[$0] }
    }

    /// Post/Redirect/Get: after a form succeeds, go to `path` with the message's string key.
    func redirect(_ path: String, done: String? = nil) -> Response {
        guard let done else { return .redirect(to: path) }
        // The query goes before a fragment ("/programmes/1?done=…#consultations").
        let parts = path.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        let fragment = parts.count > 1 ? "#" + parts[1] : ""
        return .redirect(to: base + (base.contains("?") ? "&" : "?") + "done=" + done + fragment)
    }

    func render(_ template: PageTemplate, _ context: WebContext?, language: String? = nil, status: Int = 200,
                _ values: [String: Any] = [:]) -> Response {
        var all = layoutContext(context)
        all.merge(values) { $1 }
        let html = renderer.render(template, language: language ?? context?.language ?? configuration.language, context: all)
        return .html(html, status: HTTPResponse.Status(code: status))
    }

    func errorPage(_ status: Int, _ message: String, context: WebContext?) -> Response {
        let language = context?.language ?? configuration.language
        return render(.error, context, language: language, status: status, [
            "heading": renderer.strings(language)["error_\(status)"] ?? renderer.strings(language)["error_500"] ?? "", "message": message,
        ])
    }

    /// The message of an error page the server or a wrapper answers by itself, in the page's
    /// language: the same polite page for every unknown address and every unknown id.
    func politeMessage(_ status: Int, reference: String? = nil, language: String? = nil) -> String {
        let strings = renderer.strings(language ?? configuration.language)
        return strings.fill(strings["error_message_\(status)"] == nil ? "error_message_500" : "error_message_\(status)", ["reference": reference ?? "—"])
    }

    func forbidden(_ context: WebContext) -> Response {
        errorPage(403, renderer.text(Reason(.forbiddenRole), language: context.language), context: context)
    }

    /// `<option>` values for a select: value, label and whether it is the chosen one.
    func options(_ pairs: [(value: String, label: String)], selected: String?) -> [[String: Any]] {
        pairs.map { ["value": $0.value, "label": $0.label, "selected": $0.value == selected] }
    }

    /// "jeudi 4 mars 2027, 18 h 00" for a page, in the programme's time zone.
    func when(_ instant: Date, _ zone: TimeZone, _ language: String) -> String {
        DateWording.day(instant, in: zone, language: language) + ", " + DateWording.time(instant, in: zone, language: language)
    }

    /// The name a user may see: a peer helper sees first names and initials only.
    func shownName(_ participant: ParticipantRecord, for user: User) -> String {
        user.role == .peerHelper ? participant.details.firstNameAndInitial : "\(participant.firstName) \(participant.lastName)"
    }
}

extension Request {
    /// "en" when the client prefers English (Accept-Language), else French, the reference language.
    var preferredLanguage: String {
        let ranges = (headerFields[.acceptLanguage] ?? "").split(separator: ",").map { part -> (String, Double) in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (pieces.first?.lowercased() ?? "", quality)
        }
        for (range, _) in ranges.sorted(by: { $0.1 > $1.1 }) {
            if range.hasPrefix("fr") { return "fr" }
            if range.hasPrefix("en") { return "en" }
        }
        return "fr"
    }
}
