import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The envelope of one received message, as the SMTP server saw it.
public struct SMTPEnvelope: Sendable, Equatable {
    public var mailFrom: String
    public var rcptTos: [String]

    public init(mailFrom: String, rcptTos: [String]) {
        self.mailFrom = mailFrom
        self.rcptTos = rcptTos
    }
}

/// A real SMTP server on loopback: Tests/Fixtures/smtp_sink.py (Python aiosmtpd) run as a child
/// process. Every accepted message is a file in `directory`; `stop()` and `restart()` simulate
/// the server going down and coming back on the same port. The child is killed at deinit, and
/// exits by itself if the test process dies (it watches its standard input).
public final class SMTPTestServer: @unchecked Sendable {
    /// Folder holding the received messages (<n>.eml) and envelopes (<n>.json).
    public let directory: String
    public let arguments: [String]
    private let temporary: TemporaryDirectory?
    private let lock = NSLock()
    private var process: Process?
    private var stdinPipe: Pipe?
    private var outputText = ""
    private var _port = 0

    /// The port it listens on; kept across `restart()`.
    public var port: Int { lock.withLock { _port } }

    /// Whether the server process is running (false after `stop()`).
    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// The process id of the running sink (nil after `stop()`).
    public var processIdentifier: Int32? { lock.withLock { process?.processIdentifier } }

    /// Everything the sink wrote on stdout and stderr (for failure messages).
    public var log: String { lock.withLock { outputText } }

    /// - Parameters:
    ///   - auth: credentials the server then requires (AUTH PLAIN/LOGIN) before MAIL FROM.
    ///   - rejectRecipients: recipients answered with "550 5.1.1 User unknown".
    ///   - greylistRecipients: recipients whose first RCPT TO is answered "451 4.7.1 Greylisted"
    ///     (a temporary refusal); their next attempt is accepted.
    ///   - closeAtRecipients: recipients whose RCPT TO is answered "421 4.3.2 Service shutting down",
    ///     after which the server closes the connection.
    ///   - tls: certificate and key (PEM paths) offered through STARTTLS; `requireStartTLS` refuses
    ///     mail until the client has switched to TLS; `implicitTLS` speaks TLS from the first byte
    ///     instead (smtps, `SMTPSecurity.tls`).
    ///   - directory: where messages go; a fresh temporary folder by default.
    public init(auth: (user: String, password: String)? = nil, rejectRecipients: [String] = [], greylistRecipients: [String] = [],
                closeAtRecipients: [String] = [], tls: (certificate: String, key: String)? = nil, requireStartTLS: Bool = false,
                implicitTLS: Bool = false, directory: String? = nil) throws {
        if let directory {
            self.directory = directory
            temporary = nil
        } else {
            let temporary = TemporaryDirectory()
            self.temporary = temporary
            self.directory = temporary.file("smtp")
        }
        var arguments = ["--dir", self.directory, "--exit-on-stdin-eof"]
        if let auth { arguments += ["--auth", "\(auth.user):\(auth.password)"] }
        for address in rejectRecipients { arguments += ["--reject-rcpt", address] }
        for address in greylistRecipients { arguments += ["--greylist", address] }
        for address in closeAtRecipients { arguments += ["--close-at-rcpt", address] }
        if let tls { arguments += ["--cert", tls.certificate, "--key", tls.key] }
        if requireStartTLS { arguments += ["--require-starttls", "yes"] }
        if implicitTLS { arguments += ["--implicit-tls"] }
        self.arguments = arguments
        try start(port: 0)
    }

