import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The baseline correction form as typed: kept as is when refused, each problem next to its
/// field. Field names are those of `BaselineInput` (`products.<code>` for each product), so that
/// the use case's `baseline.<field>` problems land on them.
struct BaselineForm {
    var smokingStatus = ""
    var cigarettesPerDay = ""
    var products: [String: String] = [:]
    var goal = ""
    var quitDate = ""
    var publics: Set<String> = []
    var errors: [String: String] = [:]

    /// The form prefilled with the frozen baseline: a count entered by product shows per product.
    init(_ baseline: Baseline) {
        smokingStatus = baseline.smokingStatus.rawValue
        if baseline.products.isEmpty {
            cigarettesPerDay = baseline.cigarettesPerDay.map(InstrumentForm.number) ?? ""
        } else {
            products = baseline.products.mapValues(InstrumentForm.number)
        }
        goal = baseline.goal?.rawValue ?? ""
        quitDate = baseline.quitDate?.iso ?? ""
        publics = Set(baseline.publics.map(\.rawValue))
    }

    init(_ request: Request, products codes: [String]) {
        smokingStatus = request.formValue("smokingStatus") ?? ""
        cigarettesPerDay = (request.formValue("cigarettesPerDay") ?? "").trimmingCharacters(in: .whitespaces)
        for code in codes {
            let typed = (request.formValue("products.\(code)") ?? "").trimmingCharacters(in: .whitespaces)
            if !typed.isEmpty { products[code] = typed }
        }
        goal = request.formValue("goal") ?? ""
        quitDate = (request.formValue("quitDate") ?? "").trimmingCharacters(in: .whitespaces)
        publics = Set(request.formValues("publics"))
    }

    /// What the form asks, as the API's body would: the whole baseline, replaced. A status left
    /// as it was keeps where it came from (the record), so that correcting a count does not turn
    /// it into a declared one. Numbers take a decimal comma.
    func input(current: Baseline) throws(ValidationError) -> BaselineInput {
        var problems: [String: Reason] = [:]
        let range = Reason(.numberRange, ["min": "0", "max": String(Int(BaselineInput.maximumPerDay))])
        func number(_ text: String, field: String) -> Double? {
            guard !text.isEmpty else { return nil }
            guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value.isFinite else {
                problems[field] = range
                return nil
            }
            return value
        }
        var input = BaselineInput()
        input.smokingStatus = smokingStatus.isEmpty || smokingStatus == current.smokingStatus.rawValue ? nil : smokingStatus
        input.cigarettesPerDay = number(cigarettesPerDay, field: "baseline.cigarettesPerDay")
        var counts: [String: Double] = [:]
        for (code, text) in products { counts[code] = number(text, field: "baseline.products.\(code)") }
        input.products = counts
        input.goal = goal.nilIfEmpty
        input.quitDate = quitDate.nilIfEmpty
        input.publics = publics.sorted()
        guard problems.isEmpty else { throw ValidationError(problems) }
        return input
    }
}

extension RelaisApp {
    /// The publics a participant's record and form hold, by the name of their field.
    static let publicFields: [PriorityPublic: String] = [
        .pregnant: "pregnant", .chronicIllness: "chronicIllness", .mentalIllness: "mentalIllness", .disability: "disability",
        .complementaireSanteSolidaire: "complementaireSanteSolidaire", .justice: "justice", .precarity: "precarity", .isolation: "isolation",
    ]

