import Foundation
import RelaisDomain

/// One documented key: its dotted name (as in the YAML file), how to read it, where it goes.
struct ConfigurationKey: Sendable {
    let name: String
    let apply: @Sendable (inout Configuration, String) throws(KeyError) -> Void

    /// RELAIS_ + the name in capitals with dots as underscores: http.port → RELAIS_HTTP_PORT.
    var environmentName: String { "RELAIS_" + name.uppercased().replacingOccurrences(of: ".", with: "_") }
}

struct KeyError: Error {
    var reason: String
}

extension ConfigurationKey {
    static func string(_ name: String, _ path: WritableKeyPath<Configuration, String> & Sendable, nonEmpty: Bool = true) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            if nonEmpty && raw.isEmpty { throw KeyError(reason: "must not be empty") }
            config[keyPath: path] = raw
        }
    }

    static func optionalString(_ name: String, _ path: WritableKeyPath<Configuration, String?> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in config[keyPath: path] = raw.isEmpty ? nil : raw }
    }

    static func integer(_ name: String, _ path: WritableKeyPath<Configuration, Int> & Sendable, _ range: ClosedRange<Int>) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            guard let value = Int(raw), range.contains(value) else {
                throw KeyError(reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(raw)'")
            }
            config[keyPath: path] = value
        }
    }

    static func boolean(_ name: String, _ path: WritableKeyPath<Configuration, Bool> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            switch raw.lowercased() {
            case "true", "yes", "on", "1": config[keyPath: path] = true
            case "false", "no", "off", "0": config[keyPath: path] = false
            default: throw KeyError(reason: "expected true or false, got '\(raw)'")
            }
        }
    }

    static func choice(_ name: String, _ path: WritableKeyPath<Configuration, String> & Sendable, _ allowed: [String]) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            guard allowed.contains(raw) else {
                throw KeyError(reason: "expected one of \(allowed.joined(separator: ", ")), got '\(raw)'")
            }
            config[keyPath: path] = raw
        }
    }

    static func timeZone(_ name: String, _ path: WritableKeyPath<Configuration, TimeZoneIdentifier> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            guard let zone = TimeZoneIdentifier(raw) else {
                throw KeyError(reason: "'\(raw)' is not an IANA time zone such as Europe/Paris")
            }
            config[keyPath: path] = zone
        }
    }

    static func clockTime(_ name: String, _ path: WritableKeyPath<Configuration, String> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            guard SendingWindow.minutes(raw) != nil else { throw KeyError(reason: "expected a local time HH:MM such as 09:00, got '\(raw)'") }
            config[keyPath: path] = raw
        }
    }

    static func dayList(_ name: String, _ path: WritableKeyPath<Configuration, String> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            guard SendingWindow.days(raw) != nil else {
                throw KeyError(reason: "expected days such as mon-sat or mon,tue,thu (mon tue wed thu fri sat sun), got '\(raw)'")
            }
            config[keyPath: path] = raw
        }
    }

    static func monthDay(_ name: String, _ path: WritableKeyPath<Configuration, String> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            guard CalendarDate(iso: "2024-" + raw) != nil else { throw KeyError(reason: "expected a day of the year MM-DD such as 01-15, got '\(raw)'") }
            // A yearly date must exist every year: 29 February would fire one year in four.
            guard CalendarDate(iso: "2023-" + raw) != nil else {
                throw KeyError(reason: "'\(raw)' does not exist every year (29 February comes one year in four): choose a day that exists every year, such as 02-28 or 03-01")
            }
            config[keyPath: path] = raw
        }
    }

    /// Text shown to people (letters): no control character but line breaks when `multiLine`,
    /// at most `maxLength` characters; empty is none.
    static func optionalText(_ name: String, _ path: WritableKeyPath<Configuration, String?> & Sendable, multiLine: Bool,
                             maxLength: Int) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let problem = multiLine ? TextRules.multiLineProblem(text, maxLength: maxLength) : TextRules.oneLineProblem(text, maxLength: maxLength)
            if problem != nil {
                throw KeyError(reason: "expected \(multiLine ? "text" : "one line of text") of at most \(maxLength) characters without control characters")
            }
            config[keyPath: path] = text.isEmpty ? nil : text
        }
    }

    /// A list: a YAML sequence, or one value with commas (as in an environment variable).
    static func list(_ name: String, _ path: WritableKeyPath<Configuration, [String]> & Sendable,
                     check: @escaping @Sendable (String) -> String?) -> ConfigurationKey {
        ConfigurationKey(name: name) { config, raw throws(KeyError) in
            let items = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for item in items { if let reason = check(item) { throw KeyError(reason: reason) } }
            config[keyPath: path] = items
        }
    }

    /// Every key of the file, in the order config/relais.yaml documents them.
    static let all: [ConfigurationKey] = [
        .string("data_dir", \.dataDir),
        .string("protocols_dir", \.protocolsDir),
        .string("http.host", \.httpHost),
        .integer("http.port", \.httpPort, 0...65535),
        .integer("http.threads", \.httpThreads, 0...256),
        .integer("http.connection_timeout_seconds", \.httpConnectionTimeoutSeconds, 1...3600),
        .integer("http.request_head_timeout_seconds", \.httpRequestHeadTimeoutSeconds, 1...600),
        .integer("http.request_body_timeout_seconds", \.httpRequestBodyTimeoutSeconds, 1...3600),
        .integer("http.connection_limit", \.httpConnectionLimit, 1...100_000),
        .integer("http.per_ip_connection_limit", \.httpPerIPConnectionLimit, 1...100_000),
        .integer("http.connection_memory_limit_bytes", \.httpConnectionMemoryLimitBytes, 16 * 1024...16 * 1024 * 1024),
        .integer("http.max_body_bytes", \.httpMaxBodyBytes, 1024...1024 * 1024 * 1024),
        .optionalString("http.tls_certificate_file", \.httpTLSCertificateFile),
        .optionalString("http.tls_key_file", \.httpTLSKeyFile),
        .boolean("http.allow_plain_http_on_lan", \.httpAllowPlainHTTPOnLAN),
        .list("http.trusted_proxies", \.httpTrustedProxies) { item in
            NetworkText.isAddressOrNetwork(item) ? nil : "expected numeric addresses or networks such as 127.0.0.1 or 10.0.0.0/8, got '\(item)'"
        },
        .optionalString("http.public_base_url", \.publicBaseURL),
        .integer("security.session_idle_minutes", \.sessionIdleMinutes, 1...24 * 60),
        .integer("security.login_max_failures", \.loginMaxFailures, 1...1000),
        .integer("security.login_window_minutes", \.loginWindowMinutes, 1...24 * 60),
        .integer("security.audit_retention_days", \.auditRetentionDays, 30...36500),
        .string("structure.name", \.structureName),
        .optionalText("structure.address", \.structureAddress, multiLine: true, maxLength: 500),
        .optionalText("structure.phone", \.structurePhone, multiLine: false, maxLength: 40),
        .timeZone("structure.time_zone", \.timeZone),
        .choice("structure.language", \.language, ["fr", "en"]),
        .choice("log.level", \.logLevel, ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        .choice("mail.transport", \.mailTransport, ["maildir", "smtp", "sendmail"]),
        .string("mail.from", \.mailFrom),
        .optionalString("mail.from_name", \.mailFromName),
        .optionalString("mail.reply_to", \.mailReplyTo),
        .optionalString("mail.smtp.host", \.smtpHost),
        .integer("mail.smtp.port", \.smtpPort, 1...65535),
        .choice("mail.smtp.security", \.smtpSecurity, ["starttls", "tls", "none"]),
        .optionalString("mail.smtp.username", \.smtpUsername),
        .optionalString("mail.smtp.password", \.smtpPassword),
        .integer("mail.smtp.timeout_seconds", \.smtpTimeoutSeconds, 1...600),
        .string("mail.sendmail.command", \.sendmailCommand),
        .clockTime("mail.send_from", \.mailSendFrom),
        .clockTime("mail.send_until", \.mailSendUntil),
        .dayList("mail.send_days", \.mailSendDays),
        .integer("mail.sweep_interval_seconds", \.mailSweepIntervalSeconds, 5...3600),
        .integer("mail.max_attempts", \.mailMaxAttempts, 1...50),
        .integer("mail.stale_after_days", \.mailStaleAfterDays, 1...365),
        .integer("mail.retry_first_seconds", \.mailFirstRetrySeconds, 10...86400),
        .optionalString("mail.templates_dir", \.mailTemplatesDir),
        .monthDay("mail.evaluation_reminder_date", \.evaluationReminderDate),
        .boolean("sms.enabled", \.smsEnabled),
        .choice("sms.transport", \.smsTransport, ["spool", "kannel"]),
        .optionalString("sms.sender", \.smsSender),
        .clockTime("sms.send_from", \.smsSendFrom),
        .clockTime("sms.send_until", \.smsSendUntil),
        .dayList("sms.send_days", \.smsSendDays),
        .boolean("sms.skip_public_holidays", \.smsSkipPublicHolidays),
        .integer("sms.reminder_days_before", \.smsReminderDaysBefore, 1...2),
        .optionalString("sms.templates_dir", \.smsTemplatesDir),
        .string("sms.kannel.url", \.kannelURL),
        .optionalString("sms.kannel.username", \.kannelUsername),
        .optionalString("sms.kannel.password", \.kannelPassword),
        .optionalString("sms.kannel.smsc", \.kannelSMSC),
        .integer("sms.kannel.dlr_mask", \.kannelDLRMask, 0...31),
        .optionalString("sms.kannel.dlr_base_url", \.kannelDLRBaseURL),
        .optionalString("sms.kannel.dlr_secret", \.kannelDLRSecret),
        .integer("sms.kannel.timeout_seconds", \.kannelTimeoutSeconds, 1...600),
        .integer("questionnaire.token_days", \.questionnaireTokenDays, 1...365),
        .integer("evaluation.reduced_threshold_percent", \.reducedThresholdPercent, 1...100),
        .integer("evaluation.co_window_days", \.coWindowDays, 0...30),
        .integer("evaluation.entry_slack_days", \.entrySlackDays, 0...365),
    ]
}
