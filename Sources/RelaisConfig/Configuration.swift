import Foundation
import RelaisDomain

/// Everything an installation can set. The defaults are the embedded configuration: a new
/// install runs with no file at all (data under ./var, listening on 127.0.0.1:8080).
public struct Configuration: Sendable, Equatable {
    public var dataDir = "./var"
    public var protocolsDir = "./Protocols"

    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// 0: one worker per core (`effectiveHTTPThreads`).
    public var httpThreads = 0
    public var httpConnectionTimeoutSeconds = 30
    public var httpRequestHeadTimeoutSeconds = 10
    public var httpRequestBodyTimeoutSeconds = 30
    public var httpConnectionLimit = 1024
    public var httpPerIPConnectionLimit = 256
    /// Addresses or CIDR networks of reverse proxies whose X-Forwarded-For is believed.
    public var httpTrustedProxies: [String] = []
    public var httpConnectionMemoryLimitBytes = 128 * 1024
    public var httpMaxBodyBytes = 1024 * 1024
    public var httpTLSCertificateFile: String?
    public var httpTLSKeyFile: String?
    public var httpAllowPlainHTTPOnLAN = false
    public var publicBaseURL: String?

    public var sessionIdleMinutes = 30
    public var loginMaxFailures = 5
    public var loginWindowMinutes = 15
    public var auditRetentionDays = 1095

    public var structureName = "Structure de démonstration"
    /// The structure's postal address, one line each (printed letters carry it).
    public var structureAddress: String?
    /// The structure's phone number, for participants (printed letters carry it).
    public var structurePhone: String?
    /// Parsed once, when the configuration is read: every layer is handed this `TimeZone`.
    public var timeZone = TimeZoneIdentifier.europeParis
    public var language = "fr"

    public var logLevel = "info"

    public var mailTransport = "maildir"
    public var mailFrom = "relais@localhost"
    public var mailFromName: String?
    public var mailReplyTo: String?
    public var smtpHost: String?
    public var smtpPort = 587
    public var smtpSecurity = "starttls"
    public var smtpUsername: String?
    public var smtpPassword: String?
    public var smtpTimeoutSeconds = 30
    public var sendmailCommand = "/usr/sbin/sendmail -i"
    public var mailSendFrom = "09:00"
    public var mailSendUntil = "19:00"
    public var mailSendDays = "mon-sat"
    public var mailSweepIntervalSeconds = 60
    public var mailMaxAttempts = 6
    /// Messages whose moment passed more than this many days before they are written are not sent.
    public var mailStaleAfterDays = 14
    /// An assessment may be dated at most this many days before the participant's first programme
    /// (and belongs to a programme that begins at most this many days after it).
    public var entrySlackDays = 30
    public var mailFirstRetrySeconds = 300
    public var mailTemplatesDir: String?
    public var evaluationReminderDate = "01-15"
    public var questionnaireTokenDays = 60
    /// Percent fewer cigarettes per day than at entry that count as "reduced".
    public var reducedThresholdPercent = 50
    /// The CO reading of the programme nearest to a status date, at most this many days away, validates it.
    public var coWindowDays = 7

    /// SMS: off entirely with `sms.enabled: false` (participants are then reached by email or by phone).
    public var smsEnabled = true
    /// `spool` (files under <data_dir>/sms/new, the embedded default) or `kannel`.
    public var smsTransport = "spool"
    /// The sender shown on phones; by default made from `structure.name` (`SMSText.senderName`).
    public var smsSender: String?
    public var smsSendFrom = "09:00"
    public var smsSendUntil = "19:00"
    public var smsSendDays = "mon-sat"
    /// No SMS on French public holidays (whatever their weekday).
    public var smsSkipPublicHolidays = true
    /// The SMS reminder of a session or consultation goes this many days before it: 1 or 2.
    public var smsReminderDaysBefore = 2
    public var smsTemplatesDir: String?
    public var kannelURL = "http://127.0.0.1:13013/cgi-bin/sendsms"
    public var kannelUsername: String?
    public var kannelPassword: String?
    public var kannelSMSC: String?
    public var kannelDLRMask = 27
    /// Where Kannel reaches Relais for delivery reports; by default the address the daemon serves.
    public var kannelDLRBaseURL: String?
    /// The secret in the delivery-report address; by default derived from a key kept beside the database.
    public var kannelDLRSecret: String?
    public var kannelTimeoutSeconds = 30

