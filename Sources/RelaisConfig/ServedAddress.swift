import DurableFiles
import Foundation

/// The address the daemon actually serves (scheme, host and the port it bound), recorded in the
/// data folder when it starts, so that the links written by another process (`relais send-due`,
/// `relais demo`) name it too: with `--port 0` the port is known only once bound.
public enum ServedAddress {
    /// `<data_dir>/served-address`: one line, the base URL, e.g. `http://127.0.0.1:41234`.
    public static func path(dataDir: String) -> String { (dataDir as NSString).appendingPathComponent("served-address") }

    /// The base URL of a listening address: an IPv6 host in brackets.
    public static func url(tls: Bool, host: String, port: Int) -> String {
        "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// Writes the file atomically (a temporary file, synced, then renamed over the old one), so
    /// a sweep reading it at the same moment sees the old address or the new one, never half.
    public static func record(_ url: String, dataDir: String) throws(DurableFileError) {
        let target = path(dataDir: dataDir)
        try DurableFile.write(Data((url + "\n").utf8), to: target, through: target + ".\(getpid()).tmp", mode: 0o644, exclusive: false)
    }

    /// The recorded address, or nil when the daemon never started on this data folder (or the
    /// file holds no http(s) address).
    public static func read(dataDir: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(dataDir: dataDir)) else { return nil }
        let text = String(decoding: data.prefix(2048), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else { return nil }
        return text
    }

    /// Whether people on other machines cannot open a link to `url`: its host is a loopback
    /// address (`127.0.0.1`, `::1`, `localhost`) or the "any address" a daemon binds to
    /// (`0.0.0.0`, `::`), which is not an address one can visit.
    public static func isUnreachableFromOtherMachines(_ url: String) -> Bool {
        guard let host = URL(string: url)?.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else { return true }
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1" || host == "0.0.0.0" || host == "::"
            || host == "0:0:0:0:0:0:0:1"
    }
}

extension Configuration {
    /// The base of the links Relais writes (questionnaires, calendar feeds): `http.public_base_url`
    /// when set, else the address the daemon serves (`served`, recorded at its start), else the
    /// one derived from `http.host` and `http.port`.
    public func linkBaseURL(served: String?) -> String {
        if publicBaseURL != nil { return effectivePublicBaseURL }
        if let served { return served.hasSuffix("/") ? String(served.dropLast()) : served }
        return effectivePublicBaseURL
    }

    /// The base of links for a process other than the daemon: the address the daemon recorded
    /// in this data folder when `http.public_base_url` is not set.
    public var recordedLinkBaseURL: String { linkBaseURL(served: ServedAddress.read(dataDir: dataDir)) }
}
