import Foundation
import HTTPServer
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerAccountAPI(_ routes: inout Routes) {
        let app = self
        routes.api(.get, "/api/v1/me") { _, caller in
            try JSONBody.response(UserBody(try app.actions.account(me: caller), profile: true))
        }

        // A user's own preferences: the name shown, the language of pages ("fr" or "en") and the
        // address of the daily staff digest (null or "" to stop it).
        routes.api(.patch, "/api/v1/me") { request, caller in
            let body = try JSONBody.decode(ProfileRequest.self, from: request)
            let user = try app.actions.updateOwnProfile(displayName: body.displayName, language: body.language, email: body.email, by: caller)
            return try JSONBody.response(UserBody(user, profile: true))
        }
    }
}
