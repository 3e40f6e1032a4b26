import CCurl
import CurlEasy
import Foundation
import RelaisDomain

public enum SMTPSecurity: String, Sendable, CaseIterable {
    /// Plain SMTP: for a relay on loopback or a trusted local network only.
    case none
    /// STARTTLS on the submission port (587), required: the delivery fails rather than
    /// falling back to plain text.
    case startTLS
    /// Implicit TLS from the first byte (smtps, port 465).
    case tls
}

public struct SMTPSettings: Sendable {
    public var host: String
    public var port: Int
    public var security: SMTPSecurity
    public var username: String?
    public var password: String?
    public var timeoutSeconds: Int
    /// The name given in EHLO; libcurl uses the machine's host name when nil.
    public var heloName: String?
    /// A PEM file of CA certificates to trust instead of the system's (a structure's private CA).
    public var caCertificatePath: String?

    public init(host: String, port: Int = 587, security: SMTPSecurity = .startTLS, username: String? = nil,
                password: String? = nil, timeoutSeconds: Int = 30, heloName: String? = nil,
                caCertificatePath: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeoutSeconds = timeoutSeconds
        self.heloName = heloName
        self.caCertificatePath = caCertificatePath
    }
}

/// Delivers through an SMTP server with libcurl's easy interface. Each delivery uses its own
/// easy handle and connection, so deliveries from several threads never share state.
public struct SMTPTransport: MailTransport {
    public let name = "smtp"
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    public func deliver(_ message: MailMessage) throws(MailDeliveryError) {
        try message.validateAddresses()
        let url = try url()
        let transfer: CurlEasy
        do { transfer = try CurlEasy(url: url, timeoutSeconds: settings.timeoutSeconds) }
        catch { throw MailDeliveryError(reason: error.reason) }
        let source = UploadSource(message.rendered())
        let dialogue = SMTPDialogue()
        switch settings.security {
        case .none: transfer.set(CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue))
        case .startTLS: transfer.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        case .tls: break  // smtps:// is TLS from the start.
        }
        if let ca = settings.caCertificatePath { transfer.set(CURLOPT_CAINFO, ca) }
        if let username = settings.username { transfer.set(CURLOPT_USERNAME, username) }
        if let password = settings.password { transfer.set(CURLOPT_PASSWORD, password) }
        transfer.set(CURLOPT_MAIL_FROM, "<\(message.from.renderedAddress)>")
        transfer.set(CURLOPT_MAIL_RCPT, list: ["<\(message.to.renderedAddress)>"])
        transfer.set(CURLOPT_UPLOAD, 1)
        transfer.setReadFunction(relaisMailReadCallback)
        transfer.set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(source).toOpaque())
        // libcurl reports a refused RCPT TO like any failed command (CURLE_SEND_ERROR, "RCPT failed: 451"):
        // the dialogue itself, through the debug callback, tells which command a refusal answered.
        transfer.setDebugFunction(relaisSMTPDebugCallback)
        transfer.set(CURLOPT_DEBUGDATA, pointer: Unmanaged.passUnretained(dialogue).toOpaque())
        transfer.set(CURLOPT_VERBOSE, 1)
        let result = withExtendedLifetime((source, dialogue)) { transfer.perform() }
        guard result != CURLE_OK else { return }

        let responseCode = transfer.responseCode
        let detail = transfer.errorDetail
        let failed = CurlEasy.text(result)
        var reason = "SMTP delivery to \(message.to.renderedAddress) via \(settings.host):\(settings.port) failed: \(failed)"
        if !detail.isEmpty && detail != failed { reason += " (\(MIME.sanitizeHeaderText(detail)))" }
        // The last reply code is only news when it is a refusal (a 250 just precedes a local failure).
        if responseCode >= 400 { reason += ", server replied \(responseCode)" }
        let permanent = Self.isPermanent(result, responseCode: responseCode)
        let deferred = Self.isDeferredRecipient(recipientReply: dialogue.recipientReply)
        if deferred { reason += " (recipient deferred: to retry later)" }
        throw MailDeliveryError(reason: reason, isPermanent: permanent, scope: permanent || deferred ? .message : .transport,
                                failure: Self.failure(result, responseCode: responseCode, dialogue: dialogue))
    }

    /// What staff are told: the reply to RCPT TO first (that recipient), then the command the
    /// server refused, then what libcurl says of the connection.
    static func failure(_ result: CURLcode, responseCode: Int, dialogue: SMTPDialogue) -> DeliveryFailure {
        if result == CURLE_LOGIN_DENIED || [530, 534, 535, 538].contains(responseCode) { return .authenticationFailed }
        if responseCode == 421 { return .transportFailed }
        if let reply = dialogue.recipientReply, reply >= 400 {
            guard reply >= 500 else { return .recipientDeferred }
            // RFC 3463: X.1.1 "bad destination mailbox address" (user unknown), X.1.10 "null MX";
            // RFC 5321: 551 "user not local".
            let unknown = ["5.1.1", "5.1.10"].contains(dialogue.recipientEnhancedStatus ?? "") || reply == 551
            return unknown ? .mailboxUnknown : .recipientRefused
        }
        if let refusal = dialogue.refusal, refusal.code >= 500 {
            switch refusal.command {
            case "MAIL": return .senderRefused
            case "DATA", "BDAT": return .messageRefused
            default: break
            }
        }
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: return .serverUnreachable
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT, CURLE_SSL_CRL_BADFILE:
            return .tlsFailed
        default: return .transportFailed
        }
    }

    /// RFC 5321 §4.2.1: a 4yz reply to RCPT TO defers this recipient only (greylisting 450/451,
    /// mailbox busy, 452 storage): retry this message later, the next may go through. 421 is
    /// the server closing the channel whatever the command: the transport's failure.
    static func isDeferredRecipient(recipientReply: Int?) -> Bool {
        guard let code = recipientReply else { return false }
        return (400...499).contains(code) && code != 421
    }

    /// RFC 5321 §4.2.1: 5yz replies are permanent, 4yz transient, and a connection that never got a
    /// reply is worth retrying. Authentication failures (RFC 4954: 530, 534, 535, 538) are 5yz but
    /// say the configuration is wrong, not the message: after the operator fixes it, the same
    /// message goes through, so they are not permanent.
    static func isPermanent(_ result: CURLcode, responseCode: Int) -> Bool {
        guard (500...599).contains(responseCode), result != CURLE_LOGIN_DENIED else { return false }
        return ![530, 534, 535, 538].contains(responseCode)
    }

    /// `smtp[s]://host:port[/helo-name]`: libcurl takes the EHLO name from the URL path.
    func url() throws(MailDeliveryError) -> String {
        let host = settings.host.trimmingCharacters(in: .whitespaces)
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || "/?#@".contains($0) }), host.allSatisfy(\.isASCII) else {
            throw MailDeliveryError(reason: "invalid SMTP host '\(MIME.sanitizeHeaderText(settings.host))'", failure: .serverUnreachable)
        }
        guard (1...65535).contains(settings.port) else {
            throw MailDeliveryError(reason: "invalid SMTP port \(settings.port)", failure: .serverUnreachable)
        }
        // An IPv6 literal needs brackets in a URL.
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var url = (settings.security == .tls ? "smtps://" : "smtp://") + "\(authority):\(settings.port)"
        if let helo = settings.heloName, !helo.isEmpty {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._")
            url += "/" + (helo.addingPercentEncoding(withAllowedCharacters: allowed) ?? "localhost")
        }
        return url
    }
}