    /// The enrolment page (planners): the baseline frozen at enrolment with where each value came
    /// from, and the form that corrects it, through the use case of `PUT /api/v1/enrolments/{id}/baseline`.
    func registerEnrolmentPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/enrolments/{id}", .plan) { request, context in
            let view = try app.actions.enrolment(request.parameter("id"), by: context.caller)
            return app.enrolmentPage(request, context, view, form: BaselineForm(view.enrolment.baseline))
        }

        routes.page(.post, "/enrolments/{id}/baseline", .plan) { request, context in
            let view = try app.actions.enrolment(request.parameter("id"), by: context.caller)
            var form = BaselineForm(request, products: app.actions.protocols.tobaccoEquivalents.products.map(\.code))
            do {
                _ = try app.actions.setBaseline(enrolmentID: view.enrolment.id, try form.input(current: view.enrolment.baseline), by: context.caller)
                return app.redirect("/enrolments/\(view.enrolment.id)", done: "b_saved")
            } catch let error as ValidationError {
                // Named `baseline.<field>` by the use case, as in the API; the form's fields drop the prefix.
                for (field, reason) in error.fields {
                    let name = field.hasPrefix("baseline.") ? String(field.dropFirst("baseline.".count)) : field
                    form.errors[name] = app.renderer.text(reason, language: context.language, form: "baseline", field: name)
                }
                return app.enrolmentPage(request, context, view, form: form, status: 422)
            }
        }
    }

    func enrolmentPage(_ request: Request, _ context: WebContext, _ view: EnrolmentView, form: BaselineForm, status: Int = 200) -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        func label(_ key: String) -> String { strings[key] ?? key }
        func number(_ value: Double) -> String { ParticipantText.number(value, language: language) }
        let baseline = view.enrolment.baseline
        let table = actions.protocols.tobaccoEquivalents

        // The consumption: the count entered, else the entry test's count or band, else nothing yet.
        var consumption: [String: Any] = ["missing": true]
        if let count = baseline.cigarettesPerDay {
            consumption = ["text": strings.fill("b_per_day", ["count": number(count)]), "source": label("b_source_declared_count")]
        } else if let test = view.entryTest {
            let text: String
            switch test {
            case .exact(let count): text = strings.fill("b_per_day", ["count": number(count)])
            case .band(let low, let high?): text = strings.fill("b_per_day_band", ["low": number(low), "high": number(high)])
            case .band(let low, nil): text = strings.fill("b_per_day_open", ["low": number(low)])
            }
            consumption = ["text": text, "source": label("b_source_entry_test")]
        }
        let products: [[String: Any]] = table.products.compactMap { product in
            guard let count = baseline.products[product.code] else { return nil }
            return ["text": strings.fill("b_product_line", ["product": product.label.text(language), "count": number(count),
                                                            "equivalent": number(product.equivalent), "total": number(count * product.equivalent)])]
        }
        let publics = PriorityPublic.recorded.filter(baseline.publics.contains).compactMap { Self.publicFields[$0] }.map { label("p_\($0)") }

        let order = ["smokingStatus", "cigarettesPerDay", "products", "goal", "quitDate", "publics"]
            + table.products.map { "products.\($0.code)" }
        let productLabels = Dictionary(uniqueKeysWithValues: table.products.map { ("products.\($0.code)", $0.label.text(language)) })
        let summary: [[String: Any]] = (order + form.errors.keys.filter { !order.contains($0) }.sorted()).compactMap { field in
            form.errors[field].map { ["anchor": field.replacingOccurrences(of: ".", with: "-"), "label": productLabels[field] ?? label("b_\(field)"),
                                      "reason": $0] }
        }
        var values: [String: Any] = [
            "participant": ["id": view.participant.id, "name": "\(view.participant.firstName) \(view.participant.lastName)"],
            "programme": ["id": view.programme.id, "title": view.programme.title],
            "enrolment": ["id": view.enrolment.id, "status": label("p_status_\(view.enrolment.status.rawValue)"),
                          "requestedOn": ParticipantText.date(view.enrolment.requestedAt, structureZone)],
            "baseline": [
                "status": label("p_\(baseline.smokingStatus.rawValue)"), "statusSource": label("b_source_\(baseline.smokingStatusSource.rawValue)"),
                "consumption": consumption, "products": products, "hasProducts": !products.isEmpty,
                "goal": baseline.goal.map { label("b_goal_\($0.rawValue)") as Any } ?? false,
                "quitDate": baseline.quitDate.map { ParticipantText.date($0) as Any } ?? false,
                "publics": publics.isEmpty ? false : publics.joined(separator: ", "),
            ] as [String: Any],
            "form": [
                "statuses": SmokerStatus.allCases.map { ["value": $0.rawValue, "label": label("p_\($0.rawValue)"), "checked": $0.rawValue == form.smokingStatus] },
                "cigarettesPerDay": form.cigarettesPerDay, "quitDate": form.quitDate, "today": today.iso,
                "products": table.products.map { product -> [String: Any] in
                    let field = "products.\(product.code)"
                    return ["name": field, "id": field.replacingOccurrences(of: ".", with: "-"), "label": product.label.text(language),
                            "equivalent": strings.fill("b_equivalent", ["equivalent": number(product.equivalent)]),
                            "value": form.products[product.code] ?? "", "error": form.errors[field] ?? false]
                },
                "goals": ([("", "b_goal_none")] + SmokingGoal.allCases.map { ($0.rawValue, "b_goal_\($0.rawValue)") }).map { value, key in
                    ["value": value, "id": value.isEmpty ? "none" : value, "label": label(key), "checked": value == form.goal]
                },
                "publics": PriorityPublic.recorded.compactMap { public_ in
                    Self.publicFields[public_].map { ["value": public_.rawValue, "label": label("p_\($0)"), "checked": form.publics.contains(public_.rawValue)] }
                },
                "errors": form.errors, "hasErrors": !form.errors.isEmpty, "summary": summary,
            ] as [String: Any],
        ]
        if let notice = notice(request, context) { values["notice"] = notice }
        return render(.enrolment, context, status: status, values)
    }
}
