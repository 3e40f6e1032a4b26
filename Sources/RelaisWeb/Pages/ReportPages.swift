import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The yearly evaluation (issue 7): one page per year (all sites or one) and per programme, with
/// every figure the funder asks, the definitions written on the page, SVG charts, printable to PDF
/// from the browser; and two CSV exports, pseudonymised and aggregate. Coordinators and
/// tabacologues (`readReports`); never peer helpers or administrators.
extension RelaisApp {
    func registerReportPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/reports", .readReports) { _, _ in
            .redirect(to: "/reports/years/\(app.today.year)")
        }

        routes.page(.get, "/reports/years/{year}", .readReports, reportPage({ try app.reportScope($0) }) { request, context, _, report in
            app.render(.report, context, app.reportContext(report, language: context.language, controls: true, query: Self.reportQuery(request)))
        })

        routes.page(.get, "/reports/programmes/{id}", .readReports, reportPage({ .programme($0.parameter("id")) }) { request, context, _, report in
            app.render(.report, context, app.reportContext(report, language: context.language, controls: true, query: Self.reportQuery(request)))
        })

        routes.page(.get, "/reports/years/{year}/participants.csv", .readReports, reportPage({ try app.reportScope($0) }) { request, context, scope, report in
            try app.actions.recordExport("participants.csv", scope: scope, by: context.caller)
            return Self.csvResponse(app.participantsCSV(report), filename: "relais-evaluation-\(request.parameter("year"))-participants.csv")
        })

        routes.page(.get, "/reports/years/{year}/aggregate.csv", .readReports, reportPage({ try app.reportScope($0) }) { request, context, scope, report in
            try app.actions.recordExport("aggregate.csv", scope: scope, by: context.caller)
            return Self.csvResponse(app.aggregateCSV(report, language: context.language),
                                    filename: "relais-evaluation-\(request.parameter("year"))-agrege.csv")
        })
    }

    /// A report route: the scope from the request, the report computed with the request's
    /// threshold, then `respond`; a refused scope or threshold gets the report's error page.
    func reportPage(_ scope: @escaping @Sendable (Request) throws -> EvaluationScope,
                    _ respond: @escaping @Sendable (Request, WebContext, EvaluationScope, EvaluationReport) throws -> Response) -> PageHandler {
        let app = self
        // Unknown years, sites and programmes, and a refused threshold, are answered by `PageRefusals`.
        return { request, context in
            let scope = try scope(request)
            let report = try app.actions.evaluation(scope, reducedThresholdPercent: try app.reducedThreshold(request), by: context.caller)
            return try respond(request, context, scope, report)
        }
    }

    // MARK: - Requests

    /// The year (and site) of `/reports/years/{year}[?site=ID]`, or 404.
    func reportScope(_ request: Request) throws -> EvaluationScope {
        guard request.parameter("year").count <= 4, let year = Int(request.parameter("year")), DateWindow.years.contains(year) else {
            throw Refusal.notFound(.reportNotFound, ["year": String(request.parameter("year").prefix(20)), "from": String(DateWindow.years.lowerBound),
                                                     "to": String(DateWindow.years.upperBound)])
        }
        let site = request.queryValue("site").flatMap { $0.isEmpty ? nil : $0 }
        return .year(year, siteID: site)
    }

    /// `?reduced=40`: the reduction threshold in percent (1–100); `evaluation.reduced_threshold_percent` by default.
    func reducedThreshold(_ request: Request) throws -> Double {
        guard let text = request.queryValue("reduced"), !text.isEmpty else { return Double(configuration.reducedThresholdPercent) }
        guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value >= 1, value <= 100 else {
            throw ValidationError(field: "reduced", .numberRange, ["min": "1", "max": "100"])
        }
        return value
    }

    /// The query kept on the page's links (site, threshold).
    static func reportQuery(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        if let site = request.queryValue("site"), !site.isEmpty { query["site"] = site }
        if let reduced = request.queryValue("reduced"), !reduced.isEmpty { query["reduced"] = reduced }
        return query
    }

    static func csvResponse(_ text: String, filename: String) -> Response {
        var response = Response.text(text, contentType: "text/csv; charset=utf-8")
        response.headerFields[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return response
    }

    // MARK: - The report

    /// The evaluation of a scope for the operator (`relais report`), who needs no account.
    public func evaluationReport(_ scope: EvaluationScope, reducedThresholdPercent: Double = 50, asOf: CalendarDate? = nil) throws -> EvaluationReport {
        try actions.evaluation(scope, reducedThresholdPercent: reducedThresholdPercent, asOf: asOf, by: .commandLine("report"))
    }

    /// The report as the API gives it: the figures (codes and counts) and the definitions in `language`.
    public func reportJSONObject(_ report: EvaluationReport, language: String) throws -> [String: Any] {
        var object = try JSONSerialization.jsonObject(with: JSONBody.data(report)) as? [String: Any] ?? [:]
        object["definitions"] = EvaluationDefinitions.all(report.settings, language: language).map {
            ["id": $0.id, "term": $0.term, "text": $0.text]
        }
        object["format"] = "relais-evaluation/1"
        return object
    }

    /// The same page as `/reports/…`, as one HTML file with its stylesheet inside (`relais report --format html`).
    public func reportStandaloneHTML(_ report: EvaluationReport, language: String) -> String {
        let stylesheet = String(decoding: resources.stylesheet, as: UTF8.self)
        var values = reportContext(report, language: language, controls: false, query: [:])
        values["css"] = stylesheet
        values["structure"] = configuration.structureName
        values["version"] = RelaisVersion.current
        values["generatedText"] = ReportFormat(language: language, strings: renderer.strings(language))
            .fill("r_generated", DateWording.day(today, language: language))
        return renderer.render(.reportStandalone, language: language, context: values)
    }

    // MARK: - Page context

    func reportContext(_ report: EvaluationReport, language: String, controls: Bool, query: [String: String]) -> [String: Any] {
        let f = ReportFormat(language: language, strings: renderer.strings(language))
        let isYear = report.scope.kind == "year"
        let year = report.scope.year ?? today.year
        func link(_ path: String, _ extra: [String: String?] = [:]) -> String {
            var items = query
            for (key, value) in extra { items[key] = value }
            let text = items.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            return text.isEmpty ? path : path + "?" + text
        }
        var values: [String: Any] = ["isYear": isYear, "isProgramme": !isYear, "controls": controls, "year": year]
        if isYear {
            values["heading"] = f.fill("r_heading_year", String(year))
            values["subtitle"] = report.scope.siteName.map { f.fill("r_subtitle_site", $0) } ?? f.s("r_all_sites")
            let allSites = (try? actions.sites(by: .commandLine("report"))) ?? []
            var siteLinks: [[String: Any]] = [["name": f.s("r_all_sites"), "url": link("/reports/years/\(year)", ["site": nil]),
                                               "selected": report.scope.siteId == nil]]
            for (site, _) in allSites {
                siteLinks.append(["name": site.name, "url": link("/reports/years/\(year)", ["site": site.id]), "selected": report.scope.siteId == site.id])
            }
            for index in siteLinks.indices { siteLinks[index]["last"] = index == siteLinks.count - 1 }
            values["sites"] = siteLinks
            values["previousYear"] = year - 1
            values["nextYear"] = year + 1
            values["previousYearURL"] = link("/reports/years/\(year - 1)")
            values["nextYearURL"] = link("/reports/years/\(year + 1)")
            values["aggregateCSV"] = link("/reports/years/\(year)/aggregate.csv")
            values["participantsCSV"] = link("/reports/years/\(year)/participants.csv")
        } else {
            values["heading"] = f.fill("r_heading_programme", report.scope.programmeTitle ?? "")
            let line = report.programmes.lines.first
            values["subtitle"] = [report.scope.siteName, line?.firstDate.map { f.fill("r_from_date", f.date($0)) }].compactMap { $0 }.joined(separator: " · ")
            values["yearURL"] = link("/reports/years/\(year)", ["site": nil])
        }
        values["asOfText"] = f.fill("r_as_of", f.date(report.asOf))
        values["settingsText"] = f.fill("r_settings", f.number(report.settings.reducedThresholdPercent), f.number(report.settings.coThresholdPPM))

        let followUp = report.followUp
        let overall = report.satisfaction.items.first { $0.item == "overall" }
        var keys: [[String: Any]] = [
            ["label": f.s("r_kf_programmes"), "value": "\(report.programmes.held) / \(report.programmes.planned)",
             "detail": report.programmes.cancelled > 0 ? f.fill("r_kf_cancelled", String(report.programmes.cancelled)) : ""],
            ["label": f.s("r_kf_participants"), "value": String(report.participants.counted),
             "detail": f.fill("r_kf_started", String(report.participants.started))],
            ["label": f.s("r_kf_priority"), "value": f.percent(report.participants.priority.percent), "detail": f.ratio(report.participants.priority)],
            ["label": f.s("r_kf_completed"), "value": f.percent(report.attendance.completedSessions.percent), "detail": f.ratio(report.attendance.completedSessions)],
            ["label": f.s("r_kf_response"), "value": f.percent(followUp.responseRate),
             "detail": f.fill("r_kf_response_detail", String(followUp.respondents), String(followUp.eligible))],
            ["label": f.s("r_kf_stopped"), "value": f.percent(followUp.line("stopped")?.amongRespondents),
             "detail": f.fill("r_kf_itt", f.percent(followUp.line("stopped")?.intentionToTreat))],
            ["label": f.s("r_kf_stopped_or_reduced"), "value": f.percent(followUp.line("stopped_or_reduced")?.amongRespondents),
             "detail": f.fill("r_kf_itt", f.percent(followUp.line("stopped_or_reduced")?.intentionToTreat))],
            ["label": f.s("r_kf_co"), "value": String(followUp.coValidated),
             "detail": f.fill("r_kf_co_detail", f.percent(followUp.coValidatedAmongRespondents), f.percent(followUp.coValidatedIntentionToTreat))],
        ]
        if let overall {
            keys.append(["label": f.s("r_kf_satisfied"), "value": f.percent(overall.satisfied.percent), "detail": f.ratio(overall.satisfied)])
        }
        values["keyFigures"] = keys

        // Programmes.
        let programmes = report.programmes
        values["programmes"] = [
            "summary": f.fill("r_programmes_summary", String(programmes.planned), String(programmes.held), String(programmes.notYetHeld),
                              String(programmes.finished), String(programmes.cancelled)),
            "hasLines": !programmes.lines.isEmpty,
            "lines": programmes.lines.map { line -> [String: Any] in
                // A standalone file has no links to follow.
                ["title": line.title, "url": controls ? link("/reports/programmes/\(line.id)", ["site": nil]) : "", "site": line.siteName ?? f.s("r_visio_only"),
                 "first": line.firstDate.map(f.date) ?? "—", "state": f.s("r_line_state_\(line.status)"),
                 "sessions": "\(line.sessionsHeld) / \(line.sessionsPlanned)", "participants": line.participants, "coLed": line.coLedByPeerHelper,
                 "completed": f.ratio(line.completedSessions),
                 "followUp": line.followUpRespondents.denominator == 0 ? "—"
                    : f.fill("r_line_follow_up", String(line.followUpRespondents.count), String(line.followUpRespondents.denominator),
                             String(line.followUpStopped))]
            },
        ] as [String: Any]

        // Participants.
        let p = report.participants
        var participantRows: [[String: Any]] = [
            ["label": f.s("r_p_counted"), "count": p.counted, "share": "", "sub": false],
            ["label": f.s("r_p_started"), "count": p.started, "share": f.percent(Evaluation.percent(p.started, p.counted)), "sub": true],
            ["label": f.s("r_p_never"), "count": p.neverAttended, "share": f.percent(Evaluation.percent(p.neverAttended, p.counted)), "sub": true],
            ["label": f.s("r_p_withdrawn_after"), "count": p.withdrawnAfterStarting, "share": f.percent(Evaluation.percent(p.withdrawnAfterStarting, p.counted)), "sub": true],
            ["label": f.s("r_p_priority"), "count": p.priority.count, "share": f.percent(p.priority.percent), "sub": false],
            ["label": f.s("r_p_precarity"), "count": p.precarity.count, "share": f.percent(p.precarity.percent), "sub": true],
            ["label": f.s("r_p_isolation"), "count": p.isolation.count, "share": f.percent(p.isolation.percent), "sub": true],
            ["label": f.s("r_p_difficult"), "count": p.difficultCarePath.count, "share": f.percent(p.difficultCarePath.percent), "sub": true],
            ["label": f.s("r_p_smokers"), "count": p.smokers, "share": f.percent(Evaluation.percent(p.smokers, p.counted)), "sub": false],
            ["label": f.s("r_p_ex_smokers"), "count": p.exSmokers, "share": f.percent(Evaluation.percent(p.exSmokers, p.counted)), "sub": false],
        ]
        if p.erased > 0 { participantRows.append(["label": f.s("r_p_erased"), "count": p.erased, "share": "", "sub": true]) }
        participantRows.append(["label": f.s("r_p_withdrawn_before"), "count": p.withdrawnBeforeStarting, "share": "", "sub": false])
        participantRows.append(["label": f.s("r_p_waiting"), "count": p.waiting, "share": "", "sub": false])
        values["participantRows"] = participantRows

        // Attendance.
        let attendance = report.attendance
        let sessionRows = attendance.sessions.map { session -> [String: Any] in
            ["label": f.fill("r_session_n", String(session.index)), "date": session.date.map(f.date) ?? "", "cancelled": session.cancelled,
             "held": session.held, "expected": session.expected, "present": session.present, "excused": session.excused,
             "absent": session.absent, "notRecorded": session.notRecorded, "share": f.percent(session.presentShare.percent)]
        }
        let attendanceChart = BarChart(
            id: "chart-attendance", title: f.s("r_chart_attendance"),
            summary: attendance.sessions.map { f.fill("r_chart_attendance_bar", String($0.index), String($0.presentShare.count),
                                                      String($0.presentShare.denominator), f.percent($0.presentShare.percent)) }.joined(separator: " ; "),
            series: [f.s("r_col_present_share")],
            groups: attendance.sessions.map { session in
                BarChart.Group(label: f.fill(attendance.sessions.count > 6 ? "r_session_short" : "r_session_n", String(session.index)), bars: [
                    .init(value: session.presentShare.percent ?? 0,
                          label: session.presentShare.denominator == 0 ? "—" : f.percent(session.presentShare.percent),
                          description: f.fill("r_chart_attendance_bar", String(session.index), String(session.presentShare.count),
                                              String(session.presentShare.denominator), f.percent(session.presentShare.percent)))])
            }, maximum: 100, unit: f.percentUnit)
        let sessionCounts = attendance.sessionsPerProgramme.map(String.init).joined(separator: ", ")
        let consultationCounts = attendance.consultationsPerProgramme.map(String.init).joined(separator: ", ")
        values["attendance"] = [
            "chart": attendanceChart.svg(), "rows": sessionRows,
            "completedSessions": f.fill("r_completed_sessions", sessionCounts.isEmpty ? "—" : sessionCounts,
                                        String(attendance.completedSessions.count), String(attendance.completedSessions.denominator),
                                        f.percent(attendance.completedSessions.percent)),
            "completedConsultations": f.fill("r_completed_consultations", consultationCounts.isEmpty ? "—" : consultationCounts,
                                             String(attendance.completedConsultations.count), String(attendance.completedConsultations.denominator),
                                             f.percent(attendance.completedConsultations.percent), String(attendance.consultationsDone)),
        ] as [String: Any]

        // Scores at entry.
        func bandLabel(_ instrument: String, _ score: String, _ code: String) -> String {
            instruments[instrument]?.band(score: score, code: code)?.label.text(language)
                ?? (score == "hsi" ? instruments["hsi"]?.band(score: "total", code: code)?.label.text(language) : nil) ?? code
        }
        func scoreRow(_ key: String, _ summary: EvaluationReport.ScoreSummary, instrument: String, score: String) -> [String: Any] {
            ["label": f.s(key), "n": summary.n, "mean": f.number(summary.mean),
             "range": summary.minimum.map { "\(f.number($0)) – \(f.number(summary.maximum))" } ?? "—",
             "bands": summary.bands.map { ["text": f.fill("r_band_count", bandLabel(instrument, score, $0.code), String($0.count))] }]
        }
        let cigarettes = report.entryScores.cigarettesPerDay
        values["entryRows"] = [
            scoreRow("r_m_fagerstrom", report.entryScores.fagerstrom, instrument: "fagerstrom", score: "total"),
            scoreRow("r_m_hsi", report.entryScores.hsi, instrument: "fagerstrom", score: "hsi"),
            scoreRow("r_m_qmat", report.entryScores.qmat, instrument: "qmat", score: "total"),
            scoreRow("r_m_co", report.entryScores.coPPM, instrument: "co", score: "total"),
            ["label": f.s("r_m_cigarettes"), "n": cigarettes.n, "mean": f.number(cigarettes.mean), "range": "—", "bands": [[String: Any]](),
             "note": f.fill("r_cigarettes_note", String(cigarettes.fromCount), String(cigarettes.fromBand))],
        ]

        // Q-MAT before / after.
        let qmat = report.qmatChange
        let qmatChart = BarChart(
            id: "chart-qmat", title: f.fill("r_qmat_caption", String(qmat.pairs)),
            summary: f.fill("r_qmat_text", f.number(qmat.entryMean), f.number(qmat.endMean), f.signed(qmat.meanChange),
                            String(qmat.higher), String(qmat.same), String(qmat.lower)),
            series: [f.s("r_series_entry"), f.s("r_series_end")],
            groups: zip(qmat.entryBands, qmat.endBands).map { entry, end in
                BarChart.Group(label: bandLabel("qmat", "total", entry.code), bars: [
                    .init(value: Double(entry.count), label: String(entry.count),
                          description: f.fill("r_qmat_bar", f.s("r_series_entry"), bandLabel("qmat", "total", entry.code), String(entry.count))),
                    .init(value: Double(end.count), label: String(end.count),
                          description: f.fill("r_qmat_bar", f.s("r_series_end"), bandLabel("qmat", "total", end.code), String(end.count))),
                ])
            })
        values["qmat"] = [
            "hasPairs": qmat.pairs > 0, "chart": qmatChart.svg(), "caption": f.fill("r_qmat_caption", String(qmat.pairs)),
            "text": f.fill("r_qmat_text", f.number(qmat.entryMean), f.number(qmat.endMean), f.signed(qmat.meanChange),
                           String(qmat.higher), String(qmat.same), String(qmat.lower)),
        ] as [String: Any]

        // Outcomes.
        func statusLabel(_ code: String) -> String {
            code == "reduced" ? f.fill("r_status_reduced", f.number(report.settings.reducedThresholdPercent)) : f.s("r_status_\(code)")
        }
        func timePoint(_ outcome: EvaluationReport.OutcomeSummary, title: String, note: String?) -> [String: Any] {
            var summary = f.fill("r_outcome_summary", String(outcome.started), String(outcome.eligible), String(outcome.notYetDue),
                                 String(outcome.respondents), f.percent(outcome.responseRate), String(outcome.questionnairesAnswered))
            if outcome.timePoint == "follow_up" { summary += " " + f.fill("r_outcome_lost", String(outcome.lostToFollowUp)) }
            return [
                "title": title, "summary": summary, "note": note ?? "",
                "rows": outcome.lines.map { line -> [String: Any] in
                    ["label": statusLabel(line.status), "count": line.count, "total": line.status == "stopped_or_reduced",
                     "respondents": line.status == "unknown" ? "—" : f.percent(line.amongRespondents),
                     "itt": line.intentionToTreat == nil ? "—" : f.percent(line.intentionToTreat)]
                },
                "co": f.fill("r_outcome_co", f.number(report.settings.coThresholdPPM), String(outcome.coValidated),
                             f.percent(outcome.coValidatedAmongRespondents), f.percent(outcome.coValidatedIntentionToTreat)),
            ]
        }
        let end = report.endOfProgramme
        let outcomeChart = BarChart(
            id: "chart-outcomes", title: f.s("r_chart_outcomes"),
            summary: SmokingOutcome.allCases.map { outcome in
                f.fill("r_outcome_bar_summary", statusLabel(outcome.rawValue), String(end.count(outcome)), String(end.eligible),
                       String(followUp.count(outcome)), String(followUp.eligible))
            }.joined(separator: " ; "),
            series: [f.s("r_tp_end"), f.s("r_tp_follow_up")],
            groups: SmokingOutcome.allCases.map { outcome in
                BarChart.Group(label: f.s("r_status_short_\(outcome.rawValue)"), bars: [(f.s("r_tp_end"), end), (f.s("r_tp_follow_up"), followUp)].map { name, summary in
                    let share = Evaluation.percent(summary.count(outcome), summary.eligible)
                    return BarChart.Bar(value: share ?? 0, label: String(summary.count(outcome)),
                                        description: f.fill("r_outcome_bar", name, statusLabel(outcome.rawValue), String(summary.count(outcome)),
                                                            String(summary.eligible), f.percent(share)))
                })
            }, maximum: 100, unit: f.percentUnit)
        values["outcomes"] = [
            "chart": outcomeChart.svg(),
            "timePoints": [timePoint(end, title: f.s("r_tp_end"), note: end.respondents == 0 ? f.s("r_end_note") : nil),
                           timePoint(followUp, title: f.s("r_tp_follow_up"), note: nil)],
        ] as [String: Any]

        // Satisfaction and impact.
        let satisfactionInstrument = instruments["satisfaction_end"]?.definition
        let optionLabels = satisfactionInstrument?.items.first { $0.type == .singleChoice }?.options?.map { $0.label.text(language) }
            ?? report.satisfaction.items.first?.distribution.map(\.code) ?? []
        values["satisfaction"] = [
            "summary": f.fill("r_satisfaction_summary", String(report.satisfaction.respondents)),
            "hasItems": report.satisfaction.respondents > 0, "options": optionLabels,
            "items": report.satisfaction.items.map { item -> [String: Any] in
                ["label": satisfactionInstrument?.item(item.item)?.text.text(language) ?? item.item, "n": item.n, "mean": f.number(item.mean),
                 "satisfied": f.percent(item.satisfied.percent), "counts": item.distribution.map { String($0.count) }]
            },
        ] as [String: Any]
        let impactInstrument = instruments["impact_end"]?.definition
        values["impact"] = [
            "summary": f.fill("r_impact_summary", String(report.impact.respondents)), "hasItems": report.impact.respondents > 0,
            "items": report.impact.items.map { item -> [String: Any] in
                ["label": impactInstrument?.item(item.item)?.text.text(language) ?? item.item, "n": item.n, "mean": f.number(item.mean),
                 "range": item.minimum.map { "\(f.number($0)) – \(f.number(item.maximum))" } ?? "—"]
            },
        ] as [String: Any]

        // Orientations, peer helpers, messages, tasks.
        let orientations = report.orientations
        values["orientations"] = [
            "summary": f.fill("r_orientations_summary", String(orientations.made), String(orientations.participantsOriented),
                              f.ratio(orientations.followedShare)),
            "kinds": orientations.byKind.map { ["label": f.s("r_kind_\($0.code)"), "count": $0.count] },
            "followed": orientations.followed.map { ["label": f.s("r_followed_\($0.code)"), "count": $0.count] },
        ] as [String: Any]
        values["peerHelpers"] = f.fill("r_peer_helpers", String(report.peerHelpers.sessionsCoLed.count), String(report.peerHelpers.sessionsHeld),
                                       f.percent(report.peerHelpers.sessionsCoLed.percent), String(report.peerHelpers.programmesCoLed))
        let messages = report.messages
        values["messages"] = [
            "summary": f.fill("r_messages_summary", String(messages.sent), String(messages.failed), String(messages.pending)),
            "hasRows": !messages.byKind.isEmpty,
            "rows": messages.byKind.map { kind -> [String: Any] in
                ["label": f.s("r_mail_\(kind.kind)"), "counts": kind.states.prefix(5).map { String($0.count) }]
            },
        ] as [String: Any]
        let tasks = report.phoneTasks
        values["tasks"] = [
            "summary": f.fill("r_tasks_summary", String(tasks.done), String(tasks.unreachable), String(tasks.open)),
            "hasRows": !tasks.byKind.isEmpty,
            "rows": tasks.byKind.map { kind -> [String: Any] in
                ["label": f.s("r_task_kind_\(kind.kind)"), "counts": kind.states.prefix(3).map { String($0.count) }]
            },
        ] as [String: Any]
        values["erased"] = report.erased.counted > 0 ? f.fill("r_erased", String(report.erased.counted)) : ""
        values["definitions"] = EvaluationDefinitions.all(report.settings, language: language).map {
            ["id": $0.id, "term": $0.term, "text": $0.text]
        }
        return values
    }
}

