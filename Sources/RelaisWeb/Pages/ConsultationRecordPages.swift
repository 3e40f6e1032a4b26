import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The consultation record form as typed: every field by the name the API gives it
/// (`products.<code>` for a product), kept as typed when refused, each problem next to its field.
struct ClinicalRecordForm {
    /// The one-value fields, by their API name.
    static let scalars = ["eCigarette", "eCigaretteNicotineMgPerMl", "yearsSmoked", "packYears", "quitAttempts", "longestQuit", "longestQuitUnit",
                          "quitDate", "coPpm", "weightKg", "pregnancy", "craving", "goal", "plan"]
    static let decimals: [String: ClosedRange<Double>] = ["eCigaretteNicotineMgPerMl": ClinicalRecordInput.nicotineRange,
                                                          "packYears": 0...PackYears.maximum, "weightKg": ClinicalRecordInput.weightRange]
    static let wholes = ["yearsSmoked", "quitAttempts", "longestQuit", "coPpm", "craving"]

    var values: [String: String] = [:]
    var products: [String: String] = [:]
    var symptoms: Set<String> = []
    var errors: [String: String] = [:]

    /// The form showing a record (the current one, or the previous consultation's carried forward),
    /// decimals written as the language writes them (a decimal comma in French).
    init(_ input: ClinicalRecordInput?, language: String) {
        guard let input else { return }
        func number(_ value: Double) -> String {
            let text = InstrumentForm.number(value)
            return language == "en" ? text : text.replacingOccurrences(of: ".", with: ",")
        }
        products = (input.products ?? [:]).mapValues(number)
        values["eCigarette"] = input.eCigarette.map { $0 ? "yes" : "no" } ?? ""
        values["eCigaretteNicotineMgPerMl"] = input.eCigaretteNicotineMgPerMl.map(number)
        values["yearsSmoked"] = input.yearsSmoked.map(String.init)
        values["packYears"] = input.packYears.map(number)
        values["quitAttempts"] = input.quitAttempts.map(String.init)
        values["longestQuit"] = input.longestQuit.map(String.init)
        values["longestQuitUnit"] = input.longestQuitUnit
        values["quitDate"] = input.quitDate
        values["coPpm"] = input.coPpm.map(String.init)
        values["weightKg"] = input.weightKg.map(number)
        values["pregnancy"] = input.pregnancy
        values["craving"] = input.craving.map(String.init)
        values["goal"] = input.goal
        values["plan"] = input.plan
        symptoms = Set(input.withdrawalSymptoms ?? [])
    }

    init(_ request: Request, products codes: [String]) {
        for name in Self.scalars {
            let typed = request.formValue(name) ?? ""
            values[name] = name == "plan" ? typed : typed.trimmingCharacters(in: .whitespaces)
        }
        for code in codes {
            let typed = (request.formValue("products.\(code)") ?? "").trimmingCharacters(in: .whitespaces)
            if !typed.isEmpty { products[code] = typed }
        }
        symptoms = Set(request.formValues("withdrawalSymptoms"))
    }

    /// What the form says, as the API's body would, with the problems of what could not be read
    /// as a number (a decimal comma is accepted).
    func input() -> (ClinicalRecordInput, [String: Reason]) {
        var problems: [String: Reason] = [:]
        func decimal(_ text: String?, field: String, range: ClosedRange<Double>) -> Double? {
            guard let text, !text.isEmpty else { return nil }
            guard text.count <= 12, let value = Double(text.replacingOccurrences(of: ",", with: ".")), value.isFinite else {
                problems[field] = Reason(.decimalRange, ["min": InstrumentForm.number(range.lowerBound), "max": InstrumentForm.number(range.upperBound)])
                return nil
            }
            return value
        }
        func whole(_ name: String) -> Int? {
            guard let text = values[name], !text.isEmpty else { return nil }
            guard text.count <= 9, let value = Int(text) else {
                problems[name] = Reason(.expectedWholeNumber)
                return nil
            }
            return value
        }
        var input = ClinicalRecordInput()
        var counts: [String: Double] = [:]
        for (code, text) in products {
            counts[code] = decimal(text, field: "products.\(code)", range: 0...TobaccoEquivalents.maximumCount)
        }
        input.products = counts.isEmpty ? nil : counts
        switch values["eCigarette"] {
        case "yes": input.eCigarette = true
        case "no": input.eCigarette = false
        default: input.eCigarette = nil
        }
        input.eCigaretteNicotineMgPerMl = decimal(values["eCigaretteNicotineMgPerMl"], field: "eCigaretteNicotineMgPerMl",
                                                  range: Self.decimals["eCigaretteNicotineMgPerMl"]!)
        input.packYears = decimal(values["packYears"], field: "packYears", range: Self.decimals["packYears"]!)
        input.weightKg = decimal(values["weightKg"], field: "weightKg", range: Self.decimals["weightKg"]!)
        input.yearsSmoked = whole("yearsSmoked")
        input.quitAttempts = whole("quitAttempts")
        input.longestQuit = whole("longestQuit")
        input.coPpm = whole("coPpm")
        input.craving = whole("craving")
        input.longestQuitUnit = values["longestQuitUnit"]?.nilIfEmpty
        input.quitDate = values["quitDate"]?.nilIfEmpty
        input.pregnancy = values["pregnancy"]?.nilIfEmpty
        input.goal = values["goal"]?.nilIfEmpty
        input.plan = values["plan"]?.nilIfEmpty
        input.withdrawalSymptoms = symptoms.isEmpty ? nil : symptoms.sorted()
        return (input, problems)
    }
}

