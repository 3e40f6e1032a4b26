import Foundation
import RelaisDomain

/// The values of `report_body.mustache`: every figure of the report in the reader's language,
/// section by section, with the definitions last.
struct ReportValues {
    let report: EvaluationReport
    let instruments: InstrumentCatalog
    let language: String
    let f: ReportFormat
    /// Nil in a standalone file: no controls, no links to follow.
    let links: ReportLinks?

    init(_ report: EvaluationReport, instruments: InstrumentCatalog, language: String, strings: [String: String], links: ReportLinks?) {
        self.report = report
        self.instruments = instruments
        self.language = language
        f = ReportFormat(language: language, strings: strings)
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
        values["satisfaction"] = satisfaction()
        values["impact"] = impact()
        values["orientations"] = orientations()
        values.merge(activity()) { $1 }
        values["definitions"] = EvaluationDefinitions.all(report.settings, language: language).map {
            ["id": $0.id, "term": $0.term, "text": $0.text]
        }
        return values
    }

    /// "Évaluation 2026", "Évaluation — Printemps sans tabac": the page's heading and title.
    var heading: String {
        report.scope.kind == "year" ? f.fill("r_heading_year", String(report.year)) : f.fill("r_heading_programme", report.scope.programmeTitle ?? "")
    }

    /// The heading, what the report covers, as of when and with which thresholds; the controls
    /// when there are links.
    func header() -> [String: Any] {
        let isYear = report.scope.kind == "year"
        let year = report.year
        var values: [String: Any] = ["isYear": isYear, "isProgramme": !isYear, "controls": links != nil, "year": year, "heading": heading]
        if isYear {
            values["subtitle"] = report.scope.siteName.map { f.fill("r_subtitle_site", $0) } ?? f.s("r_all_sites")
        } else {
            let line = report.programmes.lines.first
            values["subtitle"] = [report.scope.siteName, line?.firstDate.map { f.fill("r_from_date", f.date($0)) }].compactMap { $0 }.joined(separator: " · ")
        }
        if let links { values.merge(controls(links, year: year)) { $1 } }
        values["asOfText"] = f.fill("r_as_of", f.date(report.asOf))
        values["settingsText"] = f.fill("r_settings", f.number(report.settings.reducedThresholdPercent), f.number(report.settings.coThresholdPPM))
        return values
    }

    /// The site chooser, the years before and after and the exports of a year; the way back to
    /// the year from a programme.
    func controls(_ links: ReportLinks, year: Int) -> [String: Any] {
        var sites: [[String: Any]] = [["name": f.s("r_all_sites"), "url": links.year, "selected": report.scope.siteId == nil]]
        for site in links.sites {
            sites.append(["name": site.name, "url": site.url, "selected": report.scope.siteId == site.id])
        }
        for index in sites.indices { sites[index]["last"] = index == sites.count - 1 }
        return ["sites": sites, "previousYear": year - 1, "nextYear": year + 1, "previousYearURL": links.previousYear, "nextYearURL": links.nextYear,
                "aggregateCSV": links.aggregateCSV, "participantsCSV": links.participantsCSV, "yearURL": links.year]
    }

    func keyFigures() -> [[String: Any]] {
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
        return keys
    }

    func programmes() -> [String: Any] {
        let programmes = report.programmes
        return [
            "summary": f.fill("r_programmes_summary", String(programmes.planned), String(programmes.held), String(programmes.notYetHeld),
                              String(programmes.finished), String(programmes.cancelled)),
            "hasLines": !programmes.lines.isEmpty,
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
        var rows: [[String: Any]] = [
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
        if p.erased > 0 { rows.append(["label": f.s("r_p_erased"), "count": p.erased, "share": "", "sub": true]) }
        rows.append(["label": f.s("r_p_withdrawn_before"), "count": p.withdrawnBeforeStarting, "share": "", "sub": false])
        rows.append(["label": f.s("r_p_waiting"), "count": p.waiting, "share": "", "sub": false])
        return rows
    }
}
