import CCurl
import Foundation

/// One transfer through libcurl's easy interface, as the SMTP and Kannel transports make them:
/// each delivery has its own handle (deliveries from several threads never share state), its
/// error buffer, and the options every Relais transfer shares. An option that fails stops the
/// later ones, and `perform` then answers that failure instead of transferring.
/// Only this module calls CCurl's shim: its functions keep the opened library in static
/// variables, of which every module importing the header compiles its own copy.
public final class CurlEasy {
    /// libcurl opened (on first use: see CCurl's shim.h, a daemon that never sends through it does
    /// not load it), then curl_global_init, which is not thread-safe and must run once before any
    /// handle exists; a static let is initialised once, under a lock. Nil when ready, else why not.
    public static let unavailable: String? = {
        if let failure = relais_curl_load() { return "libcurl cannot be loaded (is libcurl4 installed?): \(String(cString: failure))" }
        let code = relais_curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return code == CURLE_OK ? nil : "libcurl failed to initialise: \(text(code))"
    }()

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The lists given to options, freed after the handle.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    /// The first option that failed, or CURLE_OK.
    public private(set) var code = CURLE_OK

    /// A handle for `url` with the shared options: no signals (timeouts in a multithreaded daemon,
    /// libcurl's "NOSIGNAL"), no proxy (the configured server is reached directly: proxy variables
    /// are for web traffic), the error buffer, and `timeoutSeconds` to connect and in all.
    /// Throws `unavailable`'s reason, or that no handle could be made.
    public init(url: String, timeoutSeconds: Int) throws(CurlUnavailable) {
        if let reason = Self.unavailable { throw CurlUnavailable(reason: reason) }
        guard let handle = relais_curl_easy_init() else { throw CurlUnavailable(reason: "libcurl could not create a handle") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        set(CURLOPT_URL, url)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_PROXY, "")
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        set(CURLOPT_CONNECTTIMEOUT, max(1, timeoutSeconds))
        set(CURLOPT_TIMEOUT, max(1, timeoutSeconds))
    }

    deinit {
        relais_curl_easy_cleanup(handle)
        for list in lists { relais_curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    public func set(_ option: CURLoption, _ value: Int) { apply { relais_curl_setopt_long($0, option, value) } }
    public func set(_ option: CURLoption, _ value: String) { apply { relais_curl_setopt_string($0, option, value) } }
    public func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) { apply { relais_curl_setopt_pointer($0, option, pointer) } }

    /// A list option (CURLOPT_MAIL_RCPT…); the list lives as long as the handle.
    public func set(_ option: CURLoption, list items: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items {
            guard let longer = relais_curl_slist_append(list, item) else {
                if let list { relais_curl_slist_free_all(list) }
                apply { _ in CURLE_OUT_OF_MEMORY }
                return
            }
            list = longer
        }
        guard let list else { return }
        lists.append(list)
        set(option, pointer: UnsafeMutableRawPointer(list))
    }

    /// The callbacks, plain C functions (they cannot capture context: it comes through the
    /// matching *DATA option).
    public func setReadFunction(_ callback: relais_curl_read_callback) { apply { relais_curl_setopt_read_function($0, callback) } }
    public func setWriteFunction(_ callback: relais_curl_write_callback) { apply { relais_curl_setopt_write_function($0, callback) } }
    public func setDebugFunction(_ callback: relais_curl_debug_callback) { apply { relais_curl_setopt_debug_function($0, callback) } }

    private func apply(_ setting: (UnsafeMutableRawPointer) -> CURLcode) {
        if code == CURLE_OK { code = setting(handle) }
    }

    /// Transfers, or answers the option that failed.
    public func perform() -> CURLcode {
        code == CURLE_OK ? relais_curl_easy_perform(handle) : code
    }

    /// The last reply code of the server (HTTP status, SMTP reply), 0 when none came.
    public var responseCode: Int {
        var value = 0
        _ = relais_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }

    /// What libcurl wrote in the error buffer about the last failure, trimmed.
    public var errorDetail: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// libcurl's words for a result code.
    public static func text(_ code: CURLcode) -> String { String(cString: relais_curl_easy_strerror(code)) }
}

/// libcurl could not be used at all (not installed, not initialised, out of handles).
public struct CurlUnavailable: Error {
    public var reason: String
}
