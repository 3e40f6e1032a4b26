import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// What was typed in the orientation form, to show it again with its errors.
struct OrientationInput {
    var kinds: [String] = []
    var detail = ""
    var programmeID: String?
    var errors: [String: String] = [:]
}

extension RelaisApp {
    /// The instruments charted on the record, in this order, when they have scores.
    static let chartedInstruments = ["fagerstrom", "qmat", "co"]
    /// The order of the "record a test" links; other instruments follow by id.
    static let entryOrder = ["fagerstrom", "hsi", "co", "qmat", "decisional_balance", "satisfaction_end", "impact_end", "followup_3m"]

    /// "Fagerström", "Q-MAT": the short name the page uses (`p_short_<id>`), else the title
    /// without its parenthesis, so that a new instrument needs no code.
    func shortTitle(_ id: String, language: String) -> String {
        if let short = renderer.strings(language)["p_short_\(id)"] { return short }
        guard let title = instruments[id]?.definition.title.text(language) else { return id }
        return title.components(separatedBy: " (").first ?? title
    }

    func bandLabel(_ instrumentID: String, score: String, code: String?, language: String) -> String? {
        guard let code else { return nil }
        return instruments[instrumentID]?.band(score: score, code: code)?.label.text(language)
    }

    /// The confirmation after an entry: "Fagerström : 10 — dépendance forte".
    func savedNotice(_ record: AssessmentRecord, language: String) -> String {
        let strings = renderer.strings(language)
        let colon = language == "en" ? ": " : " : "
        let short = shortTitle(record.instrumentId, language: language)
        guard let total = record.total else { return short + colon + (strings["p_saved_no_total"] ?? "") }
        var text = short + colon + ParticipantText.number(total, language: language)
        if let label = bandLabel(record.instrumentId, score: "total", code: record.band, language: language) {
            text += " — " + label.lowercased()
        }
        return text
    }

    func participantRecordPage(_ request: Request, _ context: WebContext, id: String, status: Int = 200,
                               orientation: OrientationInput? = nil, treatment: TreatmentInput? = nil) throws -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        func label(_ key: String) -> String { strings[key] ?? key }
        let user = context.user
        let zone = structureZone
        let view = try actions.participantRecord(id, by: context.caller)
        let record = view.participant
        let enrolments = view.enrolments
        let programmesByID = view.programmes
        let staff = try actions.staffNames(by: context.caller)
        let showAssessments = user.role.allows(.readAssessments)
        let assessments = view.assessments

        var values: [String: Any] = [:]
        let flags = Set(record.publics.compactMap { Self.publicFields[$0] } + (record.difficultCarePath ? ["difficultCarePath"] : []))
        let priority = ParticipantForm.publicFields.filter(flags.contains).map { label("p_\($0)") }.joined(separator: ", ")
        values["participant"] = [
            "id": record.id, "name": "\(record.firstName) \(record.lastName)",
            "birthYear": record.birthYear.map { String($0) as Any } ?? false,
            "createdOn": ParticipantText.date(record.createdAt, zone),
            "email": record.email ?? false, "phone": record.phone ?? false, "postalAddress": record.postalAddress ?? false,
            "mobile": record.mobile.map { MobileNumber.display($0) as Any } ?? false,
            "channel": label("p_channel_\(record.preferredChannel.rawValue)"), "noContact": record.noContact,
            "smokerStatus": label("p_\(record.smokerStatus.rawValue)"),
            "sex": record.sex.map { label("p_sex_\($0.rawValue)") as Any } ?? false, "postalCode": record.postalCode ?? false,
            "priority": priority.isEmpty ? false : priority, "language": label("p_language_\(record.language)"),
            "noConsent": record.consentDataProcessingAt == nil,
        ] as [String: Any]
        values["consents"] = [("consentDataProcessing", record.consentDataProcessingAt), ("consentEmail", record.consentEmailAt),
                              ("consentSms", record.consentSmsAt), ("consentFollowUp", record.consentFollowUpAt)].map { name, date -> [String: Any] in
            ["label": label("p_\(name)"), "givenOn": date.map { ParticipantText.date($0, zone) as Any } ?? false]
        }
        values["enrolments"] = enrolments.map { item -> [String: Any] in
            ["programmeId": item.programme.id, "enrolmentId": item.enrolment.id, "title": item.programme.title,
             "firstSession": item.firstSession.map { ParticipantText.dateTime($0, item.programme.zone) } ?? "—",
             "status": label("p_status_\(item.enrolment.status.rawValue)"),
             "withdrawnOn": item.enrolment.withdrawnAt.map { ParticipantText.date($0, zone) as Any } ?? false,
             "reason": item.enrolment.withdrawalReason.map { $0 as Any } ?? false,
             "attended": strings.fill("p_sessions_attended", ["attended": String(item.sessionsAttended), "sessions": String(item.sessionCount)])]
        }
        values["hasEnrolments"] = !enrolments.isEmpty

