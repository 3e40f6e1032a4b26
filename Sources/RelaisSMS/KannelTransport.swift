import CCurl
import CurlEasy
import Foundation
import RelaisDomain

public struct KannelSettings: Sendable {
    /// The smsbox's sendsms address, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`.
    public var url: String
    /// A `sendsms-user` of the smsbox.
    public var username: String
    public var password: String
    /// Which reports to ask for (Kannel's `dlr-mask`): 1 delivered, 2 not delivered, 8 accepted by
    /// the operator's centre, 16 refused by it; 27 asks for all four, 0 for none.
    public var dlrMask: Int
    /// The route (`smsc-id`) to force, when the gateway has several; nil lets it choose.
    public var smsc: String?
    public var timeoutSeconds: Int
    /// The address the gateway calls back with a report of one message (its `reference`), with
    /// Kannel's `%d` (report type) and `%A` (the operator's answer) left in it; nil: no reports.
    public var deliveryReportURL: (@Sendable (_ reference: String) -> String)?

    public init(url: String, username: String, password: String, dlrMask: Int = 27, smsc: String? = nil, timeoutSeconds: Int = 30,
                deliveryReportURL: (@Sendable (_ reference: String) -> String)? = nil) {
        self.url = url
        self.username = username
        self.password = password
        self.dlrMask = dlrMask
        self.smsc = smsc
        self.timeoutSeconds = timeoutSeconds
        self.deliveryReportURL = deliveryReportURL
    }
}

/// Sends through a Kannel gateway: an HTTP GET of the smsbox's `/cgi-bin/sendsms` (libcurl), with
/// the sendsms user's name and password, the sender, the number and the text in UTF-8 (GSM-7 or
/// UCS-2 coding, as `SMSText` counts it), and a delivery-report address back to Relais. The
/// smsbox hands it to the bearerbox, which queues it for the operator (SMPP, HTTP…) and keeps it
/// across its own restarts; its answer `202 0: Accepted for delivery` (or `3: Queued for later
/// delivery`) is the hand-over. A gateway that cannot be reached, or refuses the login, fails
/// every message alike: the sweep stops sending SMS until the next one.
public struct KannelTransport: SMSTransport {
    public let name = "kannel"
    public let settings: KannelSettings

    public init(settings: KannelSettings) {
        self.settings = settings
    }

    /// The sendsms request for `message`.
    public func requestURL(_ message: SMSMessage) -> String {
        let length = message.length
        var parameters: [(String, String)] = [
            ("username", settings.username), ("password", settings.password), ("from", message.from), ("to", message.to),
            ("text", message.text), ("charset", "UTF-8"), ("coding", length.encoding == .gsm7 ? "0" : "2"),
        ]
        if let smsc = settings.smsc { parameters.append(("smsc", smsc)) }
        if settings.dlrMask > 0, let url = settings.deliveryReportURL?(message.reference) {
            parameters += [("dlr-mask", String(settings.dlrMask)), ("dlr-url", url)]
        }
        let query = parameters.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        return settings.url + (settings.url.contains("?") ? "&" : "?") + query
    }

    /// Percent-encoding of a query value: everything but the unreserved characters.
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    public func send(_ message: SMSMessage) throws(SMSDeliveryError) {
        try message.validate()
        guard settings.url.hasPrefix("http://") || settings.url.hasPrefix("https://") else {
            throw SMSDeliveryError(reason: "invalid Kannel sendsms address '\(settings.url.prefix(200))'", failure: .gatewayUnreachable)
        }
        let transfer: CurlEasy
        do { transfer = try CurlEasy(url: requestURL(message), timeoutSeconds: settings.timeoutSeconds) }
        catch { throw SMSDeliveryError(reason: error.reason, failure: .localFailure) }
        let body = ResponseBody()
        transfer.set(CURLOPT_HTTPGET, 1)
        transfer.set(CURLOPT_FOLLOWLOCATION, 0)
        transfer.setWriteFunction(relaisSMSWriteCallback)
        transfer.set(CURLOPT_WRITEDATA, pointer: Unmanaged.passUnretained(body).toOpaque())
        let result = withExtendedLifetime(body) { transfer.perform() }
        // The address in errors without the query: it holds the password and the text.
        let gateway = settings.url
        guard result == CURLE_OK else {
            let detail = transfer.errorDetail
            let reason = "Kannel sendsms at \(gateway) failed: \(CurlEasy.text(result))\(detail.isEmpty ? "" : " (\(detail))")"
            let failure: DeliveryFailure = switch result {
            case CURLE_OPERATION_TIMEDOUT: .timeout
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .gatewayUnreachable
            default: .transportFailed
            }
            throw SMSDeliveryError(reason: reason, failure: failure)
        }
        let status = transfer.responseCode
        let answer = body.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)
        switch status {
        case 200...299:
            // "0: Accepted for delivery", "3: Queued for later delivery"; "4: …" is a refusal given with 202 by some versions.
            if answer.hasPrefix("4:") {
                throw SMSDeliveryError(reason: "Kannel refused the SMS: \(answer)", isPermanent: true, failure: .gatewayRefused)
            }
            return
        case 401, 403:
            // The login of the sendsms user: the configuration is wrong, every message alike.
            throw SMSDeliveryError(reason: "Kannel refused the login of '\(settings.username)' (\(status) \(answer))", isPermanent: false,
                                   concernsTransport: true, failure: .gatewayRefused)
        case 400...499:
            let number = answer.localizedCaseInsensitiveContains("receiver") || answer.localizedCaseInsensitiveContains("number")
            throw SMSDeliveryError(reason: "Kannel refused the SMS (\(status) \(answer))", isPermanent: true,
                                   failure: number ? .numberInvalid : .gatewayRefused)
        default:
            throw SMSDeliveryError(reason: "Kannel answered \(status) \(answer)", failure: .transportFailed)
        }
    }
}

/// The response body, collected by the write callback.
final class ResponseBody: @unchecked Sendable {
    var data = Data()
    var text: String { String(decoding: data.prefix(4096), as: UTF8.self) }
}

/// libcurl's write callback: appends what the gateway answered (at most 64 KB are kept).
func relaisSMSWriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let data, let userdata else { return 0 }
    let body = Unmanaged<ResponseBody>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    if body.data.count < 65536 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) { body.data.append($0, count: length) }
    }
    return length
}
