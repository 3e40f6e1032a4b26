import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// The participant form as submitted: the text typed (kept as is for the page), the details
/// read from it, and a message per field in the page's language.
struct ParticipantForm {
    static let flagFields = ["noContact", "consentDataProcessing", "consentEmail", "consentFollowUp", "precarity", "isolation",
                             "difficultCarePath"]
    /// The order of the fields on the page, for the error summary.
    static let order = ["firstName", "lastName", "birthYear", "contact", "email", "phone", "preferredChannel", "consentDataProcessing",
                        "consentEmail", "consentFollowUp", "smokerStatus", "language"]

    var text: [String: String] = [:]
    var flags: Set<String> = []
    var preferredChannel = ContactChannel.none.rawValue
    var smokerStatus = SmokerStatus.smoker.rawValue
    var language = "fr"
    var details = ParticipantDetails(firstName: "", lastName: "")
    var errors: [String: String] = [:]

    static let empty = ParticipantForm()

    init() {}

    /// The form prefilled with stored details.
    init(_ details: ParticipantDetails) {
        self.details = details
        text = ["firstName": details.firstName, "lastName": details.lastName, "birthYear": details.birthYear.map(String.init) ?? "",
                "email": details.email ?? "", "phone": details.phone ?? "", "postalAddress": details.postalAddress ?? ""]
        let pairs: [(String, Bool)] = [("noContact", details.noContact), ("consentDataProcessing", details.consentDataProcessing),
                                       ("consentEmail", details.consentEmail), ("consentFollowUp", details.consentFollowUp),
                                       ("precarity", details.precarity), ("isolation", details.isolation),
                                       ("difficultCarePath", details.difficultCarePath)]
        flags = Set(pairs.filter(\.1).map(\.0))
        preferredChannel = details.preferredChannel.rawValue
        smokerStatus = details.smokerStatus.rawValue
        language = details.language
    }
}

extension RelaisApp {
    /// Reads the submitted form and checks it with `ParticipantDetails.validated`, the rules of the API.
    func participantForm(_ request: Request, language: String) -> ParticipantForm {
        let strings = renderer.strings(language)
        var form = ParticipantForm()
        for field in ["firstName", "lastName", "birthYear", "email", "phone", "postalAddress"] {
            form.text[field] = request.formValue(field) ?? ""
        }
        form.flags = Set(ParticipantForm.flagFields.filter { request.formValue($0) != nil })
        form.preferredChannel = request.formValue("preferredChannel") ?? ContactChannel.none.rawValue
        form.smokerStatus = request.formValue("smokerStatus") ?? SmokerStatus.smoker.rawValue
        form.language = request.formValue("language") ?? "fr"
        var errors: [String: String] = [:]
        var birthYear: Int?
        let yearText = (form.text["birthYear"] ?? "").trimmingCharacters(in: .whitespaces)
        if !yearText.isEmpty {
            if yearText.count == 4, let year = Int(yearText) { birthYear = year } else { errors["birthYear"] = strings["p_err_birthYear_format"] }
        }
        let channel = ContactChannel(rawValue: form.preferredChannel)
        if channel == nil { errors["preferredChannel"] = strings["p_err_channel_invalid"] }
        let status = SmokerStatus(rawValue: form.smokerStatus)
        if status == nil { errors["smokerStatus"] = strings["p_err_smokerStatus"] }
        let details = ParticipantDetails(
            firstName: form.text["firstName"] ?? "", lastName: form.text["lastName"] ?? "", birthYear: birthYear,
            email: form.text["email"], phone: form.text["phone"], postalAddress: form.text["postalAddress"],
            preferredChannel: channel ?? .none, noContact: form.flags.contains("noContact"),
            consentDataProcessing: form.flags.contains("consentDataProcessing"), consentEmail: form.flags.contains("consentEmail"),
            consentFollowUp: form.flags.contains("consentFollowUp"), smokerStatus: status ?? .smoker,
            precarity: form.flags.contains("precarity"), isolation: form.flags.contains("isolation"),
            difficultCarePath: form.flags.contains("difficultCarePath"), language: form.language)
        do {
            form.details = try details.validated(currentYear: participants.currentYear())
        } catch {
            for (field, reason) in participantErrors(error, language: language) where errors[field] == nil { errors[field] = reason }
        }
        form.errors = errors
        return form
    }