        // Consultations: the note only for the tabacologue of the consultation or of the programme.
        let clinician = user.role.allows(.readClinical)
        values["showNotes"] = clinician
        values["consultations"] = view.consultations.map { item -> [String: Any] in
            let consultation = item.consultation
            let programme = item.programme
            let mayRead = item.clinician
            let note = consultation.note.trimmingCharacters(in: .whitespacesAndNewlines)
            return ["id": consultation.id, "when": ParticipantText.dateTime(consultation.startsAt, programme?.zone ?? zone), "index": consultation.index,
                    "programmeId": consultation.programmeId, "programme": programme?.title ?? "—",
                    "facilitator": staff[consultation.facilitatorId] ?? "—",
                    "modality": label("p_modality_\(consultation.modality.rawValue)"),
                    "status": label("p_consultation_\(consultation.status.rawValue)"),
                    "note": mayRead && !note.isEmpty ? note as Any : false, "noteReserved": clinician && !mayRead && item.hasNote,
                    "recordWritten": item.recordWrittenAt != nil, "recordLink": mayRead ? "/consultations/\(consultation.id)/record" : ""]
        }
        values["hasConsultations"] = !view.consultations.isEmpty
        values["canOpenConsultations"] = Access.mayOpenConsultation(role: user.role)

        // Assessments, newest first, with band labels; the charts; the entry links.
        let savedID = request.queryValue("saved")
        values["showAssessments"] = showAssessments
        let history = view.assessmentHistory
        let canChange = user.role.allows(.recordAssessments)
        values["canChangeAssessments"] = canChange
        func name(_ userID: String?) -> String { userID.flatMap { history.names[$0] ?? staff[$0] } ?? "—" }
        values["assessments"] = assessments.reversed().map { assessment -> [String: Any] in
            var derived: [String] = []
            for (score, value) in assessment.derivedScores.sorted(by: { $0.key < $1.key }) {
                guard let total = value.total else { continue }
                var text = (strings["p_short_\(score)"] ?? score.uppercased()) + " — " + ParticipantText.number(total, language: language)
                if let band = bandLabel(assessment.instrumentId, score: score, code: value.band, language: language) { text += " — " + band }
                derived.append(text)
            }
            return ["id": assessment.id, "date": ParticipantText.date(iso: assessment.takenOn),
                    "title": instruments[assessment.instrumentId]?.definition.title.text(language) ?? assessment.instrumentId,
                    "summary": assessmentSummary(assessment, language: language), "derived": derived,
                    "source": label("p_source_\(assessment.source.rawValue)"), "saved": assessment.id == savedID,
                    "canChange": canChange && !assessment.isWithdrawn, "coPrompt": view.coPoisoningPrompts.contains(assessment.id),
                    "withdrawn": assessment.withdrawnAt.map { at -> Any in
                        ["on": ParticipantText.date(at, zone), "by": name(assessment.withdrawnBy), "reason": assessment.withdrawnReason ?? ""]
                    } ?? false,
                    "corrections": correctionLines(history.corrections[assessment.id] ?? [], of: assessment, name: name, language: language),
                    "hasCorrections": history.corrections[assessment.id]?.isEmpty == false]
        }
        values["hasAssessments"] = !assessments.isEmpty
        let links: [[String: Any]] = user.role.allows(.recordAssessments) ? instruments.instruments.sorted { a, b in
            let ia = Self.entryOrder.firstIndex(of: a.id) ?? Int.max, ib = Self.entryOrder.firstIndex(of: b.id) ?? Int.max
            return ia == ib ? a.id < b.id : ia < ib
        }.map { ["id": $0.id, "title": shortTitle($0.id, language: language)] } : []
        values["recordLinks"] = links
        values["hasRecordLinks"] = !links.isEmpty
        // A withdrawn test is struck out in the list above, and counted nowhere: not in the charts.
        let charts = showAssessments ? self.charts(history.counted, language: language) : []
        values["charts"] = charts
        values["hasCharts"] = !charts.isEmpty

