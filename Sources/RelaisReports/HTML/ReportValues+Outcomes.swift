import Foundation
import RelaisDomain

/// Attendance, the scores at entry, Q-MAT before and after, the smoking outcomes: the sections
/// with a chart.
extension ReportValues {
    func attendance() -> [String: Any] {
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
        return [
            "chart": attendanceChart.svg(), "rows": sessionRows,
            "completedSessions": f.fill("r_completed_sessions", sessionCounts.isEmpty ? "—" : sessionCounts,
                                        String(attendance.completedSessions.count), String(attendance.completedSessions.denominator),
                                        f.percent(attendance.completedSessions.percent)),
            "completedConsultations": f.fill("r_completed_consultations", consultationCounts.isEmpty ? "—" : consultationCounts,
                                             String(attendance.completedConsultations.count), String(attendance.completedConsultations.denominator),
                                             f.percent(attendance.completedConsultations.percent), String(attendance.consultationsDone)),
        ]
    }

    /// A band's label in the instrument file; HSI bands are the `hsi` instrument's when Fagerström lacks them.
    func bandLabel(_ instrument: String, _ score: String, _ code: String) -> String {
        instruments[instrument]?.band(score: score, code: code)?.label.text(language)
            ?? (score == "hsi" ? instruments["hsi"]?.band(score: "total", code: code)?.label.text(language) : nil) ?? code
    }

    func entryRows() -> [[String: Any]] {
        func scoreRow(_ key: String, _ summary: EvaluationReport.ScoreSummary, instrument: String, score: String) -> [String: Any] {
            ["label": f.s(key), "n": summary.n, "mean": f.number(summary.mean),
             "range": summary.minimum.map { "\(f.number($0)) – \(f.number(summary.maximum))" } ?? "—",
             "bands": summary.bands.map { ["text": f.fill("r_band_count", bandLabel(instrument, score, $0.code), String($0.count))] }]
        }
        let cigarettes = report.entryScores.cigarettesPerDay
        return [
            scoreRow("r_m_fagerstrom", report.entryScores.fagerstrom, instrument: "fagerstrom", score: "total"),
            scoreRow("r_m_hsi", report.entryScores.hsi, instrument: "fagerstrom", score: "hsi"),
            scoreRow("r_m_qmat", report.entryScores.qmat, instrument: "qmat", score: "total"),
            scoreRow("r_m_co", report.entryScores.coPPM, instrument: "co", score: "total"),
            ["label": f.s("r_m_cigarettes"), "n": cigarettes.n, "mean": f.number(cigarettes.mean), "range": "—", "bands": [[String: Any]](),
             "note": f.fill("r_cigarettes_note", String(cigarettes.fromCount), String(cigarettes.fromBand))],
        ]
    }

    func qmatChange() -> [String: Any] {
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
        return [
            "hasPairs": qmat.pairs > 0, "chart": qmatChart.svg(), "caption": f.fill("r_qmat_caption", String(qmat.pairs)),
            "text": f.fill("r_qmat_text", f.number(qmat.entryMean), f.number(qmat.endMean), f.signed(qmat.meanChange),
                           String(qmat.higher), String(qmat.same), String(qmat.lower)),
        ]
    }

    /// A smoking status in words; "reduced" says the threshold it was counted with.
    func statusLabel(_ code: String) -> String {
        code == "reduced" ? f.fill("r_status_reduced", f.number(report.settings.reducedThresholdPercent)) : f.s("r_status_\(code)")
    }

    func outcomes() -> [String: Any] {
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
        let end = report.endOfProgramme, followUp = report.followUp
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
        return [
            "chart": outcomeChart.svg(),
            "timePoints": [timePoint(end, title: f.s("r_tp_end"), note: end.respondents == 0 ? f.s("r_end_note") : nil),
                           timePoint(followUp, title: f.s("r_tp_follow_up"), note: nil)],
        ]
    }
}
