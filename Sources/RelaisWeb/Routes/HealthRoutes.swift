import Foundation
import HTTPServer
import HTTPTypes
import RelaisUseCases

extension RelaisApp {
    func registerHealth(_ routes: inout Routes) {
        let app = self
        // No authentication: for load balancers, systemd and Docker health checks. Says nothing about data.
        // The state a background check keeps, and the two answers encoded once: no database or
        // encoding work on the request.
        let health = app.health
        let healthy = try? JSONBody.data(HealthBody(status: "ok", version: RelaisVersion.current, database: "ok"))
        let degraded = try? JSONBody.data(HealthBody(status: "degraded", version: RelaisVersion.current, database: "unavailable"))
        routes.open(.get, "/healthz", pages: false) { _ in
            health.isHealthy ? .json(healthy ?? Data(), status: .ok) : .json(degraded ?? Data(), status: .serviceUnavailable)
        }
        let resources = self.resources
        routes.open(.get, "/api/v1/openapi.json", pages: false) { _ in
            guard let description = resources.openAPI else { throw RendererError(message: "the OpenAPI description is missing from the installation") }
            return .json(description)
        }
        routes.open(.get, "/static/relais.css") { _ in
            Response(status: .ok, headerFields: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: resources.stylesheet)
        }
        routes.open(.get, "/static/copy.js") { _ in
            Response(status: .ok, headerFields: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: resources.copyScript)
        }
    }
}