    /// Tests/Fixtures/smtp_sink.py, found from this source file's location.
    public static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/smtp_sink.py").path
    }

    private func start(port requested: Int) throws {
        let process = Process()
        let environment = ProcessInfo.processInfo.environment
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [environment["RELAIS_PYTHON"] ?? "python3", "-u", Self.scriptPath,
                             "--port", String(requested)] + arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self.lock.withLock { self.outputText += String(decoding: data, as: UTF8.self) }
        }
        let logStart = lock.withLock { outputText.utf8.count }  // only this run's output counts
        try process.run()
        lock.withLock {
            self.process = process
            self.stdinPipe = input
        }

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = lock.withLock { String(decoding: outputText.utf8.dropFirst(logStart), as: UTF8.self) }
            if let range = text.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression),
               let port = Int(text[range].split(separator: ":").last ?? "") {
                lock.withLock { _port = port }
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        stop()
        throw SMTPTestServerError(description: "smtp_sink.py did not start on port \(requested):\n\(log)")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s). Connections are then refused.
    public func stop() {
        guard let (process, input) = lock.withLock({ () -> (Process, Pipe?)? in
            guard let process = self.process else { return nil }
            let input = self.stdinPipe
            self.process = nil
            self.stdinPipe = nil
            return (process, input)
        }) else { return }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? input?.fileHandleForWriting.close()
    }

    /// Starts the server again on the same port with the same options and folder (received
    /// messages are kept; numbering continues). Retries for up to 10 s if the port is still busy.
    public func restart() throws {
        stop()
        let port = self.port
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                try start(port: port)
                return
            } catch {
                if Date() >= deadline { throw error }
                usleep(200_000)
            }
        }
    }

    /// Received messages with their envelopes, in arrival order.
    public func received() -> [(message: Data, envelope: SMTPEnvelope)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let numbers = names.compactMap { name -> Int? in
            name.hasSuffix(".eml") ? Int(name.dropLast(4)) : nil
        }.sorted()
        return numbers.compactMap { number in
            let base = (directory as NSString).appendingPathComponent(String(number))
            guard let message = FileManager.default.contents(atPath: base + ".eml"),
                  let json = FileManager.default.contents(atPath: base + ".json"),
                  let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
            let envelope = SMTPEnvelope(mailFrom: object["mail_from"] as? String ?? "",
                                        rcptTos: object["rcpt_tos"] as? [String] ?? [])
            return (message, envelope)
        }
    }

    /// Received messages (the bytes after DATA), in arrival order.
    public func messages() -> [Data] { received().map(\.message) }

    /// Envelopes of the received messages, in the same order as `messages()`.
    public func envelopes() -> [SMTPEnvelope] { received().map(\.envelope) }

    /// Waits until at least `count` messages arrived (or `timeout` passed) and returns them all.
    public func waitForMessages(_ count: Int, timeout: TimeInterval = 10) -> [Data] {
        let deadline = Date().addingTimeInterval(timeout)
        var messages = self.messages()
        while messages.count < count && Date() < deadline {
            usleep(50_000)
            messages = self.messages()
        }
        return messages
    }

    /// A self-signed certificate for 127.0.0.1 and localhost (openssl command line), to test
    /// STARTTLS with `SMTPSettings.caCertificatePath` pointing at the certificate.
    public static func makeSelfSignedCertificate(in folder: String) throws -> (certificate: String, key: String) {
        let certificate = (folder as NSString).appendingPathComponent("smtp-cert.pem")
        let key = (folder as NSString).appendingPathComponent("smtp-key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                             "-keyout", key, "-out", certificate, "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SMTPTestServerError(description: "openssl could not create a test certificate")
        }
        return (certificate, key)
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stdinPipe?.fileHandleForWriting.close()
    }
}

public struct SMTPTestServerError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

// MARK: - Reading messages back with an independent parser
// (Kept in this file because it is the mail-test support shared by several test targets.)

/// A message as Python's `email` package (policy.default) understands it: an independent
/// parser, so the tests check the bytes against the standards rather than against our own reader.
public struct ParsedEmail {
    public let json: [String: Any]

