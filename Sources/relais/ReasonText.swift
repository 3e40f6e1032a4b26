import Foundation
import RelaisDomain
import RelaisWeb

/// Reasons in English for the command line, from the same locale files as the API.
enum ReasonText {
    private static let renderer: Renderer? = try? Renderer()

    static func english(_ reason: Reason) -> String {
        renderer?.text(reason, language: "en", forAPI: true) ?? reason.description
    }
}
