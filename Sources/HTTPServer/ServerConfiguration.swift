import HTTPTypes

/// How the server listens and what it accepts. Every limit has a value: libmicrohttpd's
/// own defaults leave connections open forever, which a daemon on a shared network cannot afford.
public struct ServerConfiguration: Sendable {
    /// Numeric IPv4 or IPv6 address to bind.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; `Server.port` tells which.
    public var port: UInt16 = 8080
    public var threads: Int = 8
    /// Idle timeout: a connection with no traffic for this long is closed (libmicrohttpd's own).
    public var connectionTimeoutSeconds: Int = 30
    /// Absolute deadline to receive a request head, counted from the connection's start or from
    /// the end of the previous answer on a kept-alive connection, however the bytes trickle in.
    public var requestHeadTimeoutSeconds: Int = 10
    /// Absolute deadline to receive a request body once its head is in.
    public var requestBodyTimeoutSeconds: Int = 30
    public var connectionLimit: Int = 1024
    /// Connections at once from one client address (trusted proxies exempted: their clients are
    /// counted by forwarded address, as requests in flight).
    public var perIPConnectionLimit: Int = 256
    /// Reverse proxies whose `X-Forwarded-For` gives the client's address.
    public var trustedProxies: [IPNetwork] = []
    /// Per-connection memory for headers and buffers (libmicrohttpd's CONNECTION_MEMORY_LIMIT).
    public var connectionMemoryLimit: Int = 128 * 1024
    /// Request bodies above this get 413 Payload Too Large.
    public var maxBodyBytes: Int = 1024 * 1024
    /// PEM certificate and key: both set means HTTPS (libmicrohttpd with GnuTLS).
    public var tlsCertificatePEM: String?
    public var tlsKeyPEM: String?
    /// How long a shutdown waits for requests in flight before closing connections.
    public var drainSeconds: Double = 10
    /// Headers added to every response that does not set them itself.
    public var defaultHeaders: [(HTTPField.Name, String)] = ServerConfiguration.securityHeaders

    public init() {}

    public var usesTLS: Bool { tlsCertificatePEM != nil && tlsKeyPEM != nil }

    public static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy,
         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
        (.xContentTypeOptions, "nosniff"),
        (.xFrameOptions, "DENY"),
        (.referrerPolicy, "no-referrer"),
        // Pages carry patient data: no shared or browser cache unless a route says otherwise.
        (.cacheControl, "no-store"),
    ]
}

/// What the server answers itself (404, 405, 413, 500...), so the application can shape it
/// (JSON errors for the API, an HTML page elsewhere).
public typealias ErrorResponder = @Sendable (_ error: ServerError, _ request: Request?) -> Response

/// What the server answers itself: the status, a message in English (for logs and the API), and
/// for a 500 the reference under which the details were logged.
public struct ServerError: Sendable, Equatable {
    public var status: Int
    public var message: String
    public var reference: String?

    public init(status: Int, message: String, reference: String? = nil) {
        self.status = status
        self.message = message
        self.reference = reference
    }
}
