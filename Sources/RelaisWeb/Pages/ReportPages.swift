import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    func registerReportPages(_ router: inout Router) {
    }
}