        // Treatments (the clinical record) and their forms.
        values["treatments"] = try treatmentSection(participantID: record.id, programmes: enrolments.map(\.programme), context: context,
                                                    input: treatment)

        // Orientations and their form.
        let orientations = view.orientations
        values["orientations"] = orientations.map { item -> [String: Any] in
            ["kind": label("p_orientation_\(item.kind.rawValue)"), "detail": item.detail.isEmpty ? false : item.detail,
             "date": ParticipantText.date(item.createdAt, zone),
             "programme": item.programmeId.flatMap { programmesByID[$0]?.title }.map { $0 as Any } ?? false,
             "followed": item.followed.map { label("p_followed_\($0)") as Any } ?? false]
        }
        values["hasOrientations"] = !orientations.isEmpty
        if user.role.allows(.writeClinical) {
            let input = orientation ?? OrientationInput()
            let programmeOptions = enrolments.map { ["value": $0.programme.id, "label": $0.programme.title, "selected": $0.programme.id == input.programmeID] }
            let summary: [[String: Any]] = ["kinds", "detail"].compactMap { field in
                input.errors[field].map { ["anchor": field, "label": label(field == "kinds" ? "p_orientation_kinds" : "p_orientation_detail"), "reason": $0] }
            }
            values["orientationForm"] = [
                "kinds": OrientationKind.allCases.map { ["value": $0.rawValue, "label": label("p_orientation_\($0.rawValue)"),
                                                         "checked": input.kinds.contains($0.rawValue)] },
                "detail": input.detail, "programmes": programmeOptions, "hasProgrammes": !programmeOptions.isEmpty,
                "errors": input.errors, "hasErrors": !input.errors.isEmpty, "summary": summary,
            ] as [String: Any]
        }

        // Follow-up: questionnaires and open phone tasks.
        let invitations = view.invitations
        let todayISO = today.iso
        values["invitations"] = invitations.map { invitation -> [String: Any] in
            ["purpose": label("p_purpose_\(invitation.purpose.rawValue)"),
             "instruments": invitation.instruments.map { shortTitle($0, language: language) }.joined(separator: ", "),
             "programme": programmesByID[invitation.programmeId]?.title ?? "—", "due": ParticipantText.date(iso: invitation.dueOn),
             "answeredOn": invitation.answeredAt.map { ParticipantText.date($0, zone) as Any } ?? false,
             "source": invitation.answeredSource.map { label("p_source_\($0)") } ?? "",
             "overdue": invitation.answeredAt == nil && invitation.dueOn < todayISO]
        }
        values["hasInvitations"] = !invitations.isEmpty
        let tasks = view.openTasks
        values["tasks"] = tasks.map { task in
            let reason = view.openTaskMessages[task.id].map { deliveryFailedSummary($0, language: language) } ?? task.reason
            return ["kind": label("p_task_\(task.kind.rawValue)"), "reason": reason, "due": ParticipantText.date(iso: task.dueOn)]
        }
        values["hasTasks"] = !tasks.isEmpty
        // The messages: by email, by SMS (with what the operator's report said), or a phone task instead.
        values["messages"] = view.messages.map { messageRow($0, language: language) }
        values["hasMessages"] = !view.messages.isEmpty
        values["showMessages"] = user.role.allows(.manageReminders)
        values["showTasksLink"] = user.role.allows(.manageReminders)