    /// The domain's reasons (English, for the API) in the page's words.
    func participantErrors(_ error: ValidationError, language: String) -> [String: String] {
        let strings = renderer.strings(language)
        var errors: [String: String] = [:]
        for (field, reason) in error.fields {
            let key: String
            switch field {
            case "firstName", "lastName": key = reason == "required" ? "p_err_\(field)_required" : "p_err_name_too_long"
            case "birthYear": key = reason.contains("adult") ? "p_err_birthYear_minor" : "p_err_birthYear_implausible"
            case "email": key = "p_err_email"
            case "phone": key = "p_err_phone"
            case "contact": key = "p_err_contact"
            case "preferredChannel":
                key = reason.hasPrefix("email") ? "p_err_channel_email" : reason.hasPrefix("phone") ? "p_err_channel_phone"
                    : reason.hasPrefix("post") ? "p_err_channel_post" : "p_err_channel_invalid"
            case "consentEmail": key = "p_err_consentEmail"
            case "language": key = "p_err_language"
            default: key = ""
            }
            errors[field] = strings[key] ?? reason
        }
        return errors
    }

    func participantFormPage(_ context: WebContext, form: ParticipantForm, record: ParticipantRecord?, programme: ProgrammeRecord?,
                             status: Int = 200) -> Response {
        let strings = renderer.strings(context.language)
        let zone = structureZone
        func label(_ key: String) -> String { strings[key] ?? key }
        let consentDates: [String: Date?] = ["consentDataProcessing": record?.consentDataProcessingAt, "consentEmail": record?.consentEmailAt,
                                             "consentFollowUp": record?.consentFollowUpAt]
        let consents: [[String: Any]] = ["consentDataProcessing", "consentEmail", "consentFollowUp"].map { name in
            var consent: [String: Any] = ["name": name, "label": label("p_\(name)"), "checked": form.flags.contains(name),
                                          "error": form.errors[name] ?? false, "givenOn": false]
            if let date = consentDates[name] ?? nil { consent["givenOn"] = ParticipantText.date(date, zone) }
            return consent
        }
        var values: [String: Any] = form.text
        values["noContact"] = form.flags.contains("noContact")
        let anchors = ["contact": "contact", "preferredChannel": "preferredChannel", "smokerStatus": "smokerStatus"]
        let summary: [[String: Any]] = ParticipantForm.order.filter { form.errors[$0] != nil }.map { field in
            ["anchor": anchors[field] ?? field, "label": label(field == "contact" ? "p_form_contact" : "p_\(field)"), "reason": form.errors[field] ?? ""]
        }
        var page: [String: Any] = [
            "heading": label(record == nil ? "p_form_new_title" : "p_form_edit_title"),
            "action": record.map { "/participants/\($0.id)/edit" } ?? (programme.map { "/participants/new?programme=\($0.id)" } ?? "/participants/new"),
            "cancel": record.map { "/participants/\($0.id)" } ?? (programme.map { "/programmes/\($0.id)" } ?? "/participants"),
            "submit": label(record == nil ? "p_form_submit_create" : "p_form_submit_edit"),
            "values": values, "errors": form.errors, "hasErrors": !form.errors.isEmpty, "summary": summary,
            "channels": ContactChannel.allCases.map { ["value": $0.rawValue, "label": label("p_channel_\($0.rawValue)"),
                                                        "checked": $0.rawValue == form.preferredChannel] },
            "consents": consents,
            "smokerStatuses": SmokerStatus.allCases.map { ["value": $0.rawValue, "label": label("p_\($0.rawValue)"),
                                                          "checked": $0.rawValue == form.smokerStatus] },
            "flags": ["precarity", "isolation", "difficultCarePath"].map { ["name": $0, "label": label("p_\($0)"), "checked": form.flags.contains($0)] },
            "languages": ["fr", "en"].map { ["value": $0, "label": label("p_language_\($0)"), "selected": $0 == form.language] },
        ]
        if let programme { page["programme"] = ["id": programme.id, "title": programme.title] }
        return render("participant_form", context, status: status, page)
    }

