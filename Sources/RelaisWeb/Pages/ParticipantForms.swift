import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The participant form as submitted: the text typed (kept as is for the page) and a message
/// per field in the page's language.
struct ParticipantForm {
    /// The priority publics and the care path, as checkboxes named like the API's fields.
    static let publicFields = ["pregnant", "chronicIllness", "mentalIllness", "disability", "complementaireSanteSolidaire", "justice",
                               "precarity", "isolation", "difficultCarePath"]
    static let flagFields = ["noContact", "consentDataProcessing", "consentEmail", "consentSms", "consentFollowUp"] + publicFields
    /// The order of the fields on the page, for the error summary.
    static let order = ["firstName", "lastName", "birthYear", "sex", "contact", "email", "phone", "mobile", "postalCode", "preferredChannel",
                        "consentDataProcessing", "consentEmail", "consentSms", "consentFollowUp", "smokerStatus", "language"]

    var text: [String: String] = [:]
    var flags: Set<String> = []
    var preferredChannel = ContactChannel.none.rawValue
    var smokerStatus = SmokerStatus.smoker.rawValue
    var language = "fr"
    var sex = ""
    var errors: [String: String] = [:]

    static let empty = ParticipantForm()

    init() {}

    /// The form prefilled with stored details.
    init(_ details: ParticipantDetails) {
        text = ["firstName": details.firstName, "lastName": details.lastName, "birthYear": details.birthYear.map(String.init) ?? "",
                "email": details.email ?? "", "phone": details.phone ?? "", "postalAddress": details.postalAddress ?? "",
                "postalCode": details.postalCode ?? "", "mobile": details.mobile.map(MobileNumber.display) ?? ""]
        let pairs: [(String, Bool)] = [("noContact", details.noContact), ("consentDataProcessing", details.consentDataProcessing),
                                       ("consentEmail", details.consentEmail), ("consentFollowUp", details.consentFollowUp),
                                       ("consentSms", details.consentSms),
                                       ("difficultCarePath", details.difficultCarePath)]
        flags = Set(pairs.filter(\.1).map(\.0)).union(details.publics.compactMap { RelaisApp.publicFields[$0] })
        sex = details.sex?.rawValue ?? ""
        preferredChannel = details.preferredChannel.rawValue
        smokerStatus = details.smokerStatus.rawValue
        language = details.language
    }
}

extension ParticipantForm {
    /// The form as submitted, kept as typed.
    init(_ request: Request) {
        for field in ["firstName", "lastName", "birthYear", "email", "phone", "mobile", "postalAddress", "postalCode"] {
            text[field] = request.formValue(field) ?? ""
        }
        flags = Set(Self.flagFields.filter { request.formValue($0) != nil })
        preferredChannel = request.formValue("preferredChannel") ?? ContactChannel.none.rawValue
        smokerStatus = request.formValue("smokerStatus") ?? SmokerStatus.smoker.rawValue
        language = request.formValue("language") ?? "fr"
        sex = request.formValue("sex") ?? ""
    }

    /// What the form asks, as the use case takes it from the API too; the year must be a number.
    func request() throws(ValidationError) -> ParticipantRequest {
        var request = ParticipantRequest()
        request.firstName = text["firstName"] ?? ""
        request.lastName = text["lastName"] ?? ""
        let yearText = (text["birthYear"] ?? "").trimmingCharacters(in: .whitespaces)
        if yearText.isEmpty {
            request.clearsBirthYear = true
        } else {
            guard yearText.count == 4, let year = Int(yearText) else { throw ValidationError(field: "birthYear", .expectedWholeNumber) }
            request.birthYear = year
        }
        request.email = text["email"] ?? ""
        request.phone = text["phone"] ?? ""
        request.mobile = text["mobile"] ?? ""
        request.consentSms = flags.contains("consentSms")
        request.postalAddress = text["postalAddress"] ?? ""
        request.postalCode = text["postalCode"] ?? ""
        request.sex = sex
        request.preferredChannel = preferredChannel
        request.smokerStatus = smokerStatus
        request.language = language
        request.noContact = flags.contains("noContact")
        request.consentDataProcessing = flags.contains("consentDataProcessing")
        request.consentEmail = flags.contains("consentEmail")
        request.consentFollowUp = flags.contains("consentFollowUp")
        request.precarity = flags.contains("precarity")
        request.isolation = flags.contains("isolation")
        request.difficultCarePath = flags.contains("difficultCarePath")
        request.pregnant = flags.contains("pregnant")
        request.chronicIllness = flags.contains("chronicIllness")
        request.mentalIllness = flags.contains("mentalIllness")
        request.disability = flags.contains("disability")
        request.complementaireSanteSolidaire = flags.contains("complementaireSanteSolidaire")
        request.justice = flags.contains("justice")
        return request
    }
}

