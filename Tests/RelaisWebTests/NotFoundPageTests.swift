import Foundation
import HTTPServer
import RelaisDomain
@testable import RelaisWeb
import Testing

/// Every page route that names something by id answers an unknown id with the same polite 404
/// page as an unknown address, never a 500 (the handler throwing would be one).
@Suite("Unknown ids on pages")
struct NotFoundPageTests {
    @Test func everyPageRouteWithAnIdAnswers404WithThePolitePage() throws {
        let client = try PageClient()
        try client.user("tab", role: .tabacologue)
        try client.user("coord", role: .coordinator)
        try client.user("root", role: .admin)
        let polite = HTMLText.escape(try #require(client.app.renderer.strings("fr")["error_message_404"]))
        let routes = client.router.patterns.filter { route in
            // Links and codes of participants, feeds and the SMS gateway's reports answer unknown tokens their own way.
            route.pattern.contains("{") && !route.pattern.hasPrefix("/api/") && !route.pattern.hasPrefix("/q/")
                && !route.pattern.hasPrefix("/calendar/") && !route.pattern.hasPrefix("/c/") && !route.pattern.hasPrefix("/sms/")
        }
        #expect(routes.count >= 30, "the page routes with an id: \(routes.count)")
        var checked: [String] = []
        for route in routes {
            let path = route.pattern.replacingOccurrences(of: #"\{[a-z]+\}"#, with: "inconnu-0000", options: .regularExpression)
            var answered: PageClient.Page?
            for user in ["tab", "coord", "root"] {
                let page = route.method == .get ? try client.get(path, as: user) : try client.post(path, [], as: user)
                answered = page
                if page.status != 403 { break }
            }
            let page = try #require(answered)
            #expect(page.status == 404, "\(route.method.rawValue) \(route.pattern) answered \(page.status)")
            #expect(page.text.contains(polite) || page.text.contains("n&#39;existe pas"), "\(route.method.rawValue) \(route.pattern): the polite page \(page.text.suffix(600))")
            checked.append("\(route.method.rawValue) \(route.pattern)")
        }
        print("404 checked on \(checked.count) page routes:\n" + checked.joined(separator: "\n"))
    }
}
