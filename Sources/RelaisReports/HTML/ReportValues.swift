import Foundation
import RelaisDomain

/// The values of `report_body.mustache`: every figure of the report in the reader's language,
/// section by section, with the definitions last.
struct ReportValues {
    let report: EvaluationReport
    let reports: EvaluationReports
    var instruments: InstrumentCatalog { reports.instruments }
    let language: String
    let f: ReportFormat
    /// Nil in a standalone file: no controls, no links to follow.
    let links: ReportLinks?

    init(_ report: EvaluationReport, reports: EvaluationReports, language: String, links: ReportLinks?) {
        self.report = report
        self.reports = reports
        self.language = language
        f = reports.format(language)
        self.links = links
    }

    func all() -> [String: Any] {
        var values = header()
        values["keyFigures"] = keyFigures()
        values["programmes"] = programmes()
        values["participantRows"] = participantRows()
        values["attendance"] = attendance()
        values["entryRows"] = entryRows()
        values["qmat"] = qmatChange()
        values["outcomes"] = outcomes()
        values["breakdowns"] = breakdowns()
        values["satisfaction"] = satisfaction()
        values["impact"] = impact()
        values["orientations"] = orientations()
        values["treatments"] = treatments()
        values.merge(activity()) { $1 }
        values["definitions"] = EvaluationDefinitions.all(report.settings, language: language).map {
            ["id": $0.id, "term": $0.term, "text": $0.text]
        }
        return values
    }

    /// "Évaluation 2026", "Évaluation du 01/03/2026 au 30/06/2026", "Évaluation — Printemps sans
    /// tabac": the page's heading and title.
    var heading: String { Self.heading(report, f) }

    static func heading(_ report: EvaluationReport, _ f: ReportFormat) -> String {
        switch report.scope.kind {
        case "year": return f.fill("r_heading_year", String(report.year))
        case "period": return f.fill("r_heading_period", report.scope.from.map(f.shortDate) ?? "", report.scope.to.map(f.shortDate) ?? "")
        default: return f.fill("r_heading_programme", report.scope.programmeTitle ?? "")
        }
    }

    /// What the report covers: "Tous les sites", "Site : Centre Nord", "Centre Nord · à partir du …".
    static func subtitle(_ report: EvaluationReport, _ f: ReportFormat) -> String {
        if report.scope.kind == "programme" {
            let line = report.programmes.lines.first
            return [report.scope.siteName, line?.firstDate.map { f.fill("r_from_date", f.date($0)) }].compactMap { $0 }.joined(separator: " · ")
        }
        return report.scope.siteName.map { f.fill("r_subtitle_site", $0) } ?? f.s("r_all_sites")
    }

    /// "Période : du 01/01/2026 au 31/12/2026 · Données au 31/12/2026".
    static func coverage(_ report: EvaluationReport, _ f: ReportFormat) -> String {
        var parts: [String] = []
        if let dates = report.coveredDates {
            parts.append(f.fill(report.scope.kind == "programme" ? "r_covered_programme" : "r_covered_period", f.period(dates.from, dates.to)))
        }
        parts.append(f.fill("r_as_of", f.date(report.asOf)))
        return parts.joined(separator: " · ")
    }

    /// The heading, what the report covers, as of when and with which thresholds; the controls
    /// when there are links.
    func header() -> [String: Any] {
        let kind = report.scope.kind
        var values: [String: Any] = ["isYear": kind == "year", "isPeriod": kind == "period", "isProgramme": kind == "programme",
                                     "controls": links != nil, "year": report.year, "heading": heading,
                                     "subtitle": Self.subtitle(report, f)]
        if let links { values.merge(controls(links)) { $1 } }
        values["asOfText"] = Self.coverage(report, f)
        values["settingsText"] = f.fill("r_settings", f.number(report.settings.reducedThresholdPercent), f.number(report.settings.coThresholdPPM),
                                        String(report.settings.coWindowDays))
        return values
    }

    /// The site chooser, the years before and after, the period form, the exports and the bilan;
    /// the way back to the year from a programme or a period.
    func controls(_ links: ReportLinks) -> [String: Any] {
        var sites: [[String: Any]] = [["name": f.s("r_all_sites"), "url": links.allSites, "selected": report.scope.siteId == nil]]
        for site in links.sites {
            sites.append(["name": site.name, "url": site.url, "selected": report.scope.siteId == site.id])
        }
        for index in sites.indices { sites[index]["last"] = index == sites.count - 1 }
        let year = report.year
        let dates = report.coveredDates
        var values: [String: Any] = [
            "sites": sites, "hasSites": report.scope.kind != "programme", "previousYear": year - 1, "nextYear": year + 1,
            "previousYearURL": links.previousYear, "nextYearURL": links.nextYear,
            "aggregateCSV": links.aggregateCSV, "participantsCSV": links.participantsCSV, "bilanURL": links.bilan, "yearURL": links.year,
        ]
        if !links.periodForm.isEmpty && report.scope.kind != "programme" {
            values["periodForm"] = ["action": links.periodForm, "from": dates?.from.iso ?? "", "to": dates?.to.iso ?? "",
                                    "site": report.scope.siteId ?? ""]
        }
        return values
    }

    /// The follow-up the key figures show: 3 months when the scope has it, else the first one.
    var primaryFollowUp: EvaluationReport.TimePointOutcome? {
        report.outcomes.first { $0.months == 3 } ?? report.outcomes.first { $0.months > 0 }
    }

