import Foundation
import RelaisDomain

extension EvaluationReports {
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
