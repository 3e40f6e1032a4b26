import Foundation
import HTTPServer
import RelaisStore

extension RelaisApp {
    func registerAccountAPI(_ router: inout Router) {
        let accounts = self.accounts
        router.get("/api/v1/me", api(nil) { _, context in
            JSON.response(Self.profile(context.user))
        })

        // A user's own preferences: the name shown, the language of pages ("fr" or "en") and the
        // address of the daily staff digest (null or "" to stop it).
        router.patch("/api/v1/me", api(nil) { request, context in
            var body = try BodyReader(request, allowed: ["displayName", "language", "email"])
            let displayName = body.string("displayName"), language = body.string("language")
            let email = body.isNull("email") ? "" : body.string("email")
            try body.check()
            let user = try accounts.updateProfile(userID: context.user.id, displayName: displayName, language: language, email: email,
                                                  by: context.actor)
            return JSON.response(Self.profile(user))
        })
    }

    static func profile(_ user: User) -> [String: Any] {
        ["id": user.id, "name": user.name, "displayName": user.displayName, "role": user.role.rawValue, "language": user.language,
         "email": user.email ?? NSNull()]
    }
}