    func keyFigures() -> [[String: Any]] {
        let overall = report.satisfaction.items.first { $0.item == "overall" }
        var keys: [[String: Any]] = [
            ["label": f.s("r_kf_programmes"), "value": "\(report.programmes.held) / \(report.programmes.planned)",
             "detail": report.programmes.cancelled > 0 ? f.fill("r_kf_cancelled", String(report.programmes.cancelled)) : ""],
            ["label": f.s("r_kf_participants"), "value": String(report.participants.counted),
             "detail": f.fill("r_kf_started", String(report.participants.started))],
            ["label": f.s("r_kf_priority"), "value": f.percent(report.participants.priority.percent), "detail": f.ratio(report.participants.priority)],
            ["label": f.s("r_kf_completed"), "value": f.percent(report.attendance.completedSessions.percent), "detail": f.ratio(report.attendance.completedSessions)],
        ]
        // The headline: intention to treat at each time point shown; the rate among respondents beside it.
        for outcome in [report.outcomes.first { $0.months == 0 }, primaryFollowUp].compactMap({ $0 }) {
            let smokers = outcome.smokers, rates = outcome.rates, point = f.timePoint(outcome.timePoint)
            keys.append(["label": f.fill("r_kf_stopped_itt", point), "value": f.percent(rates.stoppedIntentionToTreat), "headline": true,
                         "detail": f.fill("r_kf_itt_detail", String(smokers.stopped), String(smokers.base), f.percent(rates.stoppedAmongRespondents),
                                          String(smokers.respondents), f.percent(rates.responseRate))])
            keys.append(["label": f.fill("r_kf_stopped_or_reduced_itt", point), "value": f.percent(rates.stoppedOrReducedIntentionToTreat),
                         "detail": f.fill("r_kf_itt_detail", String(smokers.stopped + smokers.reduced), String(smokers.base),
                                          f.percent(Evaluation.percent(smokers.stopped + smokers.reduced, smokers.respondents)),
                                          String(smokers.respondents), f.percent(rates.responseRate))])
        }
        if let followUp = primaryFollowUp {
            let smokers = followUp.smokers
            keys.append(["label": f.fill("r_kf_co", f.timePoint(followUp.timePoint)), "value": String(smokers.stoppedCoValidated),
                         "detail": f.fill("r_kf_co_detail", String(smokers.coMeasured), String(smokers.stopped),
                                          f.percent(followUp.rates.stoppedCoValidatedIntentionToTreat))])
        }
        if let overall {
            keys.append(["label": f.s("r_kf_satisfied"), "value": f.percent(overall.satisfied.percent), "detail": f.ratio(overall.satisfied)])
        }
        return keys
    }

    func programmes() -> [String: Any] {
        let programmes = report.programmes
        return [
            "summary": f.fill("r_programmes_summary", String(programmes.planned), String(programmes.held), String(programmes.notYetHeld),
                              String(programmes.finished), String(programmes.cancelled)),
            "hasLines": !programmes.lines.isEmpty,
            "followUpColumn": f.fill("r_col_follow_up", f.timePointShort(primaryFollowUp?.timePoint ?? "m3")),
            "lines": programmes.lines.map { line -> [String: Any] in
                ["title": line.title, "url": links?.programme(line.id) ?? "", "site": line.siteName ?? f.s("r_visio_only"),
                 "first": line.firstDate.map(f.date) ?? "—", "state": f.s("r_line_state_\(line.status)"),
                 "sessions": "\(line.sessionsHeld) / \(line.sessionsPlanned)", "participants": line.participants, "coLed": line.coLedByPeerHelper,
                 "completed": f.ratio(line.completedSessions),
                 "followUp": line.followUpRespondents.denominator == 0 ? "—"
                    : f.fill("r_line_follow_up", String(line.followUpRespondents.count), String(line.followUpRespondents.denominator),
                             String(line.followUpStopped))]
            },
        ]
    }

    func participantRows() -> [[String: Any]] {
        let p = report.participants
        func row(_ key: String, _ count: Int, _ percent: Double?, sub: Bool) -> [String: Any] {
            ["label": f.s(key), "count": count, "share": percent.map(f.percent) ?? "", "sub": sub]
        }
        var rows: [[String: Any]] = [
            row("r_p_counted", p.counted, nil, sub: false),
            row("r_p_started", p.started, Evaluation.percent(p.started, p.counted), sub: true),
            row("r_p_never", p.neverAttended, Evaluation.percent(p.neverAttended, p.counted), sub: true),
            row("r_p_withdrawn_after", p.withdrawnAfterStarting, Evaluation.percent(p.withdrawnAfterStarting, p.counted), sub: true),
            row("r_p_priority", p.priority.count, p.priority.percent, sub: false),
            row("r_p_precarity", p.precarity.count, p.precarity.percent, sub: true),
            row("r_p_isolation", p.isolation.count, p.isolation.percent, sub: true),
            row("r_p_difficult", p.difficultCarePath.count, p.difficultCarePath.percent, sub: true),
            row("r_p_smokers", p.smokers, Evaluation.percent(p.smokers, p.counted), sub: false),
            row("r_p_ex_smokers", p.exSmokers, Evaluation.percent(p.exSmokers, p.counted), sub: false),
        ]
        if p.erased > 0 { rows.append(row("r_p_erased", p.erased, nil, sub: true)) }
        rows.append(row("r_p_withdrawn_before", p.withdrawnBeforeStarting, nil, sub: false))
        rows.append(row("r_p_waiting", p.waiting, nil, sub: false))
        return rows
    }
}
