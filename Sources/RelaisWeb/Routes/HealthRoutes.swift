import Foundation
import HTTPServer
import HTTPTypes
import RelaisUseCases

extension RelaisApp {
    func registerHealth(_ routes: inout Routes) {
        let app = self
        // No authentication: for load balancers, systemd and Docker health checks. Says nothing about data.
        routes.open(.get, "/healthz", pages: false) { _ in
            let healthy = app.actions.databaseIsHealthy()
            return try JSONBody.response(HealthBody(status: healthy ? "ok" : "degraded", version: RelaisVersion.current,
                                                    database: healthy ? "ok" : "unavailable"), status: healthy ? 200 : 503)
        }
        let resources = self.resources
        routes.open(.get, "/api/v1/openapi.json", pages: false) { _ in .json(resources.openAPI) }
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
