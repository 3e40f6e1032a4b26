import Foundation
import Logging
import RelaisConfig
import RelaisDomain
import RelaisMail
import RelaisSender
import RelaisStore

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
func makeSender(_ configuration: Configuration, store: Store, instruments: InstrumentCatalog, logger: Logger) throws -> Sender {
    let templates: MailTemplates
    do {
        templates = try MailTemplates(directory: configuration.effectiveMailTemplatesDir)
    } catch {
        throw ConfigurationError(key: "mail.templates_dir", source: configuration.effectiveMailTemplatesDir, reason: error.description)
    }
    let composer = MessageComposer(
        templates: templates, structureName: configuration.structureName,
        from: MailAddress(configuration.mailFrom, displayName: configuration.mailFromName ?? configuration.structureName),
        replyTo: configuration.mailReplyTo.map { MailAddress($0) }, publicBaseURL: configuration.effectivePublicBaseURL,
        instrumentTitles: Dictionary(uniqueKeysWithValues: instruments.instruments.map { ($0.id, $0.definition.title) }))
    var sender = Sender(outbox: Outbox(store: store), transport: try makeTransport(configuration), composer: composer,
                        window: configuration.sendingWindow, policy: configuration.reminderPolicy,
                        evaluationDate: configuration.evaluationReminderDate, logger: logger)
    sender.lockPath = (configuration.dataDir as NSString).appendingPathComponent("sender.lock")
    return sender
}