        values["canEdit"] = user.role.allows(.plan)
        values["canErase"] = user.role.allows(.eraseParticipants)
        if let savedID, let saved = assessments.first(where: { $0.id == savedID }) {
            // After a correction: "Correction enregistrée. Fagerström : 8 — dépendance moyenne".
            values["notice"] = (notice(request, context).map { $0 + " " } ?? "") + savedNotice(saved, language: language)
        } else if let notice = notice(request, context) {
            values["notice"] = notice
        }
        return render(.participantRecord, context, status: status, values)
    }

    /// Each correction of a test, oldest first: when, who, why, and what it said before
    /// ("03/09/2026 — Fagerström — 10 — Dépendance forte").
    func correctionLines(_ corrections: [AssessmentCorrection], of assessment: AssessmentRecord, name: (String?) -> String,
                         language: String) -> [[String: Any]] {
        corrections.map { correction in
            var before = assessment
            before.takenOn = correction.previousTakenOn
            before.total = correction.previousTotal
            before.band = correction.previousBand
            return ["on": ParticipantText.date(correction.correctedAt, structureZone), "by": name(correction.correctedBy), "reason": correction.reason,
                    "before": ParticipantText.date(iso: correction.previousTakenOn) + " — " + assessmentSummary(before, language: language)]
        }
    }

    /// "Fagerström — 10 — Dépendance forte".
    func assessmentSummary(_ assessment: AssessmentRecord, language: String) -> String {
        let strings = renderer.strings(language)
        var parts = [shortTitle(assessment.instrumentId, language: language)]
        if let total = assessment.total {
            parts.append(ParticipantText.number(total, language: language))
            if let band = bandLabel(assessment.instrumentId, score: "total", code: assessment.band, language: language) { parts.append(band) }
        } else {
            parts.append(strings[assessment.partial ? "p_partial" : "p_no_total"] ?? "")
        }
        return parts.joined(separator: " — ")
    }

    /// One small chart per charted instrument with at least one total, oldest reading first.
    func charts(_ assessments: [AssessmentRecord], language: String) -> [[String: Any]] {
        let strings = renderer.strings(language)
        var charts: [[String: Any]] = []
        for id in Self.chartedInstruments {
            guard let instrument = instruments[id], let score = instrument.definition.total else { continue }
            let scored = assessments.filter { $0.instrumentId == id && $0.total != nil }
                .sorted { ($0.takenOn, $0.recordedAt) < ($1.takenOn, $1.recordedAt) }
            guard !scored.isEmpty else { continue }
            let unit = score.items.count == 1 ? instrument.definition.item(score.items[0])?.unit?.text(language) : nil
            // Configurable thresholds (band edges that are parameters, such as the CO cut-off) are drawn.
            var thresholds: [Double] = []
            for band in instrument.schemes["total"]?.bands ?? [] {
                for edge in [band.min, band.below] {
                    if case .parameter(let name)? = edge, let value = instrument.parameters[name], !thresholds.contains(value) {
                        thresholds.append(value)
                    }
                }
            }
            let guides = thresholds.map {
                LineChart.Guide(value: $0, label: (strings["p_chart_threshold"] ?? "") + " " + ParticipantText.number($0, language: language)
                                + (unit.map { " \($0)" } ?? ""))
            }
            let points = scored.compactMap { assessment -> LineChart.Point? in
                guard let value = assessment.total else { return nil }
                let text = ParticipantText.number(value, language: language)
                let band = bandLabel(id, score: "total", code: assessment.band, language: language)
                let date = CalendarDate(iso: assessment.takenOn) ?? today
                return LineChart.Point(date: date, value: value, label: text,
                                       description: ParticipantText.date(date) + (language == "en" ? ": " : " : ") + text
                                        + (unit.map { " \($0)" } ?? "") + (band.map { " (\($0))" } ?? ""))
            }
            let upper = LineChart.fittedUpperBound(maximum: Double(score.max), values: points.map(\.value) + thresholds)
            let title = score.label.text(language)
            let summary = strings.fill("p_chart_summary", ["title": title, "count": String(points.count), "first": points[0].label,
                                                           "firstDate": ParticipantText.date(points[0].date), "last": points[points.count - 1].label,
                                                           "lastDate": ParticipantText.date(points[points.count - 1].date)])
            var chart = LineChart(id: "chart-\(id)", title: title, summary: summary, range: Double(score.min)...upper, points: points,
                                  guides: guides)
            chart.numberLabel = { ParticipantText.number($0, language: language) }
            charts.append(["id": id, "title": title, "svg": chart.svg(), "count": points.count])
        }
        return charts
    }
}
