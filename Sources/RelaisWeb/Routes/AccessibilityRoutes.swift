import Foundation
import HTTPServer

extension RelaisApp {
    /// The accessibility statement in the RGAA's form, linked from every page's footer. Open to
    /// all (a participant arrives from a questionnaire); it names the structure to contact.
    func registerAccessibility(_ routes: inout Routes) {
        let app = self
        routes.open(.get, "/accessibilite") { request in
            let language = request.preferredLanguage
            let configuration = app.configuration
            let address = (configuration.structureAddress ?? "").split(whereSeparator: \.isNewline).map { ["line": String($0)] }
            return app.render(.accessibility, nil, language: language, [
                "intro": app.renderer.strings(language).fill("a11y_intro", ["structure": configuration.structureName]),
                "contact": ["name": configuration.structureName, "address": address, "email": configuration.mailReplyTo ?? configuration.mailFrom,
                            "phone": configuration.structurePhone ?? ""] as [String: Any],
            ])
        }
    }
}
