import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// Who calls the API, authenticated by a bearer token.
public struct APIContext: Sendable {
    public var user: User
    public var actor: Actor
}

extension RelaisApp {
    /// Wraps an API handler: bearer authentication (401), the role check (403, in one place:
    /// `Role.allows`), and the mapping of errors to the API's JSON error shape.
    func api(_ permission: Permission?, _ body: @escaping @Sendable (Request, APIContext) throws -> Response) -> Handler {
        let accounts = self.accounts
        return { request in
            do {
                guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer "),
                      let user = try accounts.authenticate(token: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
                    var response = APIError.unauthorized.response
                    response.headers.set("WWW-Authenticate", "Bearer realm=\"relais\"")
                    return response
                }
                if let permission, !user.role.allows(permission) {
                    throw APIError.forbidden("The role '\(user.role.rawValue)' may not do this.")
                }
                let context = APIContext(user: user, actor: Actor(userID: user.id, name: user.name, clientAddress: request.clientAddress))
                return try body(request, context)
            } catch {
                guard let apiError = APIError.from(error) else { throw error }
                return apiError.response
            }
        }
    }
}
