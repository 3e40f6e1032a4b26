import CMicroHTTPD
import Foundation

/// Per-request state, kept in MHD's `*req_cls` from the first call to NOTIFY_COMPLETED.
final class RequestState {
    let method: String
    let url: String
    var body = Data()
    var received = 0
    var tooLarge = false
    var responded = false
    var postProcessor: OpaquePointer?
    var form: [FormField] = []
    var formFailed = false

    init(method: String, url: String) {
        self.method = method
        self.url = url
    }
}