/// Numbers, percentages and sentences of the report in the reader's language.
struct ReportFormat {
    let language: String
    let strings: [String: String]

    var french: Bool { language != "en" }
    var percentUnit: String { french ? " %" : "%" }

    func s(_ key: String) -> String { strings[key] ?? key }

    /// The string `key` with `{1}`, `{2}`… replaced.
    func fill(_ key: String, _ arguments: String...) -> String {
        var text = s(key)
        for (index, argument) in arguments.enumerated() { text = text.replacingOccurrences(of: "{\(index + 1)}", with: argument) }
        return text
    }

    /// "5,5" in French, "5.5" in English; at most two decimals; "—" for nothing.
    func number(_ value: Double?) -> String {
        guard let value else { return "—" }
        var text = SmallCounts.format(Evaluation.rounded(value, places: 2))
        if french { text = text.replacingOccurrences(of: ".", with: ",") }
        return text
    }

    func signed(_ value: Double?) -> String {
        guard let value else { return "—" }
        return (value > 0 ? "+" : "") + number(value)
    }

    func percent(_ value: Double?) -> String {
        guard let value else { return "—" }
        return number(value) + percentUnit
    }

    /// "5 / 9 (55,6 %)"; "—" out of nothing.
    func ratio(_ proportion: Proportion) -> String {
        guard proportion.denominator > 0 else { return "—" }
        return "\(proportion.count) / \(proportion.denominator)" + (proportion.percent.map { " (\(percent($0)))" } ?? "")
    }

