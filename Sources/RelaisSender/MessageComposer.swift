import Foundation
import RelaisDomain
import RelaisMail
import RelaisStore

/// Turns a prepared outbox message into mail: the template's context, the questionnaire link,
/// the .ics of a session, and the headers participant mail needs.
public struct MessageComposer: Sendable {
    public var templates: MailTemplates
    public var structureName: String
    public var from: MailAddress
    public var replyTo: MailAddress?
    /// Where links point, without a trailing slash.
    public var publicBaseURL: String
    /// Instrument titles for the questionnaire list.
    public var instrumentTitles: [String: LocalizedText]
    /// The programme templates' session titles (by template id, then session index): a session
    /// stores its French title, and mail in English says the template's English one.
    public var sessionTitles: [String: [Int: LocalizedText]]

    public init(templates: MailTemplates, structureName: String, from: MailAddress, replyTo: MailAddress?, publicBaseURL: String,
                instrumentTitles: [String: LocalizedText], programmeTemplates: [ProgrammeTemplate] = []) {
        self.sessionTitles = Dictionary(programmeTemplates.map { template in
            (template.id, Dictionary(template.sessions.map { ($0.index, $0.title) }) { first, _ in first })
        }) { first, _ in first }
        self.templates = templates
        self.structureName = structureName
        self.from = from
        self.replyTo = replyTo
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.instrumentTitles = instrumentTitles
    }

    /// Message-IDs are derived from the outbox row, so a message re-sent after a crash between
    /// delivery and bookkeeping carries the same id and can be recognised as a duplicate.
    public var messageIDDomain: String { URL(string: publicBaseURL)?.host ?? "relais.local" }