extension RelaisApp {
    func participantFormPage(_ context: WebContext, form: ParticipantForm, record: ParticipantRecord?, programme: ProgrammeRecord?,
                             status: Int = 200) -> Response {
        let strings = renderer.strings(context.language)
        let zone = structureZone
        func label(_ key: String) -> String { strings[key] ?? key }
        let consentDates: [String: Date?] = ["consentDataProcessing": record?.consentDataProcessingAt, "consentEmail": record?.consentEmailAt,
                                             "consentFollowUp": record?.consentFollowUpAt, "consentSms": record?.consentSmsAt]
        let consents: [[String: Any]] = ["consentDataProcessing", "consentEmail", "consentSms", "consentFollowUp"].map { name in
            var consent: [String: Any] = ["name": name, "label": label("p_\(name)"), "checked": form.flags.contains(name),
                                          "error": form.errors[name] ?? false, "givenOn": false,
                                          "help": name == "consentDataProcessing" ? label("p_consentDataProcessing_help")
                                            : name == "consentSms" ? label("p_consentSms_help") : ""]
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
            "flags": ParticipantForm.publicFields.map { ["name": $0, "label": label("p_\($0)"), "checked": form.flags.contains($0)] },
            "sexes": ([("", "p_sex_none")] + Sex.allCases.map { ($0.rawValue, "p_sex_\($0.rawValue)") }).map { value, key in
                ["value": value, "id": value.isEmpty ? "none" : value, "label": label(key), "checked": value == form.sex]
            },
            "languages": ["fr", "en"].map { ["value": $0, "label": label("p_language_\($0)"), "selected": $0 == form.language] },
        ]
        if let programme { page["programme"] = ["id": programme.id, "title": programme.title] }
        return render(.participantForm, context, status: status, page)
    }

    // MARK: - Instrument entry

    /// The instrument's form: a new entry, or with `correction` the correction of a recorded
    /// test (prefilled, with its required reason, without the source and programme it keeps).
    func assessmentFormPage(_ context: WebContext, participant: ParticipantRecord, instrument: ConfiguredInstrument, date: String,
                            source: AssessmentSource?, programmes: [ProgrammeRecord], programmeID: String?, values: [String: [String]],
                            errors: [String: String], status: Int = 200, correction: CorrectionInput? = nil) -> Response {
        let strings = renderer.strings(context.language)
        let language = context.language
        var itemErrors: [String: String] = [:]
        for (key, reason) in errors where key.hasPrefix("item:") { itemErrors[String(key.dropFirst(5))] = reason }
        var summary: [[String: Any]] = []
        for (field, label) in [("reason", "c_reason"), ("date", "p_assessment_date"), ("source", "p_assessment_source"),
                               ("programmeId", "b_assessment_programme"), ("instrument", "c_instrument"), ("answers", "c_answers")] {
            if let reason = errors[field] {
                summary.append(["anchor": field == "answers" || field == "instrument" ? "instrument-\(instrument.id)" : field,
                                "label": strings[label] ?? field, "reason": reason])
            }
        }
        for item in instrument.definition.items {
            if let reason = itemErrors[item.id] {
                summary.append(["anchor": "item-\(instrument.id)-\(item.id)", "label": item.text.text(language), "reason": reason])
            }
        }
        for (item, reason) in itemErrors.sorted(by: { $0.key < $1.key }) where instrument.definition.item(item) == nil {
            summary.append(["anchor": "instrument-\(instrument.id)", "label": item, "reason": reason])
        }
        var values: [String: Any] = [
            "participantId": participant.id, "participantName": "\(participant.firstName) \(participant.lastName)",
            "instrumentId": instrument.id, "instrumentTitle": instrument.definition.title.text(language),
            "date": date, "today": today.iso,
            "formAction": correction.map { "/participants/\(participant.id)/assessments/\($0.assessmentID)/correct" }
                ?? "/participants/\(participant.id)/assessments/new?instrument=\(instrument.id)",
            "sources": [AssessmentSource.staff, .phone, .paper].map { ["value": $0.rawValue, "label": strings["p_assessment_source_\($0.rawValue)"] ?? $0.rawValue,
                                                                     "checked": $0 == source] },
            // "" leaves the attribution to the evaluation, by the date.
            "programmes": [["value": "", "label": strings["b_assessment_programme_by_date"] ?? "", "selected": (programmeID ?? "").isEmpty]]
                + programmes.map { ["value": $0.id, "label": $0.title, "selected": $0.id == programmeID] },
            "instrument": InstrumentForm.context(instrument, language: language, values: values, errors: itemErrors),
            "errors": errors.filter { !$0.key.hasPrefix("item:") }, "hasErrors": !summary.isEmpty, "summary": summary,
        ]
        if let correction {
            values["correction"] = ["reason": correction.reason, "maxLength": UseCases.correctionReasonLength] as [String: Any]
        }
        return render(.participantAssessment, context, status: status, values)
    }

    /// A refused assessment form's reasons: the form's own fields by name, the items as `item:<id>`.
    func assessmentErrors(_ error: ValidationError, language: String) -> [String: String] {
        var errors: [String: String] = [:]
        for (field, reason) in error.fields {
            if ["date", "source", "programmeId", "reason", "instrument", "answers"].contains(field) {
                errors[field] = renderer.text(reason, language: language, form: "assessment", field: field)
            } else {
                errors["item:" + field] = renderer.text(reason, language: language, form: "answer", field: field)
            }
        }
        return errors
    }
}

/// The correction part of the assessment form: which test, and the reason typed.
struct CorrectionInput {
    var assessmentID: String
    var reason: String
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