    func date(_ date: CalendarDate) -> String { DateWording.day(date, language: language) }
}

// MARK: - CSV exports

extension RelaisApp {
    /// The items of the end questionnaires exported per participant: satisfaction (1–4) and impact (0–10).
    var exportedSatisfactionItems: [(id: String, options: [String])] {
        instruments["satisfaction_end"]?.definition.items.filter { $0.type == .singleChoice }.map { ($0.id, ($0.options ?? []).map(\.code)) } ?? []
    }

    var exportedImpactItems: [String] {
        instruments["impact_end"]?.definition.items.filter { $0.type == .integer || $0.type == .number }.map(\.id) ?? []
    }

    /// The columns of `participants.csv`. No name, email, phone, postal address or birth date:
    /// a pseudonym, the programme, flags, attendance, scores, statuses and answers as codes.
    public var participantCSVColumns: [String] {
        ["participant", "programme", "programme_start", "site", "template", "enrolment", "smoker_status", "precarity", "isolation",
         "difficult_care_path", "sessions_planned", "sessions_attended", "all_sessions", "consultations_planned", "consultations_done",
         "all_consultations", "fagerstrom_entry", "fagerstrom_band", "hsi_entry", "hsi_band", "cigarettes_per_day_entry",
         "cigarettes_entry_from_band", "qmat_entry", "qmat_end", "co_entry_ppm", "end_eligible", "end_answered", "end_status",
         "end_co_validated", "followup_due", "followup_eligible", "followup_answered", "followup_status", "followup_cigarettes_per_day",
         "followup_co_validated", "followup_unreachable"]
            + exportedSatisfactionItems.map { "satisfaction_\($0.id)" } + exportedImpactItems.map { "impact_\($0)" }
            + ["orientations", "orientation_followed"]
    }

