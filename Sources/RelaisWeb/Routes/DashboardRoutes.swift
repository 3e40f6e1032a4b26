import Foundation
import HTTPServer

extension RelaisApp {
    func registerDashboard(_ router: inout Router) {
        let app = self
        router.get("/", page(nil) { request, context in
            var values: [String: Any] = [:]
            if let done = request.queryValue("done"), let message = app.renderer.strings(context.language)[done] {
                values["notice"] = message
            }
            return app.render("dashboard", context, values)
        })
    }
}
