import Foundation
import HTTPTypes

/// A complete response: status, header fields and body, sent as one buffer.
public struct Response: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: Data

    public init(status: HTTPResponse.Status = .ok, headerFields: HTTPFields = [:], body: Data = Data()) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    public static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headerFields: [.contentType: contentType], body: Data(text.utf8))
    }

    public static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        text(html, status: status, contentType: "text/html; charset=utf-8")
    }

    public static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headerFields: [.contentType: "application/json; charset=utf-8"], body: data)
    }

    /// 303 See Other: the Post/Redirect/Get answer to a form.
    public static func redirect(to location: String, status: HTTPResponse.Status = .seeOther) -> Response {
        Response(status: status, headerFields: [.location: location])
    }
}

extension HTTPResponse.Status {
    /// A status from its code (the server's own answers are built from codes).
    public init(_ code: Int) {
        self.init(code: code)
    }
}