    /// One row per participation (a participant in two programmes of the year has two rows with the
    /// same pseudonym), pseudonymised with a random key drawn for this export only. Erased
    /// participants are not in it: their anonymous rows are only counted in the aggregates.
    public func participantsCSV(_ report: EvaluationReport, pseudonymizer: Pseudonymizer = Pseudonymizer()) -> String {
        let lines = Dictionary(report.programmes.lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func flag(_ value: Bool?) -> String { value.map { $0 ? "1" : "0" } ?? "" }
        func number(_ value: Double?) -> String { value.map(SmallCounts.format) ?? "" }
        var rows = [participantCSVColumns]
        for result in report.participations where !result.erased {
            let line = lines[result.programmeID]
            var row = [
                pseudonymizer.pseudonym(result.participantID), result.programmeID, line?.firstDate?.iso ?? "", line?.siteName ?? "",
                line?.templateId ?? "", result.status, result.smokerStatus, flag(result.precarity), flag(result.isolation),
                flag(result.difficultCarePath), String(result.sessionsPlanned), String(result.sessionsAttended), flag(result.completedSessions),
                String(result.consultationsPlanned), String(result.consultationsDone), flag(result.completedConsultations),
                number(result.fagerstromEntry), result.fagerstromBand ?? "", number(result.hsiEntry), result.hsiBand ?? "",
                number(result.cigarettesEntry), result.cigarettesEntry == nil ? "" : flag(result.cigarettesEntryEstimated),
                number(result.qmatEntry), number(result.qmatEnd), number(result.coEntry), flag(result.endEligible),
                flag(result.endAnswered), result.endEligible ? result.endStatus.rawValue : "", result.endEligible ? flag(result.endCOValidated) : "",
                result.followUpDue?.iso ?? "", flag(result.followUpEligible), flag(result.followUpAnswered),
                result.followUpEligible ? result.followUpStatus.rawValue : "", number(result.followUpCigarettes),
                result.followUpEligible ? flag(result.followUpCOValidated) : "", flag(result.followUpUnreachable),
            ]
            for item in exportedSatisfactionItems {
                let value = result.satisfaction[item.id].flatMap { code in item.options.firstIndex(of: code).map { item.options.count - $0 } }
                row.append(value.map(String.init) ?? "")
            }
            for item in exportedImpactItems { row.append(number(result.impact[item])) }
            row.append(String(result.orientations))
            row.append(result.orientations > 0 ? (result.orientationFollowed ?? "unknown") : "")
            rows.append(row)
        }
        return CSV.text(rows)
    }

    /// The aggregate file meant to leave the structure: `section,indicator,category,value,denominator,percent`,
    /// with counts from 1 to 4 written "< 5", and percentages and means over them masked too. The
    /// thresholds used come first (`settings`), the definitions in `language` last (`definition`).
    public func aggregateCSV(_ report: EvaluationReport, language: String = "fr") -> String {
        let small = report.settings.smallCount
        var rows: [[String]] = [["section", "indicator", "category", "value", "denominator", "percent"]]
        func count(_ section: String, _ indicator: String, _ value: Int) { count(section, indicator, "", value) }
        func count(_ section: String, _ indicator: String, _ category: String, _ value: Int) {
            rows.append([section, indicator, category, SmallCounts.count(value, threshold: small), "", ""])
        }
        func share(_ section: String, _ indicator: String, _ value: Int, of denominator: Int) { share(section, indicator, "", value, of: denominator) }
        func share(_ section: String, _ indicator: String, _ category: String, _ value: Int, of denominator: Int) {
            rows.append([section, indicator, category, SmallCounts.count(value, threshold: small), SmallCounts.count(denominator, threshold: small),
                         SmallCounts.percent(value, of: denominator, threshold: small)])
        }
        func rate(_ section: String, _ indicator: String, _ category: String, _ value: Int, of denominator: Int, _ percent: Double?) {
            rows.append([section, indicator, category, SmallCounts.count(value, threshold: small), SmallCounts.count(denominator, threshold: small),
                         SmallCounts.rate(percent, count: value, base: denominator, threshold: small)])
        }
        func mean(_ section: String, _ indicator: String, _ category: String, _ value: Double?, n: Int) {
            rows.append([section, indicator, category, SmallCounts.mean(value, n: n, threshold: small), SmallCounts.count(n, threshold: small), ""])
        }
        func setting(_ indicator: String, _ value: String) { rows.append(["settings", indicator, "", value, "", ""]) }
        /// Activity figures of the structure (programmes, sessions, messages, calls), not of people: never masked.
        func activity(_ section: String, _ indicator: String, _ category: String, _ value: Int, of denominator: Int? = nil) {
            rows.append([section, indicator, category, String(value), denominator.map(String.init) ?? "",
                         denominator.flatMap { Evaluation.percent(value, $0) }.map(SmallCounts.format) ?? ""])
        }

        // What, when, with which thresholds (not counts: never masked).
        setting("scope", report.scope.kind)
        if let year = report.scope.year { setting("year", String(year)) }
        if let site = report.scope.siteName { setting("site", site) }
        setting("as_of", report.asOf.iso)
        setting("reduced_threshold_percent", SmallCounts.format(report.settings.reducedThresholdPercent))
        setting("co_threshold_ppm", SmallCounts.format(report.settings.coThresholdPPM))
        setting("co_window_days", String(report.settings.coWindowDays))
        setting("small_count_threshold", String(small))

        let programmes = report.programmes
        activity("programmes", "planned", "", programmes.planned)
        activity("programmes", "held", "", programmes.held, of: programmes.planned)
        activity("programmes", "finished", "", programmes.finished)
        activity("programmes", "cancelled", "", programmes.cancelled)

        let p = report.participants
        count("participants", "counted", p.counted)
        share("participants", "started", p.started, of: p.counted)
        share("participants", "never_attended", p.neverAttended, of: p.counted)
        share("participants", "withdrawn_after_starting", p.withdrawnAfterStarting, of: p.counted)
        share("participants", "priority_public", p.priority.count, of: p.counted)
        share("participants", "precarity", p.precarity.count, of: p.counted)
        share("participants", "isolation", p.isolation.count, of: p.counted)
        share("participants", "difficult_care_path", p.difficultCarePath.count, of: p.counted)
        share("participants", "smokers", p.smokers, of: p.counted)
        share("participants", "ex_smokers", p.exSmokers, of: p.counted)
        count("participants", "erased_included", p.erased)
        count("participants", "withdrawn_before_starting_not_counted", p.withdrawnBeforeStarting)
        count("participants", "waiting_not_counted", p.waiting)

        for session in report.attendance.sessions {
            share("attendance", "session_\(session.index)", "present", session.present, of: session.expected)
        }
        let attendance = report.attendance
        share("attendance", "all_group_sessions", attendance.completedSessions.count, of: attendance.completedSessions.denominator)
        share("attendance", "all_consultations", attendance.completedConsultations.count, of: attendance.completedConsultations.denominator)
        count("attendance", "consultations_done", attendance.consultationsDone)

        for (name, summary) in [("fagerstrom", report.entryScores.fagerstrom), ("hsi", report.entryScores.hsi),
                                ("qmat", report.entryScores.qmat), ("co_ppm", report.entryScores.coPPM)] {
            mean("entry", name, "mean", summary.mean, n: summary.n)
            for band in summary.bands { share("entry", name, band.code, band.count, of: summary.n) }
        }
        mean("entry", "cigarettes_per_day", "mean", report.entryScores.cigarettesPerDay.mean, n: report.entryScores.cigarettesPerDay.n)

        let qmat = report.qmatChange
        count("qmat_change", "pairs", qmat.pairs)
        mean("qmat_change", "entry_mean", "", qmat.entryMean, n: qmat.pairs)
        mean("qmat_change", "end_mean", "", qmat.endMean, n: qmat.pairs)
        mean("qmat_change", "mean_change", "", qmat.meanChange, n: qmat.pairs)
        share("qmat_change", "higher", qmat.higher, of: qmat.pairs)
        share("qmat_change", "same", qmat.same, of: qmat.pairs)
        share("qmat_change", "lower", qmat.lower, of: qmat.pairs)

        for outcome in [report.endOfProgramme, report.followUp] {
            let section = outcome.timePoint
            count(section, "started", outcome.started)
            count(section, "eligible", outcome.eligible)
            count(section, "not_yet_due", outcome.notYetDue)
            rate(section, "respondents", "response_rate", outcome.respondents, of: outcome.eligible, outcome.responseRate)
            count(section, "questionnaires_answered", outcome.questionnairesAnswered)
            if section == "follow_up" { count(section, "lost_to_follow_up", outcome.lostToFollowUp) }
            for line in outcome.lines {
                if line.status != "unknown" {
                    rate(section, line.status, "among_respondents", line.count, of: outcome.respondents, line.amongRespondents)
                }
                if line.intentionToTreat != nil || line.status == "unknown" {
                    rate(section, line.status, "intention_to_treat", line.count, of: outcome.eligible, Evaluation.percent(line.count, outcome.eligible))
                }
            }
            rate(section, "co_validated", "among_respondents", outcome.coValidated, of: outcome.respondents, outcome.coValidatedAmongRespondents)
            rate(section, "co_validated", "intention_to_treat", outcome.coValidated, of: outcome.eligible, outcome.coValidatedIntentionToTreat)
        }

        count("satisfaction", "respondents", report.satisfaction.respondents)
        for item in report.satisfaction.items {
            mean("satisfaction", item.item, "mean_1_to_4", item.mean, n: item.n)
            share("satisfaction", item.item, "satisfied", item.satisfied.count, of: item.n)
            for option in item.distribution { share("satisfaction", item.item, option.code, option.count, of: item.n) }
        }
        count("impact", "respondents", report.impact.respondents)
        for item in report.impact.items { mean("impact", item.item, "mean_0_to_10", item.mean, n: item.n) }

        let orientations = report.orientations
        count("orientations", "made", orientations.made)
        count("orientations", "participants_oriented", orientations.participantsOriented)
        for kind in orientations.byKind { count("orientations", "kind", kind.code, kind.count) }
        for followed in orientations.followed { share("orientations", "followed", followed.code, followed.count, of: orientations.participantsOriented) }

        activity("peer_helpers", "sessions_held", "", report.peerHelpers.sessionsHeld)
        activity("peer_helpers", "sessions_co_led", "", report.peerHelpers.sessionsCoLed.count, of: report.peerHelpers.sessionsHeld)
        activity("peer_helpers", "programmes_co_led", "", report.peerHelpers.programmesCoLed)

        for kind in report.messages.byKind {
            for state in kind.states { activity("messages", kind.kind, state.code, state.count) }
        }
        activity("messages", "all", "sent", report.messages.sent)
        activity("messages", "all", "failed", report.messages.failed)
        for kind in report.phoneTasks.byKind {
            for state in kind.states { activity("phone_tasks", kind.kind, state.code, state.count) }
        }
        activity("phone_tasks", "all", "done", report.phoneTasks.done)
        for definition in EvaluationDefinitions.all(report.settings, language: language) {
            rows.append(["definition", definition.id, definition.term, definition.text, "", ""])
        }
        return CSV.text(rows)
    }
}