    // MARK: - Instrument entry

    func assessmentFormPage(_ context: WebContext, participant: ParticipantRecord, instrument: ConfiguredInstrument, date: String,
                            source: AssessmentSource?, values: [String: [String]], errors: [String: String], status: Int = 200) -> Response {
        let strings = renderer.strings(context.language)
        let language = context.language
        var itemErrors: [String: String] = [:]
        for (key, reason) in errors where key.hasPrefix("item:") { itemErrors[String(key.dropFirst(5))] = reason }
        var summary: [[String: Any]] = []
        if let reason = errors["date"] { summary.append(["anchor": "date", "label": strings["p_assessment_date"] ?? "date", "reason": reason]) }
        if let reason = errors["source"] { summary.append(["anchor": "source", "label": strings["p_assessment_source"] ?? "source", "reason": reason]) }
        for item in instrument.definition.items {
            if let reason = itemErrors[item.id] {
                summary.append(["anchor": "item-\(instrument.id)-\(item.id)", "label": item.text.text(language), "reason": reason])
            }
        }
        for (item, reason) in itemErrors.sorted(by: { $0.key < $1.key }) where instrument.definition.item(item) == nil {
            summary.append(["anchor": "instrument-\(instrument.id)", "label": item, "reason": reason])
        }
        return render("participant_assessment", context, status: status, [
            "participantId": participant.id, "participantName": "\(participant.firstName) \(participant.lastName)",
            "instrumentId": instrument.id, "instrumentTitle": instrument.definition.title.text(language),
            "date": date, "today": today.iso,
            "sources": [AssessmentSource.staff, .phone, .paper].map { ["value": $0.rawValue, "label": strings["p_assessment_source_\($0.rawValue)"] ?? $0.rawValue,
                                                                     "checked": $0 == source] },
            "instrument": InstrumentForm.context(instrument, language: language, values: values, errors: itemErrors),
            "errors": errors.filter { !$0.key.hasPrefix("item:") }, "hasErrors": !summary.isEmpty, "summary": summary,
        ])
    }

    /// The scoring engine's reason for an item (English, for the API) in the page's words.
    func itemReason(_ instrument: ConfiguredInstrument, item id: String, reason: String, language: String) -> String {
        let strings = renderer.strings(language)
        func text(_ key: String) -> String { strings[key] ?? reason }
        if reason == "required" { return text("p_err_item_required") }
        guard let item = instrument.definition.item(id) else { return reason }
        switch item.type {
        case .singleChoice: return text("p_err_item_choice")
        case .multipleChoice: return text(reason.contains("cannot be combined") ? "p_err_item_combination" : "p_err_item_choice")
        case .integer, .number:
            if reason.hasPrefix("expected a whole number") { return text("p_err_item_whole") }
            if let min = item.min, let max = item.max {
                return text("p_err_item_number_range").replacingOccurrences(of: "{min}", with: InstrumentForm.number(min))
                    .replacingOccurrences(of: "{max}", with: InstrumentForm.number(max))
            }
            return text("p_err_item_number")
        case .text: return text("p_err_item_text") + " (\(item.maxLength ?? 2000))"
        case .date: return text("p_err_item_date")
        }
    }
}

/// Dates and numbers as the participant pages write them.
enum ParticipantText {
    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func date(_ date: CalendarDate) -> String { "\(two(date.day))/\(two(date.month))/\(date.year)" }

    static func date(iso: String) -> String { CalendarDate(iso: iso).map { date($0) } ?? iso }

    static func date(_ instant: Date, _ zone: TimeZone) -> String { date(LocalDateTime(instant, in: zone).date) }

    static func dateTime(_ instant: Date, _ zone: TimeZone) -> String {
        let local = LocalDateTime(instant, in: zone)
        return "\(date(local.date)) \(two(local.hour)):\(two(local.minute))"
    }

    static func number(_ value: Double, language: String) -> String {
        let text = LineChart.format(value)
        return language == "en" ? text : text.replacingOccurrences(of: ".", with: ",")
    }
}
