import CMicroHTTPD
import Foundation

/// Per-request state, kept in MHD's `*req_cls` from the first call to NOTIFY_COMPLETED.
final class RequestState {
    let method: String
    let url: String
    /// Known from the head, so that even an answer given before the body is read carries it.
    let id: String
    var body = Data()
    var received = 0
    var tooLarge = false
    var responded = false
    var postProcessor: OpaquePointer?
    var form: [FormField] = []
    var formFailed = false

    init(method: String, url: String, id: String) {
        self.method = method
        self.url = url
        self.id = id
    }
}
