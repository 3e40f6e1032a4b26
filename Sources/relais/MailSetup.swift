import Foundation
import Logging
import RelaisConfig
import RelaisDomain
import RelaisMail
import RelaisSMS
import RelaisSender
import RelaisStore
import RelaisWeb

/// The configured mail transport; maildir needs no setup, which is why it is the default.
func makeTransport(_ configuration: Configuration) throws -> any MailTransport {
    switch configuration.mailTransport {
    case "smtp":
        let security: SMTPSecurity = switch configuration.smtpSecurity {
        case "tls": .tls
        case "none": .none
        default: .startTLS
        }
        return SMTPTransport(settings: SMTPSettings(host: configuration.smtpHost ?? "localhost", port: configuration.smtpPort, security: security,
                                                    username: configuration.smtpUsername, password: configuration.smtpPassword,
                                                    timeoutSeconds: configuration.smtpTimeoutSeconds))
    case "sendmail":
        return SendmailTransport(command: configuration.sendmailCommand, timeoutSeconds: configuration.smtpTimeoutSeconds)
    default:
        do {
            return try MaildirTransport(directory: configuration.maildirPath)
        } catch {
            throw ConfigurationError(key: "data_dir", source: "configuration", reason: "cannot create the maildir: \(error)")
        }
    }
}

/// The sender with its templates, checked at start: a broken template stops the daemon.
/// Links name `publicBaseURL` (the daemon's, once bound), else `http.public_base_url`, else the
/// address the daemon recorded in the data folder (`relais send-due` runs beside it).
func makeSender(_ configuration: Configuration, store: Store, instruments: InstrumentCatalog, logger: Logger,
                publicBaseURL: String? = nil) throws -> Sender {
    let templates: MailTemplates
    do {
        templates = try MailTemplates(directory: configuration.effectiveMailTemplatesDir)
    } catch {
        throw ConfigurationError(key: "mail.templates_dir", source: configuration.effectiveMailTemplatesDir, reason: error.description)
    }
    let composer = MessageComposer(
        templates: templates, structureName: configuration.structureName,
        from: MailAddress(configuration.mailFrom, displayName: configuration.mailFromName ?? configuration.structureName),
        replyTo: configuration.mailReplyTo.map { MailAddress($0) }, publicBaseURL: publicBaseURL ?? configuration.recordedLinkBaseURL,
        instrumentTitles: Dictionary(uniqueKeysWithValues: instruments.instruments.map { ($0.id, $0.definition.title) }),
        programmeTemplates: try loadTemplates(configuration, instruments: instruments))
    var sender = Sender(outbox: Outbox(store: store), transport: try makeTransport(configuration), composer: composer,
                        window: configuration.sendingWindow, policy: configuration.reminderPolicy,
                        evaluationDate: configuration.evaluationReminderDate, logger: logger)
    sender.lockPath = (configuration.dataDir as NSString).appendingPathComponent("sender.lock")
    if configuration.smsEnabled {
        let templates: SMSTemplates
        do {
            templates = try SMSTemplates(directory: configuration.effectiveSMSTemplatesDir)
        } catch {
            throw ConfigurationError(key: "sms.templates_dir", source: configuration.effectiveSMSTemplatesDir, reason: error.description)
        }
        let smsComposer = SMSComposer(templates: templates, sender: configuration.effectiveSMSSender, structureName: configuration.structureName,
                                      structurePhone: configuration.structurePhone,
                                      publicBaseURL: publicBaseURL ?? configuration.recordedLinkBaseURL)
        sender.sms = SMSSending(transport: try makeSMSTransport(configuration, store: store), composer: smsComposer,
                                window: configuration.smsWindow, linkKey: { try store.secretKey("link") })
    }
    return sender
}

/// The configured SMS transport: the spool needs no setup, which is why it is the default.
func makeSMSTransport(_ configuration: Configuration, store: Store) throws -> any SMSTransport {
    switch configuration.smsTransport {
    case "kannel":
        let secret = try smsDeliverySecret(configuration, store: store)
        let base = smsDeliveryBaseURL(configuration)
        return KannelTransport(settings: KannelSettings(
            url: configuration.kannelURL, username: configuration.kannelUsername ?? "", password: configuration.kannelPassword ?? "",
            dlrMask: configuration.kannelDLRMask, smsc: configuration.kannelSMSC, timeoutSeconds: configuration.kannelTimeoutSeconds,
            deliveryReportURL: { reference in "\(base)/sms/dlr/\(secret)/\(reference)?type=%d&answer=%A" }))
    default:
        do {
            return try SpoolTransport(directory: configuration.smsSpoolPath)
        } catch {
            throw ConfigurationError(key: "data_dir", source: "configuration", reason: "cannot create the SMS spool: \(error)")
        }
    }
}

