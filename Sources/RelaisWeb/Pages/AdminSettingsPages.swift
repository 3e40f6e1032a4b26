import Foundation
import HTTPServer
import RelaisConfig
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The effective settings, read-only (they live in the configuration file and the
/// environment), the outbox counts, and a button that sends a test email.
extension RelaisApp {
    func registerAdminSettingsPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/admin/settings", .administer) { request, context in
            try app.adminSettingsPage(context, notice: app.notice(request, context))
        }

        routes.page(.post, "/admin/settings/test-email", .administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let recipient = request.trimmedFormValue("recipient")
            let form = AdminForm(id: "test", values: ["recipient": recipient], order: ["recipient"])
            // The rule of every address Relais mails to: what the transports deliver to.
            if let problem = EmailAddress.entryProblem(recipient) {
                // The example of a good address, then what is wrong with this one (an accent, a space…).
                let message = strings.fill("l_err_test_recipient_reason", ["hint": strings["a_err_test_recipient"] ?? "",
                                                                           "reason": app.renderer.text(problem, language: context.language)])
                return try app.adminSettingsPage(context, failed: form.with(error: message, on: "recipient"), status: 422)
            }
            guard let tester = app.mailTester else {
                return try app.adminSettingsPage(context, failed: form.with(error: strings["a_test_not_configured"], on: "recipient"), status: 503)
            }
            do {
                let description = try tester(recipient)
                try app.actions.recordTestEmail(recipient: recipient, outcome: description, failed: false, by: context.caller)
                return app.redirect("/admin/settings", done: "a_done_test_email")
            } catch {
                let reason = String(describing: error)
                app.logger.warning("test email failed: \(reason)")
                try app.actions.recordTestEmail(recipient: recipient, outcome: reason, failed: true, by: context.caller)
                let cause = (error as? MailTestFailure).map { $0.refusedRecipient ? "a_err_test_recipient_refused" : "a_err_test_transport" }
                    ?? "a_err_test_transport"
                let message = strings.fill(cause) + " " + strings.fill("a_err_test_detail", ["detail": reason])
                return try app.adminSettingsPage(context, failed: form.with(error: message, on: "recipient"), status: 502)
            }
        }

        // The test SMS: to a mobile number typed as staff type them, normalised as participants' are.
        routes.page(.post, "/admin/settings/test-sms", .administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let typed = request.trimmedFormValue("number")
            let form = AdminForm(id: "testSMS", values: ["number": typed], order: ["number"])
            guard app.configuration.smsEnabled else {
                return try app.adminSettingsPage(context, failed: form.with(error: app.renderer.text(Reason(.smsDisabled), language: context.language),
                                                                             on: "number"), status: 409)
            }
            let number: String
            switch MobileNumber.normalized(typed) {
            case .success(let e164): number = e164
            case .failure(let reason):
                return try app.adminSettingsPage(context, failed: form.with(error: app.renderer.text(reason, language: context.language), on: "number"),
                                                 status: 422)
            }
            guard let tester = app.smsTester else {
                return try app.adminSettingsPage(context, failed: form.with(error: strings["s_test_not_configured"], on: "number"), status: 503)
            }
            do {
                let description = try tester(number)
                try app.actions.recordTestSMS(number: number, outcome: description, failed: false, by: context.caller)
                return app.redirect("/admin/settings#test-sms-title", done: "s_done_test_sms")
            } catch {
                let reason = String(describing: error)
                app.logger.warning("test SMS failed: \(reason)")
                try app.actions.recordTestSMS(number: number, outcome: reason, failed: true, by: context.caller)
                let cause = (error as? SMSTestFailure).map { $0.refusedNumber ? "s_err_test_number_refused" : "s_err_test_transport" } ?? "s_err_test_transport"
                let message = strings.fill(cause) + " " + strings.fill("a_err_test_detail", ["detail": reason])
                return try app.adminSettingsPage(context, failed: form.with(error: message, on: "number"), status: 502)
            }
        }
    }

    /// `RELAIS_` + the key in capitals with dots as underscores, as the loader reads it.
    static func adminEnvironmentName(_ key: String) -> String {
        "RELAIS_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// "du lundi au samedi", "lundi, mercredi, vendredi"…
    func adminDays(_ days: Set<Int>, _ strings: [String: String]) -> String {
        let sorted = days.sorted()
        let name = { (day: Int) in strings["a_day_\(day)"] ?? String(day) }
        if sorted.count > 2, let first = sorted.first, let last = sorted.last, last - first + 1 == sorted.count {
            return (strings["a_days_range"] ?? "{first} – {last}")
                .replacingOccurrences(of: "{first}", with: name(first)).replacingOccurrences(of: "{last}", with: name(last))
        }
        return sorted.map(name).joined(separator: ", ")
    }

    func adminSettingsPage(_ context: WebContext, notice: String? = nil, failed: AdminForm? = nil, status: Int = 200) throws -> Response {
        let strings = renderer.strings(context.language)
        let c = configuration
        func text(_ key: String) -> String { strings[key] ?? key }
        func row(_ label: String, _ value: String, _ keys: [String], note: String? = nil) -> [String: Any] {
            var row: [String: Any] = [
                "label": text(label), "value": value,
                "keys": keys.map { ["key": $0, "env": Self.adminEnvironmentName($0)] },
            ]
            if let note { row["note"] = text(note) }
            return row
        }

        var mail: [[String: Any]] = []
        switch c.mailTransport {
        case "smtp":
            mail.append(row("a_set_transport", text("a_set_transport_smtp"), ["mail.transport"]))
            mail.append(row("a_set_smtp_host", "\(c.smtpHost ?? "localhost"):\(c.smtpPort)", ["mail.smtp.host", "mail.smtp.port"]))
            mail.append(row("a_set_smtp_security", text("a_set_security_\(c.smtpSecurity)"), ["mail.smtp.security"]))
            mail.append(row("a_set_smtp_username", c.smtpUsername ?? text("a_none"), ["mail.smtp.username"]))
            // Never the password itself: only whether one is set.
            mail.append(row("a_set_smtp_password", text(c.smtpPassword?.isEmpty == false ? "a_set_defined" : "a_set_undefined"),
                            ["mail.smtp.password"]))
            mail.append(row("a_set_smtp_timeout", String(c.smtpTimeoutSeconds), ["mail.smtp.timeout_seconds"]))
        case "sendmail":
            mail.append(row("a_set_transport", text("a_set_transport_sendmail"), ["mail.transport"]))
            mail.append(row("a_set_sendmail", c.sendmailCommand, ["mail.sendmail.command"]))
        default:
            mail.append(row("a_set_transport", text("a_set_transport_maildir"), ["mail.transport"], note: "a_set_transport_maildir_note"))
            mail.append(row("a_set_maildir", c.maildirPath, ["data_dir"]))
        }
        mail.append(row("a_set_from", c.mailFrom, ["mail.from"]))
        mail.append(row("a_set_from_name", c.mailFromName ?? c.structureName, ["mail.from_name"],
                        note: c.mailFromName == nil ? "a_set_from_name_default" : nil))
        mail.append(row("a_set_reply_to", c.mailReplyTo ?? text("a_none_f"), ["mail.reply_to"]))
        mail.append(row("a_set_sweep", String(c.mailSweepIntervalSeconds), ["mail.sweep_interval_seconds"]))

        let days = SendingWindow.days(c.mailSendDays).map { adminDays($0, strings) } ?? c.mailSendDays
        let window: [[String: Any]] = [
            row("a_set_hours", "\(c.mailSendFrom) – \(c.mailSendUntil)", ["mail.send_from", "mail.send_until"]),
            row("a_set_days", "\(days) (\(c.mailSendDays))", ["mail.send_days"]),
            row("a_set_time_zone", c.timeZone.identifier, ["structure.time_zone"]),
        ]
        let web: [[String: Any]] = [
            row("a_set_public_url", actions.settings.publicBaseURL, ["http.public_base_url"],
                note: c.publicBaseURL == nil ? "a_set_public_url_derived" : nil),
            row("a_set_listen", c.httpHost.contains(":") ? "[\(c.httpHost)]:\(c.httpPort)" : "\(c.httpHost):\(c.httpPort)",
                ["http.host", "http.port"]),
            row("a_set_tls", text(c.usesTLS ? "a_set_tls_on" : "a_set_tls_off"), ["http.tls_certificate_file", "http.tls_key_file"]),
            row("a_set_trusted_proxies", c.httpTrustedProxies.isEmpty ? text("a_none") : c.httpTrustedProxies.joined(separator: ", "),
                ["http.trusted_proxies"]),
            row("a_set_request_deadlines", "\(c.httpRequestHeadTimeoutSeconds) / \(c.httpRequestBodyTimeoutSeconds)",
                ["http.request_head_timeout_seconds", "http.request_body_timeout_seconds"]),
            row("a_set_per_ip", String(c.httpPerIPConnectionLimit), ["http.per_ip_connection_limit"]),
        ]
        let structure: [[String: Any]] = [
            row("a_set_structure_name", c.structureName, ["structure.name"]),
            row("l_set_structure_address", c.structureAddress.map { RelaisApp.addressLines($0).joined(separator: ", ") } ?? text("l_set_undefined_letters"),
                ["structure.address"]),
            row("l_set_structure_phone", c.structurePhone ?? text("l_set_undefined_letters"), ["structure.phone"]),
            row("a_set_time_zone", c.timeZone.identifier, ["structure.time_zone"]),
            row("a_set_language", text("a_language_\(c.language)"), ["structure.language"]),
        ]
        let security: [[String: Any]] = [
            row("a_set_idle", String(c.sessionIdleMinutes), ["security.session_idle_minutes"]),
            row("a_set_login_failures", String(c.loginMaxFailures), ["security.login_max_failures"]),
            row("a_set_login_window", String(c.loginWindowMinutes), ["security.login_window_minutes"]),
            row("a_set_audit_retention", String(c.auditRetentionDays), ["security.audit_retention_days"]),
        ]
        var sms: [[String: Any]] = [row("s_set_enabled", text(c.smsEnabled ? "s_set_on" : "s_set_off"), ["sms.enabled"])]
        if c.smsEnabled {
            if c.smsTransport == "kannel" {
                sms.append(row("a_set_transport", text("s_set_transport_kannel"), ["sms.transport"]))
                sms.append(row("s_set_kannel_url", c.kannelURL, ["sms.kannel.url"]))
                sms.append(row("s_set_kannel_username", c.kannelUsername ?? text("a_none"), ["sms.kannel.username"]))
                // Never the password itself: only whether one is set.
                sms.append(row("s_set_kannel_password", text(c.kannelPassword?.isEmpty == false ? "a_set_defined" : "a_set_undefined"),
                               ["sms.kannel.password"]))
                sms.append(row("s_set_dlr", c.kannelDLRMask == 0 ? text("s_set_dlr_none") : String(c.kannelDLRMask),
                               ["sms.kannel.dlr_mask", "sms.kannel.dlr_base_url", "sms.kannel.dlr_secret"]))
            } else {
                sms.append(row("a_set_transport", text("s_set_transport_spool"), ["sms.transport"], note: "s_set_transport_spool_note"))
                sms.append(row("s_set_spool", c.smsSpoolPath + "/new", ["data_dir"]))
            }
            sms.append(row("s_set_sender", c.effectiveSMSSender, ["sms.sender"], note: c.smsSender == nil ? "s_set_sender_default" : nil))
            let smsDays = SendingWindow.days(c.smsSendDays).map { adminDays($0, strings) } ?? c.smsSendDays
            sms.append(row("a_set_hours", "\(c.smsSendFrom) – \(c.smsSendUntil)", ["sms.send_from", "sms.send_until"]))
            sms.append(row("a_set_days", "\(smsDays) (\(c.smsSendDays))", ["sms.send_days"]))
            sms.append(row("s_set_holidays", text(c.smsSkipPublicHolidays ? "s_set_holidays_closed" : "s_set_holidays_open"),
                           ["sms.skip_public_holidays"]))
            sms.append(row("s_set_reminder_days", text(c.smsReminderDaysBefore == 1 ? "s_set_reminder_1" : "s_set_reminder_2"),
                           ["sms.reminder_days_before"]))
        }
        let counts = try actions.outboxCounts(by: context.caller)
        let outboxRows: [[String: Any]] = OutboxState.allCases.map { state in
            ["label": text("a_outbox_\(state.rawValue)"), "count": counts[state] ?? 0, "state": state.rawValue]
        }

        let lastTest = try actions.testEmails(by: context.caller).first
        let test = failed.flatMap { $0.id == "test" ? $0 : nil } ?? AdminForm(id: "test")
        let lastTestSMS = try actions.testSMS(by: context.caller).first
        let testSMS = failed.flatMap { $0.id == "testSMS" ? $0 : nil } ?? AdminForm(id: "testSMS")
        var values: [String: Any] = [
            "sections": [
                ["id": "mail", "title": text("a_sec_mail"), "rows": mail],
                ["id": "window", "title": text("a_sec_window"), "rows": window],
                ["id": "sms", "title": text("s_sec_sms"), "rows": sms],
                ["id": "web", "title": text("a_sec_web"), "rows": web],
                ["id": "structure", "title": text("a_sec_structure"), "rows": structure],
                ["id": "security", "title": text("a_sec_security"), "rows": security],
            ],
            "outbox": outboxRows,
            "test": test.context(defaults: ["recipient": context.user.email ?? ""]),
            "mailConfigured": mailTester != nil,
            "testSMS": testSMS.context(defaults: ["number": ""]),
            "smsEnabled": c.smsEnabled, "smsConfigured": smsTester != nil,
        ]
        if let lastTestSMS {
            values["lastTestSMS"] = [
                "at": adminDateTime(lastTestSMS.at, language: context.language), "by": lastTestSMS.actorName,
                "failed": lastTestSMS.action == "test_sms_failed", "detail": lastTestSMS.detail ?? "",
            ]
        }
        if let lastTest {
            values["lastTest"] = [
                "at": adminDateTime(lastTest.at, language: context.language), "by": lastTest.actorName,
                "failed": lastTest.action == "test_email_failed", "detail": lastTest.detail ?? "",
            ]
        }
        if let notice { values["notice"] = notice }
        if let warning = linkWarning(language: context.language) { values["linkWarning"] = warning }
        return adminRender(.adminSettings, context, status: status, failed: failed, values)
    }
}
