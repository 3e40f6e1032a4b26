import Foundation
import RelaisDomain
import Yams

/// Builds a `Configuration` from, in increasing precedence: the embedded defaults, a YAML
/// file, `RELAIS_*` environment variables. Unknown keys are refused (a typo would otherwise
/// silently leave a default in force) and every error names the key and its source.
public enum ConfigurationLoader {
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        var config = Configuration()
        let keys = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.map { ($0.name, $0) })
        if let file {
            let source = "file \(file)"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(key: "-", source: source, reason: "cannot be read")
            }
            for (name, value) in try flatten(yaml: text, source: source) {
                if name.hasPrefix("instruments.") {
                    config.instrumentSettings[String(name.dropFirst("instruments.".count))] = value
                    continue
                }
                guard let key = keys[name] else {
                    throw ConfigurationError(key: name, source: source, reason: "unknown key; see config/relais.yaml for the documented keys")
                }
                try apply(key, value, to: &config, source: source)
            }
        }
        for key in ConfigurationKey.all {
            if let value = environment[key.environmentName] {
                try apply(key, value, to: &config, source: "environment variable \(key.environmentName)")
            }
        }
        try validate(config)
        return config
    }

    /// The documented environment variable of every key.
    public static var environmentVariables: [(key: String, variable: String)] {
        ConfigurationKey.all.map { ($0.name, $0.environmentName) }
    }

    private static func apply(_ key: ConfigurationKey, _ value: String, to config: inout Configuration, source: String) throws {
        do {
            try key.apply(&config, value.trimmingCharacters(in: .whitespaces))
        } catch {
            throw ConfigurationError(key: key.name, source: source, reason: error.reason)
        }
    }

    /// Rules between keys.
    public static func validate(_ config: Configuration) throws {
        if (config.httpTLSCertificateFile == nil) != (config.httpTLSKeyFile == nil) {
            throw ConfigurationError(key: config.httpTLSCertificateFile == nil ? "http.tls_certificate_file" : "http.tls_key_file",
                                     source: "configuration", reason: "TLS needs both a certificate file and a key file")
        }
        if !config.isLoopbackHost && !config.usesTLS && !config.httpAllowPlainHTTPOnLAN {
            throw ConfigurationError(key: "http.host", source: "configuration", reason: """
                listening on \(config.httpHost) would expose health data without encryption: set \
                http.tls_certificate_file and http.tls_key_file, or set http.allow_plain_http_on_lan: true \
                when a TLS reverse proxy is in front
                """)
        }
        if let url = config.publicBaseURL, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ConfigurationError(key: "http.public_base_url", source: "configuration",
                                     reason: "expected an http:// or https:// address, got '\(url)'")
        }
        if config.mailTransport == "smtp" && config.smtpHost == nil {
            throw ConfigurationError(key: "mail.smtp.host", source: "configuration", reason: "required when mail.transport is smtp")
        }
        if (config.smtpUsername == nil) != (config.smtpPassword == nil) {
            throw ConfigurationError(key: "mail.smtp.password", source: "configuration", reason: "SMTP authentication needs both a username and a password")
        }
        if SendingWindow.minutes(config.mailSendFrom)! >= SendingWindow.minutes(config.mailSendUntil)! {
            throw ConfigurationError(key: "mail.send_until", source: "configuration",
                                     reason: "must be later than mail.send_from (\(config.mailSendFrom))")
        }
        if SendingWindow.minutes(config.smsSendFrom)! >= SendingWindow.minutes(config.smsSendUntil)! {
            throw ConfigurationError(key: "sms.send_until", source: "configuration", reason: "must be later than sms.send_from (\(config.smsSendFrom))")
        }
        if let sender = config.smsSender, !SMSText.isValidSender(sender) {
            throw ConfigurationError(key: "sms.sender", source: "configuration", reason: """
                expected at most 11 letters (without accents), digits and spaces with at least one letter, such as CSAPA Nord, \
                or a number of 3 to 15 digits, got '\(sender)'
                """)
        }
        if config.smsEnabled && config.smsTransport == "kannel" {
            for (key, value) in [("sms.kannel.username", config.kannelUsername), ("sms.kannel.password", config.kannelPassword)] where value == nil {
                throw ConfigurationError(key: key, source: "configuration", reason: "required when sms.transport is kannel (a sendsms-user of the smsbox)")
            }
        }
        for (key, url) in [("sms.kannel.url", config.kannelURL as String?), ("sms.kannel.dlr_base_url", config.kannelDLRBaseURL)] {
            if let url, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true || URL(string: url)?.host == nil {
                throw ConfigurationError(key: key, source: "configuration", reason: "expected an http:// or https:// address, got '\(url)'")
            }
        }
        if let secret = config.kannelDLRSecret, secret.count < 16 || !secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            throw ConfigurationError(key: "sms.kannel.dlr_secret", source: "configuration",
                                     reason: "expected at least 16 letters, digits, '-' or '_' (it is part of an address)")
        }
        // The rule the transports apply (`EmailAddress`): a sender they would refuse stops Relais here.
        for (key, address) in [("mail.from", config.mailFrom), ("mail.reply_to", config.mailReplyTo)] {
            if let address, let problem = EmailAddress.deliveryProblem(address) {
                throw ConfigurationError(key: key, source: "configuration",
                                         reason: "expected an ASCII email address such as relais@example.org (\(problem)), got '\(address)'")
            }
        }
    }

    /// The YAML mapping as dotted keys and scalar values; null values are left out (default kept).
    static func flatten(yaml: String, source: String) throws -> [(String, String)] {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(key: "-", source: source, reason: "not valid YAML: \(error)")
        }
        guard let node else { return [] }
        var result: [(String, String)] = []
        try walk(node, prefix: "", source: source, into: &result)
        return result
    }

    private static func walk(_ node: Node, prefix: String, source: String, into result: inout [(String, String)]) throws {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw ConfigurationError(key: prefix.isEmpty ? "-" : prefix, source: source, reason: "keys must be plain names")
                }
                try walk(value, prefix: prefix.isEmpty ? name : "\(prefix).\(name)", source: source, into: &result)
            }
        case .scalar(let scalar):
            if prefix.isEmpty { throw ConfigurationError(key: "-", source: source, reason: "expected a mapping of keys") }
            // YAML 1.2 core schema nulls: ~, null, Null, NULL or nothing, when not quoted.
            if scalar.tag == Tag(.null) || ["~", "", "null", "Null", "NULL"].contains(scalar.string) && scalar.style == .plain { return }
            result.append((prefix, scalar.string))
        case .sequence(let sequence):
            // A list of plain values is passed on with commas (the form an environment variable takes).
            var items: [String] = []
            for element in sequence {
                guard case .scalar(let scalar) = element, !scalar.string.contains(",") else {
                    throw ConfigurationError(key: prefix.isEmpty ? "-" : prefix, source: source, reason: "expected a list of plain values")
                }
                items.append(scalar.string)
            }
            result.append((prefix, items.joined(separator: ",")))
        case .alias:
            throw ConfigurationError(key: prefix.isEmpty ? "-" : prefix, source: source, reason: "expected a single value, not an alias")
        }
    }
}
