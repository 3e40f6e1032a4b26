import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// The administration pages (admin role only, through `page(.administer)`): accounts, sites
/// and rooms, and the effective settings with a test email.
extension RelaisApp {
    func registerAdminPages(_ router: inout Router) {
        let app = self
        router.get("/admin", page(.administer) { request, context in
            var values: [String: Any] = [:]
            if let notice = app.notice(request, context) { values["notice"] = notice }
            return app.render("admin_index", context, values)
        })
        registerAdminUserPages(&router)
        registerAdminSitePages(&router)
        registerAdminSettingsPages(&router)
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
    func adminRender(_ template: String, _ context: WebContext, status: Int, failed: AdminForm?, _ values: [String: Any]) -> Response {
        var values = values
        let errorList = failed?.errorList ?? []
        values["hasErrors"] = !errorList.isEmpty
        values["errorList"] = errorList
        var response = render(template, context, status: status, values)
        response.headers.set("Cache-Control", "no-store")
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
