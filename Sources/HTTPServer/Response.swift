import Foundation

/// A complete response: status, headers and body, sent as one buffer.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: Data(text.utf8))
    }

    public static func html(_ html: String, status: Int = 200) -> Response {
        text(html, status: status, contentType: "text/html; charset=utf-8")
    }

    public static func json(_ data: Data, status: Int = 200) -> Response {
        Response(status: status, headers: HTTPHeaders([("Content-Type", "application/json; charset=utf-8")]), body: data)
    }

    /// 303 See Other: the Post/Redirect/Get answer to a form.
    public static func redirect(to location: String, status: Int = 303) -> Response {
        Response(status: status, headers: HTTPHeaders([("Location", location)]))
    }
}