extension RelaisApp {
    /// The structured record of a consultation, one form per consultation, for its clinician only
    /// (403 for anyone else): the same use case as `PUT /api/v1/consultations/{id}/record`.
    func registerConsultationRecordPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/consultations/{id}/record") { request, context in
            let view = try app.actions.consultationRecord(request.parameter("id"), by: context.caller)
            guard view.clinician else { throw Refusal.forbidden(.notTheConsultationsClinician) }
            return try app.consultationRecordPage(request, context, view, form: ClinicalRecordForm(view.record ?? view.prefill, language: context.language))
        }

        routes.page(.post, "/consultations/{id}/record") { request, context in
            let view = try app.actions.consultationRecord(request.parameter("id"), by: context.caller)
            guard view.clinician else { throw Refusal.forbidden(.notTheConsultationsClinician) }
            var form = ClinicalRecordForm(request, products: app.actions.protocols.tobaccoEquivalents.products.map(\.code))
            let (input, unreadable) = form.input()
            let strings = app.renderer.strings(context.language)
            func refused(_ fields: [String: Reason], status: Int = 422, message: String? = nil) throws -> Response {
                for (field, reason) in fields {
                    form.errors[field] = app.renderer.text(reason, language: context.language, form: "consultation_record", field: field)
                }
                return try app.consultationRecordPage(request, context, view, form: form, status: status, message: message)
            }
            do {
                if !unreadable.isEmpty {
                    // What could be read is checked too, so that every problem shows at once.
                    var problems = unreadable
                    do throws(ValidationError) { _ = try input.validated(equivalents: app.actions.protocols.tobaccoEquivalents) } catch {
                        problems.merge(error.fields) { first, _ in first }
                    }
                    return try refused(problems)
                }
                _ = try app.actions.saveConsultationRecord(view.consultation.consultation.id, input,
                                                           coCorrectionReason: strings["cr_co_correction_reason"] ?? "",
                                                           coWithdrawalReason: strings["cr_co_withdrawal_reason"] ?? "", by: context.caller)
                return app.redirect("/consultations/\(view.consultation.consultation.id)/record", done: "cr_saved")
            } catch let error as ValidationError {
                return try refused(error.fields)
            } catch let refusal as Refusal where refusal.kind == .conflict {
                return try refused([:], status: 409, message: app.renderer.text(refusal.reason, language: context.language))
            }
        }
    }

    func consultationRecordPage(_ request: Request, _ context: WebContext, _ view: ConsultationRecordView, form: ClinicalRecordForm,
                                status: Int = 200, message: String? = nil) throws -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        func label(_ key: String) -> String { strings[key] ?? key }
        func number(_ value: Double) -> String { ParticipantText.number(value, language: language) }
        let consultation = view.consultation.consultation, programme = view.consultation.programme
        let participant = try actions.participant(consultation.participantId, by: context.caller)
        let names = try actions.staffNames(by: context.caller)
        let table = actions.protocols.tobaccoEquivalents
        let threshold = number(view.coThresholdPPM)
        let held = consultation.status != .cancelled && consultation.status != .missed

        var values: [String: Any] = [
            "notice": notice(request, context) ?? "",
            "consultation": ["id": consultation.id, "index": consultation.index, "when": when(consultation.startsAt, programme.zone, language)],
            "participant": ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)"],
            "programme": ["id": programme.id, "title": programme.title],
            "coHelp": strings.fill("cr_coPpm_help", ["threshold": threshold]),
            // Pregnancy is not asked of a man (the API keeps the field for every record).
            "askPregnancy": participant.sex != .male || !(form.values["pregnancy"] ?? "").isEmpty,
        ]
        if !held {
            values["notHeld"] = label(consultation.status == .cancelled ? "cr_not_held_cancelled" : "cr_not_held_missed")
        } else if view.notStarted != nil {
            values["notStarted"] = strings.fill("cr_not_started", ["when": when(consultation.startsAt, programme.zone, language)])
        } else {
            values["canWrite"] = true
        }
        if let stored = view.stored {
            values["current"] = strings.fill("cr_current", ["version": String(stored.current.version),
                                                            "when": when(stored.current.recordedAt, structureZone, language),
                                                            "by": stored.current.recordedBy.flatMap { names[$0] } ?? "—"])
            var figures: [String] = []
            if let perDay = stored.current.cigaretteEquivalents {
                figures.append(strings.fill("cr_equivalents_value", ["count": number(perDay)]))
            }
            if let packYears = stored.current.packYears, let source = stored.current.packYearsSource {
                figures.append(strings.fill("cr_packYears_value", ["value": number(packYears), "source": label("cr_source_\(source.rawValue)")]))
            }
            values["figures"] = figures
            if let co = stored.co, !co.isWithdrawn, let ppm = co.total {
                values["coReading"] = strings.fill("cr_co_reading", ["ppm": number(ppm),
                                                                     "band": bandLabel("co", score: "total", code: co.band, language: language) ?? ""])
                if view.coPoisoningPrompt {
                    values["coPrompt"] = strings.fill("cr_co_prompt", ["ppm": number(ppm), "threshold": threshold])
                }
            }
            values["history"] = stored.history.map { version -> [String: Any] in
                ["line": strings.fill("cr_history_line", [
                    "version": String(version.version), "when": when(version.recordedAt, structureZone, language),
                    "by": version.recordedBy.flatMap { names[$0] } ?? "—", "replacedOn": when(version.replacedAt, structureZone, language),
                    "replacedBy": version.replacedBy.flatMap { names[$0] } ?? "—"]),
                 "facts": recordFacts(version.input, figures: version.figures, language: language)]
            }
            values["hasHistory"] = !stored.history.isEmpty
        } else if let from = view.prefillFrom, view.prefill != nil, form.errors.isEmpty {
            values["prefilled"] = strings.fill("cr_prefilled", ["when": when(from.startsAt, structureZone, language)])
        }

        // The form.
        func field(_ name: String) -> [String: Any] {
            ["value": form.values[name] ?? "", "error": form.errors[name] ?? false]
        }
        var fields: [String: Any] = [:]
        for name in ClinicalRecordForm.scalars { fields[name] = field(name) }
        values["f"] = fields
        values["products"] = table.products.map { product -> [String: Any] in
            let name = "products.\(product.code)"
            return ["id": "products-\(product.code)", "name": name, "label": product.label.text(language),
                    "equivalent": strings.fill("b_equivalent", ["equivalent": number(product.equivalent)]),
                    "value": form.products[product.code] ?? "", "error": form.errors[name] ?? false]
        }
        func choices(_ name: String, _ options: [(String, String)]) -> [[String: Any]] {
            options.map { value, text in ["id": "\(name)-\(value.isEmpty ? "none" : value)", "value": value, "label": text,
                                          "checked": (form.values[name] ?? "") == value] }
        }
        values["eCigaretteChoices"] = choices("eCigarette", [("yes", label("cr_yes")), ("no", label("cr_no")), ("", label("cr_unknown"))])
        values["pregnancyChoices"] = choices("pregnancy", PregnancyStatus.allCases.map { ($0.rawValue, label("cr_pregnancy_\($0.rawValue)")) }
                                             + [("", label("cr_unknown"))])
        values["goalChoices"] = choices("goal", SmokingGoal.allCases.map { ($0.rawValue, label("b_goal_\($0.rawValue)")) } + [("", label("b_goal_none"))])
        values["unitOptions"] = options(QuitDurationUnit.allCases.map { ($0.rawValue, label("cr_unit_\($0.rawValue)")) },
                                        selected: form.values["longestQuitUnit"]?.nilIfEmpty ?? QuitDurationUnit.months.rawValue)
        var cravings: [(value: String, label: String)] = [("", label("cr_unknown"))]
        for value in 0...10 {
            let text = value == 0 ? label("cr_craving_0") : value == 10 ? label("cr_craving_10") : String(value)
            cravings.append((String(value), text))
        }
        values["cravingOptions"] = options(cravings, selected: form.values["craving"] ?? "")
        values["symptoms"] = WithdrawalSymptom.allCases.map { symptom -> [String: Any] in
            ["id": "withdrawalSymptoms-\(symptom.rawValue)", "value": symptom.rawValue, "label": label("cr_symptom_\(symptom.rawValue)"),
             "checked": form.symptoms.contains(symptom.rawValue)]
        }
        values["errors"] = form.errors
        if !form.errors.isEmpty || message != nil {
            values["hasErrors"] = true
            values["message"] = message ?? ""
            let order = table.products.map { "products.\($0.code)" } + ClinicalRecordForm.scalars + ["withdrawalSymptoms", "consultation"]
            var labels = Dictionary(uniqueKeysWithValues: table.products.map { ("products.\($0.code)", $0.label.text(language)) })
            for name in ClinicalRecordForm.scalars + ["withdrawalSymptoms"] { labels[name] = label("cr_\(name == "withdrawalSymptoms" ? "withdrawal" : name)") }
            labels["eCigarette"] = label("cr_ecig")
            labels["eCigaretteNicotineMgPerMl"] = label("cr_ecig_nicotine")
            labels["goal"] = label("b_goal")
            labels["consultation"] = label("consultation")
            values["summary"] = FormProblems(fields: form.errors).summary(order: order, labels: labels).map { item -> [String: Any] in
                // Anchors: a product's input is `products-<code>`.
                var item = item
                if let field = item["field"] as? String, field.hasPrefix("products.") { item["field"] = "products-" + field.dropFirst("products.".count) }
                return item
            }
        }
        return render(.consultationRecord, context, status: status, values)
    }

    /// A record's facts as lines ("label : value"), for the versions it replaced.
    func recordFacts(_ input: ClinicalRecordInput, figures: ClinicalRecordInput.Figures, language: String) -> [String] {
        let strings = renderer.strings(language)
        func label(_ key: String) -> String { strings[key] ?? key }
        func number(_ value: Double) -> String { ParticipantText.number(value, language: language) }
        let colon = language == "en" ? ": " : " : "
        let table = actions.protocols.tobaccoEquivalents
        var lines: [String] = []
        func add(_ key: String, _ value: String?) { if let value, !value.isEmpty { lines.append(label(key) + colon + value) } }
        if let products = input.products, !products.isEmpty {
            let list = table.products.compactMap { product in products[product.code].map { "\(product.label.text(language)) \(number($0))" } }
            add("cr_equivalents", figures.cigaretteEquivalents.map(number).map { "\($0) (\(list.joined(separator: ", ")))" })
        }
        add("cr_ecig", input.eCigarette.map { label($0 ? "cr_yes" : "cr_no") + (input.eCigaretteNicotineMgPerMl.map { ", \(number($0)) mg/mL" } ?? "") })
        add("cr_yearsSmoked", input.yearsSmoked.map(String.init))
        add("cr_packYears", figures.packYears.map { number($0) + (figures.packYearsSource.map { " (" + label("cr_source_\($0.rawValue)") + ")" } ?? "") })
        add("cr_quitAttempts", input.quitAttempts.map(String.init))
        add("cr_longestQuit", input.longestQuit.map { "\($0) " + label("cr_unit_\(input.longestQuitUnit ?? "days")") })
        add("cr_quitDate", input.quitDate.map { ParticipantText.date(iso: $0) })
        add("cr_coPpm", input.coPpm.map(String.init))
        add("cr_weightKg", input.weightKg.map(number))
        add("cr_pregnancy", input.pregnancy.map { label("cr_pregnancy_\($0)") })
        add("cr_craving", input.craving.map(String.init))
        add("cr_withdrawal", input.withdrawalSymptoms.map { $0.map { label("cr_symptom_\($0)") }.joined(separator: ", ") })
        add("b_goal", input.goal.map { label("b_goal_\($0)") })
        add("cr_plan", input.plan)
        return lines
    }
}
