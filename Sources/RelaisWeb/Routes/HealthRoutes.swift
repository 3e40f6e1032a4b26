import Foundation
import HTTPServer

extension RelaisApp {
    func registerHealth(_ router: inout Router) {
        let store = self.store
        // No authentication: for load balancers, systemd and Docker health checks. Says nothing about data.
        router.get("/healthz") { _ in
            let healthy = store.isHealthy()
            return JSON.response(["status": healthy ? "ok" : "degraded", "version": RelaisVersion.current,
                                  "database": healthy ? "ok" : "unavailable"], status: healthy ? 200 : 503)
        }
    }

    func registerStatic(_ router: inout Router) {
        let directory = Bundle.module.resourceURL!.appendingPathComponent("Static")
        let stylesheet = (try? Data(contentsOf: directory.appendingPathComponent("relais.css"))) ?? Data()
        let openAPI = (try? Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("OpenAPI/openapi.json"))) ?? Data()
        router.get("/api/v1/openapi.json") { _ in .json(openAPI) }
        router.get("/static/relais.css") { _ in
            Response(status: 200, headers: HTTPHeaders([("Content-Type", "text/css; charset=utf-8"),
                                                        ("Cache-Control", "public, max-age=3600")]), body: stylesheet)
        }
    }
}
