import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    func registerReportAPI(_ router: inout Router) {
    }
}