    public var keys: [String] { json["keys"] as? [String] ?? [] }
    public var subject: String? { json["subject"] as? String }
    public var contentType: String? { json["content_type"] as? String }
    public var messageID: String? { json["message_id"] as? String }
    public var listUnsubscribe: String? { json["list_unsubscribe"] as? String }
    public var timestamp: Double? { json["timestamp"] as? Double }
    public var defects: [String] { json["defects"] as? [String] ?? [] }
    /// Bodies as decoded by Python, with CRLF turned back into "\n" (MIME text is CRLF on the wire).
    public var text: String? { (json["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") }
    public var html: String? { (json["html"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") }
    public var partTypes: [String] { json["part_types"] as? [String] ?? [] }

    public func header(_ name: String) -> String? {
        (json["headers"] as? [[String]])?.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    public func addresses(_ header: String) -> [(name: String, address: String)] {
        ((json["addresses"] as? [String: Any])?[header.lowercased()] as? [[String]] ?? []).map { ($0[0], $0[1]) }
    }

    /// The whole header value ("Name <address>") decoded by the RFC 2047 legacy decoder.
    public func legacyAddress(_ header: String) -> String? {
        (json["legacy_addresses"] as? [String: String])?[header.lowercased()]
    }

    public var attachments: [(filename: String?, contentType: String, data: Data)] {
        (json["attachments"] as? [[String: Any]] ?? []).map {
            ($0["filename"] as? String, $0["content_type"] as? String ?? "",
             Data(base64Encoded: $0["data"] as? String ?? "") ?? Data())
        }
    }
}

public enum PythonEmail {
    public static let script = #"""
import base64, email, email.header, email.policy, email.utils, json, sys
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
defects = []
for part in msg.walk():
    defects += [repr(d) for d in part.defects]
    for name, value in part.items():
        defects += ["%s: %r" % (name, d) for d in getattr(value, "defects", [])]
addresses = {}
for name in ("from", "to", "reply-to"):
    if msg[name] is not None:
        addresses[name] = [[a.display_name, a.addr_spec] for a in msg[name].addresses]
# The legacy decoder follows RFC 2047 §6.2 (whitespace between adjacent encoded words is
# dropped) where policy.default's phrase parser keeps it: both views are checked.
legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
legacy_addresses = {}
for name in ("from", "to", "reply-to"):
    if legacy[name] is not None:
        try:
            legacy_addresses[name] = str(email.header.make_header(email.header.decode_header(legacy[name])))
        except Exception as error:
            defects.append("%s (legacy decoder): %r" % (name, error))
def body(kind):
    part = msg.get_body((kind,))
    return part.get_content() if part is not None else None
attachments = []
for part in msg.iter_attachments():
    payload = part.get_payload(decode=True)
    attachments.append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                        "data": base64.b64encode(payload).decode()})
date = msg["date"]
out = {
    "keys": list(msg.keys()),
    "headers": [[k, str(v)] for k, v in msg.items()],
    "subject": str(msg["subject"]) if msg["subject"] is not None else None,
    "message_id": str(msg["message-id"]) if msg["message-id"] is not None else None,
    "list_unsubscribe": str(msg["list-unsubscribe"]) if msg["list-unsubscribe"] is not None else None,
    "timestamp": email.utils.parsedate_to_datetime(str(date)).timestamp() if date is not None else None,
    "content_type": msg.get_content_type(),
    "part_types": [p.get_content_type() for p in msg.walk()],
    "addresses": addresses,
    "legacy_addresses": legacy_addresses,
    "text": body("plain"),
    "html": body("html"),
    "attachments": attachments,
    "defects": defects,
}
print(json.dumps(out))
"""#

    public static func parse(_ message: Data) throws -> ParsedEmail {
        let folder = TemporaryDirectory()
        let file = folder.file("message.eml")
        try message.write(to: URL(fileURLWithPath: file))
        let result = try run(["python3", "-c", script, file])
        guard result.status == 0,
              let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw TestHTTPError(description: "python email parser failed (\(result.status)):\n\(result.stderr)")
        }
        return ParsedEmail(json: json)
    }

    /// Runs a command found on PATH and collects its output.
    public static func run(_ arguments: [String], stdin: Data = Data()) throws -> CommandResult {
        try ChildProcess.run(executable: "/usr/bin/env", arguments, stdin: stdin)
    }
}
