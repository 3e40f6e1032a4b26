import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as read off the wire by `TestHTTP`.
public struct TestResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    public func headers(_ name: String) -> [String] {
        headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }
}

public struct TestHTTPError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Values appended from many threads.
public final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    public init() {}
    public func append(_ value: Int) { lock.lock(); storage.append(value); lock.unlock() }
    public var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// A deliberately small HTTP/1.1 client over a blocking socket. The tests need byte-exact
/// control (oversized bodies, chunked uploads, raw headers) and no cookie or redirect magic,
/// which URLSession does not give on Linux.
public enum TestHTTP {
    public static func request(port: UInt16, _ method: String, _ path: String, headers: [(String, String)] = [],
                               body: Data = Data(), chunked: Bool = false, host: String = "127.0.0.1", from source: String? = nil) throws -> TestResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        var payload = Data()
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            var offset = 0
            while offset < body.count {
                let piece = body[offset..<min(offset + 65536, body.count)]
                payload.append(Data(String(piece.count, radix: 16).utf8) + Data("\r\n".utf8) + piece + Data("\r\n".utf8))
                offset += piece.count
            }
            payload.append(Data("0\r\n\r\n".utf8))
        } else {
            if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
            head += "\r\n"
            payload = body
        }
        let raw = try exchange(port: port, host: host, from: source, send: Data(head.utf8) + payload)
        return try parse(raw)
    }

    public static func get(port: UInt16, _ path: String, headers: [(String, String)] = [], from source: String? = nil) throws -> TestResponse {
        try request(port: port, "GET", path, headers: headers, from: source)
    }

    public static func postForm(port: UInt16, _ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) throws -> TestResponse {
        let body = fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        return try request(port: port, "POST", path, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")],
                           body: Data(body.utf8))
    }

    public static func postJSON(port: UInt16, _ path: String, _ json: String, token: String? = nil, method: String = "POST") throws -> TestResponse {
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try request(port: port, method, path, headers: headers, body: Data(json.utf8))
    }

    public static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// A connected TCP socket to `host:port`, from the local address `source` when given (any
    /// 127.x.y.z is a loopback address of its own on Linux: a second "client" on one machine).
    public static func connectSocket(port: UInt16, host: String = "127.0.0.1", from source: String? = nil, timeoutSeconds: Int = 30) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPError(description: "socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw TestHTTPError(description: "bind to \(source) failed: errno \(errno)") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw TestHTTPError(description: "connect to \(host):\(port) failed: errno \(errno)") }
        return fd
    }

    /// Sends bytes and reads until the server closes (or 30 s pass).
    public static func exchange(port: UInt16, host: String = "127.0.0.1", from source: String? = nil, send data: Data) throws -> Data {
        let fd = try connectSocket(port: port, host: host, from: source)
        defer { close(fd) }
        var sent = 0
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            while sent < bytes.count {
                let n = Glibc.send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                // The server may answer (413) and close before the whole body is sent: stop and read.
                if n <= 0 { if errno == EPIPE || errno == ECONNRESET { break }; throw TestHTTPError(description: "send failed: errno \(errno)") }
                sent += n
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(buffer, count: n)
        }
        return received
    }

    static func parse(_ raw: Data) throws -> TestResponse {
        guard let separator = raw.range(of: Data("\r\n\r\n".utf8)) else {
            throw TestHTTPError(description: "no complete response (\(raw.count) bytes)")
        }
        let head = String(decoding: raw[..<separator.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestHTTPError(description: "bad status line '\(head[0])'")
        }
        let headers: [(String, String)] = head.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Data(raw[separator.upperBound...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return TestResponse(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            out.append(rest[start..<start + size])
            rest = rest[(start + size + 2)...]
        }
        return out
    }
}
