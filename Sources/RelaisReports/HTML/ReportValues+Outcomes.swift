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

    func bandLabel(_ instrument: String, _ score: String, _ code: String) -> String {
        reports.bandLabel(instrument, score, code, language: language)
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

    /// The time points: intention to treat first, the rate among respondents and the response
    /// rate beside it; CO checks, stops maintained, ex-smokers apart, aids and quit attempts.
    func outcomes() -> [String: Any] {
        let chart = BarChart(
            id: "chart-outcomes", title: f.s("r_chart_outcomes"),
            summary: report.outcomes.map { outcome in
                f.fill("r_outcome_bar_summary", f.timePoint(outcome.timePoint), String(outcome.smokers.stopped), String(outcome.smokers.base),
                       f.percent(outcome.rates.stoppedIntentionToTreat), String(outcome.smokers.reduced), f.percent(outcome.rates.reducedIntentionToTreat))
            }.joined(separator: " ; "),
            series: [f.s("r_status_short_stopped"), f.s("r_status_short_reduced")],
            groups: report.outcomes.map { outcome in
                let bars: [(SmokingOutcome, Double?)] = [(.stopped, outcome.rates.stoppedIntentionToTreat), (.reduced, outcome.rates.reducedIntentionToTreat)]
                return BarChart.Group(label: f.timePointShort(outcome.timePoint), bars: bars.map { status, share in
                    BarChart.Bar(value: share ?? 0, label: outcome.smokers.base == 0 ? "—" : f.percent(share),
                                 description: f.fill("r_outcome_bar", f.timePoint(outcome.timePoint), f.status(status.rawValue),
                                                     String(outcome.smokers.count(status)), String(outcome.smokers.base), f.percent(share)))
                })
            }, maximum: 100, unit: f.percentUnit)
        return ["chart": chart.svg(), "timePoints": report.outcomes.map(timePoint)]
    }

    func timePoint(_ outcome: EvaluationReport.TimePointOutcome) -> [String: Any] {
        let smokers = outcome.smokers, rates = outcome.rates, exSmokers = outcome.exSmokers
        let followUp = outcome.months > 0
        let threshold = report.settings.reducedThresholdPercent
        var rows: [[String: Any]] = SmokingOutcome.allCases.map { status in
            let count = smokers.count(status)
            return ["label": status == .unknown ? f.s("r_status_unknown") : f.status(status.rawValue, threshold: threshold), "count": count,
                    "itt": f.percent(Evaluation.percent(count, smokers.base)),
                    "respondents": status == .unknown ? "—" : f.percent(Evaluation.percent(count, smokers.respondents))]
        }
        rows.append(["label": f.s("r_status_stopped_or_reduced"), "count": smokers.stopped + smokers.reduced, "total": true,
                     "itt": f.percent(rates.stoppedOrReducedIntentionToTreat),
                     "respondents": f.percent(Evaluation.percent(smokers.stopped + smokers.reduced, smokers.respondents))])
        var base = f.fill("r_outcome_base", String(smokers.base), String(outcome.notYetDue), String(outcome.questionnairesAnswered))
        if followUp { base += " " + f.fill("r_outcome_lost", String(outcome.lostToFollowUp)) }
        var values: [String: Any] = [
            "id": "tp-\(outcome.timePoint)", "title": f.timePoint(outcome.timePoint),
            "headline": f.fill("r_outcome_headline", f.percent(rates.stoppedIntentionToTreat), String(smokers.stopped), String(smokers.base)),
            "beside": f.fill("r_outcome_beside", f.percent(rates.stoppedAmongRespondents), String(smokers.respondents), f.percent(rates.responseRate)),
            "base": base, "rows": rows,
            "estimated": f.fill("r_outcome_estimated", String(smokers.estimated)),
            "co": [
                ["label": f.s("r_co_stopped"), "count": smokers.stopped],
                ["label": f.fill("r_co_measured", String(report.settings.coWindowDays)), "count": smokers.coMeasured],
                ["label": f.fill("r_co_validated_below", f.number(report.settings.coThresholdPPM)), "count": smokers.stoppedCoValidated],
                ["label": f.s("r_co_not_abstinent"), "count": smokers.coMeasured - smokers.stoppedCoValidated],
                ["label": f.s("r_co_not_measured_row"), "count": smokers.stopped - smokers.coMeasured],
            ],
            "coText": f.fill("r_outcome_co_itt", f.percent(rates.stoppedCoValidatedIntentionToTreat), String(smokers.stoppedCoValidated), String(smokers.base)),
            "exSmokers": [
                "summary": f.fill("r_ex_summary", String(exSmokers.base)),
                "hasBase": exSmokers.base > 0,
                "rows": ExSmokerOutcome.allCases.map { status -> [String: Any] in
                    let count = status == .abstinenceMaintained ? exSmokers.abstinenceMaintained : status == .relapsed ? exSmokers.relapsed : exSmokers.unknown
                    return ["label": f.exSmoker(status.rawValue), "count": count, "share": f.percent(Evaluation.percent(count, exSmokers.base))]
                },
            ],
        ]
        if followUp {
            values["maintained"] = f.fill("r_outcome_maintained", String(smokers.maintainedStopped ?? 0), String(smokers.base),
                                          f.percent(rates.maintainedStoppedIntentionToTreat))
            let due = smokers.base + exSmokers.base
            values["quitAttempts"] = f.fill("r_outcome_quit_attempts", String(outcome.quitAttempts ?? 0), String(due))
            values["aids"] = outcome.aidsUsed.map { ["label": reports.optionLabel(item: "aids_used", $0.code, language: language), "count": $0.count] }
            values["hasAids"] = !outcome.aidsUsed.isEmpty
        }
        return values
    }

    /// The funders' breakdowns: one table per dimension, the stops by intention to treat at each time point.
    func breakdowns() -> [String: Any] {
        [
            "timePoints": report.outcomes.map { f.fill("r_col_tp_stopped", f.timePointShort($0.timePoint)) },
            "tables": report.breakdowns.map { breakdown -> [String: Any] in
                ["id": "bd-\(breakdown.dimension)", "title": f.dimension(breakdown.dimension),
                 "rows": breakdown.groups.map { group -> [String: Any] in
                     ["label": f.group(breakdown.dimension, group.code), "participants": group.participants, "smokers": group.smokersAtEntry,
                      "exSmokers": group.exSmokersAtEntry,
                      "cells": group.outcomes.map { $0.base == 0 ? "—" : f.ratio($0.stopped, of: $0.base) }]
                 }]
            },
        ]
    }
}