/// The SMTP dialogue as libcurl's debug callback shows it (commands out, replies in), reduced
/// to what classifying a failure needs: the reply to RCPT TO, and the last refusal with the verb
/// of the command it answered. Nothing else is kept (an AUTH line carries credentials: only its
/// verb is read).
final class SMTPDialogue {
    /// The verb of the last command sent ("RCPT", "MAIL", "DATA"…), uppercased.
    private var command: String?
    /// The code of the server's reply to RCPT TO, once it came, and its enhanced status code
    /// (RFC 3463, "5.1.1") when the server gave one.
    private(set) var recipientReply: Int?
    private(set) var recipientEnhancedStatus: String?
    /// The last reply of 400 or more, and the verb of the command it answered.
    private(set) var refusal: (command: String, code: Int)?

    private static let verbs: Set<String> = ["EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT"]

    func commandSent(_ line: Substring) {
        // The lines after AUTH are credentials: they are never kept, not even in part.
        let verb = line.prefix { $0 != " " && $0 != ":" }.uppercased()
        command = Self.verbs.contains(verb) ? verb : "OTHER"
    }

    /// One reply line; a multi-line reply ends with "CODE " (RFC 5321 §4.2.1).
    func replyReceived(_ line: Substring) {
        let digits = line.prefix(3)
        guard let command, digits.count == 3, digits.allSatisfy(\.isASCII), let code = Int(digits),
              line.count == 3 || line.dropFirst(3).first == " " else { return }
        if command == "RCPT" && recipientReply == nil {
            recipientReply = code
            let status = line.dropFirst(4).prefix { $0 != " " }
            let parts = status.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }) {
                recipientEnhancedStatus = String(status)
            }
        }
        if code >= 400 { refusal = (command, code) }
    }
}

/// CURLOPT_DEBUGFUNCTION: commands go out as CURLINFO_HEADER_OUT and replies come in as
/// CURLINFO_HEADER_IN, a line or more at a time; the message body is neither.
private func relaisSMTPDebugCallback(_ handle: UnsafeMutableRawPointer?, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>?,
                                     _ size: Int, _ userdata: UnsafeMutableRawPointer?) -> Int32 {
    guard let data, let userdata, type == CURLINFO_HEADER_OUT || type == CURLINFO_HEADER_IN else { return 0 }
    let dialogue = Unmanaged<SMTPDialogue>.fromOpaque(userdata).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    // isNewline: "\r\n" is a single Character in Swift, so splitting on "\n" alone would not cut it.
    for line in text.split(whereSeparator: \.isNewline) {
        if type == CURLINFO_HEADER_OUT { dialogue.commandSent(line) } else { dialogue.replyReceived(line) }
    }
    return 0
}

/// The rendered message, handed to libcurl piece by piece.
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ data: Data) { bytes = Array(data) }
}

/// CURLOPT_READFUNCTION: a plain global function (a C function pointer cannot capture context);
/// the context arrives through CURLOPT_READDATA. Returning 0 ends the upload.
private func relaisMailReadCallback(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                                    _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let userdata else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBufferPointer { all in
        UnsafeMutableRawPointer(buffer).copyMemory(from: all.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