    public func compose(_ prepared: PreparedMessage, at now: Date) -> MailMessage {
        let language = prepared.recipient.language == "en" ? "en" : "fr"
        let rendered = templates.render(prepared.record.kind, language: language, context: context(prepared, language: language))
        var message = MailMessage(from: from, to: MailAddress(prepared.recipient.email, displayName: prepared.recipient.name),
                                  replyTo: replyTo, subject: rendered.subject, text: rendered.text, html: rendered.html,
                                  messageID: "\(prepared.record.id)@\(messageIDDomain)", date: now)
        message.headers = [("X-Relais-Kind", prepared.record.kind.rawValue)]
        if prepared.record.kind.isParticipantMail {
            let address = (replyTo ?? from).address
            let subject = language == "fr" ? "Ne plus recevoir de courriels" : "Unsubscribe"
            message.listUnsubscribe = "<mailto:\(address)?subject=\(subject.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")>"
            message.headers.append(("Auto-Submitted", "auto-generated"))
        }
        if prepared.record.kind == .sessionReminder || prepared.record.kind == .sessionChanged || prepared.record.kind == .sessionCancelled,
           let session = prepared.session {
            message.attachments = [calendarAttachment(prepared, session: session, now: now)]
        }
        if prepared.record.kind == .consultationChanged || prepared.record.kind == .consultationReminder, let consultation = prepared.consultation {
            message.attachments = [calendarAttachment(prepared, consultation: consultation, now: now)]
        }
        return message
    }

    /// The consultation's event with the UID and SEQUENCE the facilitator's feed gives it.
    func calendarAttachment(_ prepared: PreparedMessage, consultation: ConsultationFacts, now: Date) -> MailAttachment {
        let language = prepared.recipient.language == "en" ? "en" : "fr"
        let event = CalendarEvent(uid: "consultation-\(prepared.record.payload["consultationId"] ?? prepared.record.id)@relais",
                                  start: consultation.startsAt, end: consultation.endsAt,
                                  summary: "\(prepared.programmeTitle ?? structureName) — "
                                    + (language == "en" ? "individual consultation" : "consultation individuelle") + " \(consultation.index)",
                                  location: consultation.modality == .inPerson ? placeLine(prepared.place) : nil,
                                  url: consultation.modality == .visio ? prepared.place?.visioURL : nil,
                                  cancelled: false, sequence: consultation.sequence, lastModified: now)
        let text = ICalendar.feed(name: structureName, timeZone: prepared.timeZone, events: [event], now: now)
        return MailAttachment(filename: "consultation-\(consultation.index).ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH",
                              data: Data(text.utf8))
    }

    func calendarAttachment(_ prepared: PreparedMessage, session: SessionFacts, now: Date) -> MailAttachment {
        let language = prepared.recipient.language == "en" ? "en" : "fr"
        let title = sessionTitle(session, templateID: prepared.templateID, language: language)
        let event = CalendarEvent(uid: "session-\(prepared.record.sessionId ?? prepared.record.id)@relais", start: session.startsAt,
                                  end: session.endsAt, summary: "\(prepared.programmeTitle ?? structureName) — \(title)",
                                  location: placeLine(prepared.place), url: prepared.place?.visioURL,
                                  cancelled: prepared.record.kind == .sessionCancelled,
                                  sequence: session.sequence, lastModified: now)
        let text = ICalendar.feed(name: structureName, timeZone: prepared.timeZone, events: [event], now: now)
        return MailAttachment(filename: "seance-\(session.index).ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH",
                              data: Data(text.utf8))
    }

    func placeLine(_ place: PlaceFacts?) -> String? {
        guard let place else { return nil }
        let parts = [place.siteName, place.roomName, place.siteAddress].compactMap { $0 }
        return parts.isEmpty ? place.visioURL : parts.joined(separator: ", ")
    }

    // MARK: Context

    func context(_ prepared: PreparedMessage, language: String) -> [String: Any] {
        let zone = prepared.timeZone
        var context: [String: Any] = [
            "structure": structureName,
            "firstName": prepared.recipient.firstName,
            "baseURL": publicBaseURL,
        ]
        if let title = prepared.programmeTitle { context["programme"] = title }
        if let place = prepared.place {
            context["place"] = [
                "inPerson": place.modality != .visio, "visio": place.modality != .inPerson,
                "siteName": place.siteName ?? "", "siteAddress": place.siteAddress ?? "", "roomName": place.roomName ?? "",
                "room": place.roomName.map { RoomWording.named($0, language: language) } ?? "",
                "visioURL": place.visioURL ?? "",
            ] as [String: Any]
        }
        if let session = prepared.session {
            var facts = sessionContext(session, zone: zone, language: language, templateID: prepared.templateID)
            if let previous = prepared.record.payload["previousStartsAt"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) {
                facts["before"] = Self.day(previous, zone: zone, language: language) + (language == "en" ? " at " : " à ")
                    + Self.time(previous, zone: zone, language: language)
            }
            facts["reason"] = prepared.record.payload["reason"] ?? ""
            context["session"] = facts
        }
        if let consultation = prepared.consultation {
            context["consultation"] = consultationContext(consultation, prepared, language: language)
        }
        context["sessions"] = prepared.sessions.map { sessionContext($0, zone: zone, language: language, templateID: prepared.templateID) }
        if let token = prepared.questionnaireToken {
            context["questionnaire"] = [
                "link": "\(publicBaseURL)/q/\(token)",
                "expires": prepared.linkExpiresAt.map { Self.day($0, zone: zone, language: language) } ?? "",
                "instruments": prepared.instruments.map { ["title": instrumentTitles[$0]?.text(language) ?? $0] },
            ] as [String: Any]
        }
        if let months = prepared.followUpMonths {
            context["followUp"] = ["months": months, "period": DateWording.months(months, language: language)] as [String: Any]
        }
        if let digest = prepared.digest {
            context["digest"] = [
                "date": prepared.record.payload["date"].flatMap(CalendarDate.init(iso:)).map { Self.day($0, language: language) } ?? "",
                "sessions": digest.sessionsToday.map { item -> [String: Any] in
                    var facts = sessionContext(item.session, zone: zone, language: language)
                    facts["programme"] = item.programme
                    return facts
                },
                "hasSessions": !digest.sessionsToday.isEmpty,
                "followUpsDueToday": digest.followUpsDueToday, "followUpsOverdue": digest.followUpsOverdue,
                "openTasks": digest.openTasks, "failedDeliveries": digest.failedDeliveries,
            ] as [String: Any]
        }
        if prepared.record.kind == .passwordReset, let at = prepared.record.payload["at"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) {
            context["reset"] = ["account": prepared.record.payload["account"] ?? "", "by": prepared.record.payload["by"] ?? "",
                                "date": Self.day(at, zone: zone, language: language), "time": Self.time(at, zone: zone, language: language)]
        }
        if let year = prepared.record.payload["year"] {
            context["evaluation"] = ["year": year, "link": "\(publicBaseURL)/reports/years/\(year)"]
        }
        return context
    }

    /// The new time, the time the participant was last told (`before`), and how it is held: the
    /// site for a consultation in person, the link for a visio, a call for one by phone.
    func consultationContext(_ consultation: ConsultationFacts, _ prepared: PreparedMessage, language: String) -> [String: Any] {
        let zone = prepared.timeZone
        let place = [prepared.place?.siteName, prepared.place?.siteAddress].compactMap { $0 }.joined(separator: ", ")
        var facts: [String: Any] = [
            "index": consultation.index, "date": Self.day(consultation.startsAt, zone: zone, language: language),
            "time": Self.time(consultation.startsAt, zone: zone, language: language),
            "endTime": Self.time(consultation.endsAt, zone: zone, language: language),
            "facilitator": consultation.facilitator ?? "",
            "inPerson": consultation.modality == .inPerson, "visio": consultation.modality == .visio, "phone": consultation.modality == .phone,
            "place": place, "hasPlace": !place.isEmpty,
            "visioURL": prepared.place?.visioURL ?? "", "hasVisioURL": prepared.place?.visioURL != nil,
        ]
        if let previous = prepared.record.payload["previousStartsAt"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) {
            facts["before"] = Self.day(previous, zone: zone, language: language) + (language == "en" ? " at " : " à ")
                + Self.time(previous, zone: zone, language: language)
        }
        return facts
    }

    func sessionContext(_ session: SessionFacts, zone: TimeZone, language: String, templateID: String? = nil) -> [String: Any] {
        ["index": session.index, "title": sessionTitle(session, templateID: templateID, language: language), "date": Self.day(session.startsAt, zone: zone, language: language),
         "time": Self.time(session.startsAt, zone: zone, language: language), "endTime": Self.time(session.endsAt, zone: zone, language: language)]
    }

    /// The session's title in `language`: the template's own when the stored title is the
    /// template's French one (a title changed by hand is kept as it was written).
    func sessionTitle(_ session: SessionFacts, templateID: String?, language: String) -> String {
        guard let title = templateID.flatMap({ sessionTitles[$0]?[session.index] }), title.fr == session.title else { return session.title }
        return title.text(language)
    }

    static func day(_ instant: Date, zone: TimeZone, language: String) -> String { DateWording.day(instant, in: zone, language: language) }
    static func day(_ date: CalendarDate, language: String) -> String { DateWording.day(date, language: language) }
    static func time(_ instant: Date, zone: TimeZone, language: String) -> String { DateWording.time(instant, in: zone, language: language) }
}
