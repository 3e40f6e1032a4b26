import Foundation
import HTTPServer

extension RelaisApp {
    func registerAccountAPI(_ router: inout Router) {
        router.get("/api/v1/me", api(nil) { _, context in
            JSON.response(["id": context.user.id, "name": context.user.name, "displayName": context.user.displayName,
                           "role": context.user.role.rawValue, "language": context.user.language])
        })
    }
}