/// The secret of the delivery-report address: `sms.kannel.dlr_secret`, else derived from a key
/// kept beside the database (`sms-dlr.key`, not in backups), the same for the daemon and the CLI.
func smsDeliverySecret(_ configuration: Configuration, store: Store) throws -> String {
    if let secret = configuration.kannelDLRSecret { return secret }
    return Secrets.hmacToken(key: try store.secretKey("sms-dlr"), message: "kannel-delivery-reports")
}

/// Where Kannel reaches Relais: `sms.kannel.dlr_base_url`, else the address the daemon serves
/// (recorded in the data folder), else the configured one.
func smsDeliveryBaseURL(_ configuration: Configuration) -> String {
    let base = configuration.kannelDLRBaseURL ?? ServedAddress.read(dataDir: configuration.dataDir) ?? configuration.effectivePublicBaseURL
    return base.hasSuffix("/") ? String(base.dropLast()) : base
}

/// What the settings page's "Envoyer un SMS de test" does: one short French SMS from the
/// structure's sender to one number (E.164), handed synchronously to the configured transport.
func makeSMSTester(_ configuration: Configuration, store: Store) throws -> @Sendable (_ number: String) throws -> String {
    let transport = try makeSMSTransport(configuration, store: store)
    let target: String = switch transport.name {
    case "kannel": "kannel (\(configuration.kannelURL))"
    case "spool": "spool (\(configuration.smsSpoolPath)/new)"
    default: transport.name
    }
    let sender = configuration.effectiveSMSSender
    return { number in
        let text = "Message de test de Relais (\(configuration.structureName)) : l'envoi des SMS fonctionne. Vous n'avez rien à faire."
        let message = SMSMessage(to: number, from: sender, text: SMSText.normalized(text), reference: "test.\(UUID().uuidString.prefix(8).lowercased())",
                                 kind: "test")
        do throws(SMSDeliveryError) {
            try transport.send(message)
        } catch {
            throw SMSTestFailure(refusedNumber: !error.concernsTransport, detail: error.description)
        }
        return "envoyé via \(target) au \(number)"
    }
}

/// What the administration page's "Envoyer un e-mail de test" button does: one short French
/// message (text and HTML) from `mail.from` to one recipient, handed synchronously to the
/// configured transport. Throws the transport's error; returns what happened, in French.
func makeMailTester(_ configuration: Configuration) throws -> @Sendable (_ recipient: String) throws -> String {
    let transport = try makeTransport(configuration)
    let target: String = switch transport.name {
    case "smtp": "smtp (\(configuration.smtpHost ?? "localhost"):\(configuration.smtpPort))"
    case "sendmail": "sendmail (\(configuration.sendmailCommand))"
    case "maildir": "maildir (\(configuration.maildirPath))"
    default: transport.name
    }
    let structure = configuration.structureName
    let from = MailAddress(configuration.mailFrom, displayName: configuration.mailFromName ?? structure)
    let replyTo = configuration.mailReplyTo.map { MailAddress($0) }
    let domain = configuration.mailFrom.split(separator: "@").last.map(String.init) ?? "relais.invalid"
    return { recipient in
        let now = Date()
        var formatter = Date.FormatStyle(date: .long, time: .shortened, locale: Locale(identifier: "fr_FR"))
        formatter.timeZone = configuration.timeZone.zone
        let when = now.formatted(formatter)
        let text = """
            Bonjour,

            Ceci est un message de test de Relais, envoyé le \(when) depuis la page Administration > Réglages.
            S'il vous parvient, l'envoi des e-mails de \(structure) fonctionne : transport \(target), expéditeur \(configuration.mailFrom).

            Vous n'avez rien à faire : ce message ne demande pas de réponse.

            Relais · \(structure)
            """
        let html = """
            <!doctype html>
            <html lang="fr"><head><meta charset="utf-8"><title>Message de test de Relais</title></head>
            <body>
            <p>Bonjour,</p>
            <p>Ceci est un message de test de Relais, envoyé le \(escapeHTML(when)) depuis la page Administration &gt; Réglages.
            S'il vous parvient, l'envoi des e-mails de \(escapeHTML(structure)) fonctionne&#160;: transport \(escapeHTML(target)),
            expéditeur \(escapeHTML(configuration.mailFrom)).</p>
            <p>Vous n'avez rien à faire&#160;: ce message ne demande pas de réponse.</p>
            <p>Relais · \(escapeHTML(structure))</p>
            </body></html>
            """
        let message = MailMessage(from: from, to: MailAddress(recipient), replyTo: replyTo,
                                  subject: "Message de test de Relais · \(structure)", text: text, html: html,
                                  messageID: MailMessage.newMessageID(domain: domain), date: now,
                                  headers: [("X-Relais-Kind", "test")])
        do throws(MailDeliveryError) {
            try transport.deliver(message)
        } catch {
            // The page says in French what failed; the server's own words follow as a technical detail.
            throw MailTestFailure(refusedRecipient: error.scope == .message, detail: error.description)
        }
        return "envoyé via \(target) à \(recipient)"
    }
}

private func escapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