    /// `instruments.<id>.band_scheme` and `instruments.<id>.parameters.<name>`, checked
    /// against the instrument files when they load.
    public var instrumentSettings: [String: String] = [:]

    public init() {}

    public var sqlitePath: String { (dataDir as NSString).appendingPathComponent("relais.sqlite") }
    public var usesTLS: Bool { httpTLSCertificateFile != nil && httpTLSKeyFile != nil }

    /// The address people type; derived from the listening address when not set.
    public var effectivePublicBaseURL: String {
        if let publicBaseURL { return publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL }
        let host = httpHost.contains(":") ? "[\(httpHost)]" : httpHost
        return "\(usesTLS ? "https" : "http")://\(host):\(httpPort)"
    }

    /// Cookies get `Secure` when the daemon is reached over HTTPS, directly or through a proxy.
    public var secureCookies: Bool { usesTLS || effectivePublicBaseURL.hasPrefix("https://") }

    /// The maildir of the embedded transport, under the data folder.
    public var maildirPath: String { (dataDir as NSString).appendingPathComponent("maildir") }
    /// Mail templates: `mail.templates_dir`, else `mail/` in the protocols folder.
    public var effectiveMailTemplatesDir: String { mailTemplatesDir ?? (protocolsDir as NSString).appendingPathComponent("mail") }

    /// The quiet-hours rule as a value of the domain.
    public var sendingWindow: SendingWindow {
        SendingWindow(opens: SendingWindow.minutes(mailSendFrom) ?? 9 * 60, closes: SendingWindow.minutes(mailSendUntil) ?? 19 * 60,
                      days: SendingWindow.days(mailSendDays) ?? Set(1...6), timeZone: timeZone.zone)
    }

    /// SMS files of the embedded transport, under the data folder.
    public var smsSpoolPath: String { (dataDir as NSString).appendingPathComponent("sms") }
    /// SMS templates: `sms.templates_dir`, else `sms/` in the protocols folder.
    public var effectiveSMSTemplatesDir: String { smsTemplatesDir ?? (protocolsDir as NSString).appendingPathComponent("sms") }
    /// The sender SMS show: `sms.sender`, else the structure's name as operators accept it.
    public var effectiveSMSSender: String { smsSender ?? SMSText.senderName(from: structureName) ?? "Relais" }

    /// The SMS hours as a value of the domain: closed at night, on the days left out and, by
    /// default, on French public holidays.
    public var smsWindow: SendingWindow {
        SendingWindow(opens: SendingWindow.minutes(smsSendFrom) ?? 9 * 60, closes: SendingWindow.minutes(smsSendUntil) ?? 19 * 60,
                      days: SendingWindow.days(smsSendDays) ?? Set(1...6), timeZone: timeZone.zone, closedOnPublicHolidays: smsSkipPublicHolidays)
    }

    public var reminderPolicy: ReminderPolicy {
        var policy = ReminderPolicy()
        policy.smsEnabled = smsEnabled
        policy.smsReminderDays = smsReminderDaysBefore
        policy.maxAttempts = mailMaxAttempts
        policy.firstRetrySeconds = mailFirstRetrySeconds
        policy.tokenDays = questionnaireTokenDays
        policy.staleAfterDays = mailStaleAfterDays
        return policy
    }

    public var isLoopbackHost: Bool {
        httpHost == "::1" || httpHost.hasPrefix("127.") || httpHost == "localhost"
    }
}

/// A configuration that cannot be used; the message names the key and where it came from.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var source: String
    public var reason: String

    public init(key: String, source: String, reason: String) {
        self.key = key
        self.source = source
        self.reason = reason
    }

    public var description: String { "configuration key '\(key)' (\(source)): \(reason)" }
}

extension Configuration {
    /// The worker threads the server runs: `http.threads`, or one per core (at least 2) when 0.
    /// Measured on 2 cores with 32 clients: threads pinned to their connections answer the
    /// slowest 1 % of requests about a third sooner with 2 workers than with 8.
    public var effectiveHTTPThreads: Int {
        httpThreads > 0 ? httpThreads : max(2, ProcessInfo.processInfo.activeProcessorCount)
    }
}
