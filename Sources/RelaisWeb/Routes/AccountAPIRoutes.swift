import Foundation
import HTTPServer
import RelaisStore

extension RelaisApp {
    func registerAccountAPI(_ router: inout Router) {
        let accounts = self.accounts
        router.get("/api/v1/me", api(nil) { _, context in
            JSON.response(Self.profile(context.user))
        })

        // A user's own preferences: the name shown and the language of pages ("fr" or "en").
        router.patch("/api/v1/me", api(nil) { request, context in
            let body = try JSON.object(from: request)
            var fields: [String: String] = [:]
            for key in body.keys where !["displayName", "language"].contains(key) { fields[key] = "unknown field" }
            if let value = body["displayName"], !(value is String) { fields["displayName"] = "must be a string" }
            if let value = body["language"], !(value is String) { fields["language"] = "must be a string" }
            guard fields.isEmpty else { throw APIError.invalid(fields) }
            let user = try accounts.updateProfile(userID: context.user.id, displayName: body["displayName"] as? String,
                                                  language: body["language"] as? String, by: context.actor)
            return JSON.response(Self.profile(user))
        })
    }

    static func profile(_ user: User) -> [String: Any] {
        ["id": user.id, "name": user.name, "displayName": user.displayName, "role": user.role.rawValue, "language": user.language]
    }
}
