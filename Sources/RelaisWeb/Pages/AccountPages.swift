import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// One's own account: the name shown, the language of the pages (French or English) and the
    /// address of the daily staff digest.
    func registerAccountPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/account") { request, context in
            app.accountPage(context, values: [:], notice: app.notice(request, context))
        }

        routes.page(.post, "/account") { request, context in
            let values = ["displayName": request.formValue("displayName") ?? "", "language": request.formValue("language") ?? "fr",
                          "email": request.formValue("email") ?? ""]
            do {
                _ = try app.actions.updateOwnProfile(displayName: values["displayName"], language: values["language"], email: values["email"],
                                                     by: context.caller)
                return app.redirect("/account", done: "account_saved")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return app.accountPage(context, values: values, problems: problems)
            }
        }
    }

    func accountPage(_ context: WebContext, values: [String: String], problems: FormProblems? = nil, notice: String? = nil) -> Response {
        let strings = renderer.strings(context.language)
        let current = ["displayName": context.user.displayName, "language": context.user.language, "email": context.user.email ?? ""]
        let shown = values.isEmpty ? current : values
        let labels = ["displayName": strings["account_display_name"] ?? "", "language": strings["account_language"] ?? "",
                      "email": strings["account_email"] ?? ""]
        return render(.account, context, status: problems?.status ?? 200, [
            "notice": notice ?? "", "v": shown, "errors": problems?.fields ?? [:],
            "hasErrors": problems != nil, "message": problems?.message ?? "",
            "summary": problems?.summary(order: ["displayName", "language", "email"], labels: labels) ?? [],
            "languages": options([("fr", "Français"), ("en", "English")], selected: shown["language"]),
        ])
    }
}
