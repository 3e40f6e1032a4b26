import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The administration pages (admin role only): accounts, sites and rooms, and the effective
/// settings with a test email.
extension RelaisApp {
    func registerAdminPages(_ routes: inout Routes) {
        let app = self
        routes.page(.get, "/admin", .administer) { request, context in
            var values: [String: Any] = [:]
            if let notice = app.notice(request, context) { values["notice"] = notice }
            return app.render(.adminIndex, context, values)
        }
        registerAdminUserPages(&routes)
        registerAdminSitePages(&routes)
        registerAdminSettingsPages(&routes)
    }

    /// A refused administration form, each reason next to its field: field problems in the
    /// page's words (`field.<form>.<field>.<code>`), and the conflicts named in `conflicts` on the
    /// field they concern (with the page's own string, or the reason's sentence when ""). What is
    /// not refused input goes on.
    func adminFailure(_ form: AdminForm, _ error: any Error, form name: String, language: String,
                      conflicts: [ReasonCode: (field: String, key: String)]) throws -> (AdminForm, Int) {
        var failed = form
        switch error {
        case let error as ValidationError:
            for (field, reason) in error.fields { failed.errors[field] = renderer.text(reason, language: language, form: name, field: field) }
            return (failed, 422)
        case let refusal as Refusal where refusal.kind == .conflict:
            guard let (field, key) = conflicts[refusal.reason.code] else { throw refusal }
            failed.errors[field] = key.isEmpty ? renderer.text(refusal.reason, language: language) : renderer.strings(language)[key] ?? key
            return (failed, 409)
        default:
            throw error
        }
    }

    /// A date and time as the administration pages show it, in the structure's time zone.
    func adminDateTime(_ date: Date, language: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == "en" ? "en_GB" : "fr_FR")
        formatter.timeZone = configuration.timeZone.zone
        formatter.dateFormat = "dd/MM/yyyy HH:mm"
        return formatter.string(from: date)
    }

    /// Renders an administration page with the error summary of a failed form, if any.
    func adminRender(_ template: PageTemplate, _ context: WebContext, status: Int, failed: AdminForm?, _ values: [String: Any]) -> Response {
        var values = values
        let errorList = failed?.errorList ?? []
        values["hasErrors"] = !errorList.isEmpty
        values["errorList"] = errorList
        var response = render(template, context, status: status, values)
        response.headerFields[.cacheControl] = "no-store"
        return response
    }
}

/// One form of an administration page that could not be accepted: what was typed, and a
/// message per field. Its `id` prefixes the ids of its fields (`user-new-name`), so that each
/// form of a page with many forms shows its own errors next to its own fields.
struct AdminForm: Sendable {
    var id: String
    var values: [String: String] = [:]
    var errors: [String: String] = [:]
    /// The fields in the order of the page, for the summary at the top.
    var order: [String] = []

    init(id: String, values: [String: String] = [:], errors: [String: String] = [:], order: [String] = []) {
        self.id = id
        self.values = values
        self.errors = errors
        self.order = order
    }

    /// The summary's links, to `#<form id>-<field>`.
    var errorList: [[String: String]] {
        let fields = order.filter { errors[$0] != nil } + errors.keys.filter { !order.contains($0) }.sorted()
        return fields.map { ["field": "\(id)-\($0)", "message": errors[$0] ?? ""] }
    }

    /// What a template reads for this form: `values`, `errors`, and `invalid` (field → true).
    func context(defaults: [String: String] = [:]) -> [String: Any] {
        ["values": defaults.merging(values) { $1 }, "errors": errors,
         "invalid": errors.mapValues { _ in true }, "hasErrors": !errors.isEmpty]
    }

    func with(error message: String?, on field: String) -> AdminForm {
        var copy = self
        copy.errors[field] = message ?? field
        return copy
    }
}

extension Request {
    /// A form field with surrounding spaces and line breaks removed ("" when absent).
    func trimmedFormValue(_ name: String) -> String {
        (formValue(name) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
