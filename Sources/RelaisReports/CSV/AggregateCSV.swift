import Foundation
import RelaisDomain

extension EvaluationReports {
    /// The aggregate file meant to leave the structure: section, indicator, category, value,
    /// denominator, percent (and a stable code for scripts), counts of people from 1 to 4 written
    /// "< 5", and percentages and means over them masked too. The thresholds come first, each time
    /// point of the smoking outcomes with intention to treat first, the breakdowns, and the
    /// definitions in `language` last.
    public func aggregateCSV(_ report: EvaluationReport, language: String = "fr") -> String {
        let f = format(language)
        let small = report.settings.smallCount
        var rows = csvPreamble(report, f)
        rows.append(["r_csv_section", "r_csv_indicator", "r_csv_category", "r_csv_value", "r_csv_denominator", "r_csv_percent", "r_csv_code"].map(f.s))
        var section = ""
        func row(_ code: String, _ indicator: String, _ category: String, _ value: String, _ denominator: String = "", _ percent: String = "") {
            rows.append([section, indicator, category, value, denominator, percent, code])
        }
        func masked(_ value: Int) -> String { SmallCounts.count(value, threshold: small) }
        func count(_ code: String, _ indicator: String, _ value: Int) { count(code, indicator, "", value) }
        func count(_ code: String, _ indicator: String, _ category: String, _ value: Int) {
            row(code, indicator, category, masked(value))
        }
        /// People `value` out of `denominator` people.
        func share(_ code: String, _ indicator: String, _ value: Int, of denominator: Int) { share(code, indicator, "", value, of: denominator) }
        func share(_ code: String, _ indicator: String, _ category: String, _ value: Int, of denominator: Int) {
            row(code, indicator, category, masked(value), masked(denominator), f.decimal(SmallCounts.percent(value, of: denominator, threshold: small)))
        }
        func mean(_ code: String, _ indicator: String, _ category: String, _ value: Double?, n: Int) {
            row(code, indicator, category, f.decimal(SmallCounts.mean(value, n: n, threshold: small)), masked(n))
        }
        /// Activity figures of the structure (programmes, sessions, messages, calls), not of people: never masked.
        func activity(_ code: String, _ indicator: String, _ value: Int, of denominator: Int? = nil) {
            activity(code, indicator, "", value, of: denominator)
        }
        func activity(_ code: String, _ indicator: String, _ category: String, _ value: Int, of denominator: Int? = nil) {
            row(code, indicator, category, String(value), denominator.map(String.init) ?? "",
                denominator.flatMap { Evaluation.percent(value, $0) }.map { f.decimal(SmallCounts.format($0)) } ?? "")
        }

        // What, when, with which thresholds (not counts: never masked).
        section = f.s("r_sec_settings")
        row("settings.scope", f.s("r_csv_scope"), "", ReportValues.subtitle(report, f))
        if let dates = report.coveredDates {
            row("settings.from", f.s("r_csv_from"), "", f.shortDate(dates.from))
            row("settings.to", f.s("r_csv_to"), "", f.shortDate(dates.to))
        }
        row("settings.as_of", f.s("r_csv_as_of"), "", f.shortDate(report.asOf))
        row("settings.reduced_threshold_percent", f.s("r_set_reduced"), "", f.number(report.settings.reducedThresholdPercent))
        row("settings.co_threshold_ppm", f.s("r_set_co"), "", f.number(report.settings.coThresholdPPM))
        row("settings.co_window_days", f.s("r_set_co_window"), "", String(report.settings.coWindowDays))
        row("settings.small_count_threshold", f.s("r_set_small"), "", String(small))

        section = f.s("r_programmes")
        let programmes = report.programmes
        activity("programmes.planned", f.s("r_a_planned"), programmes.planned)
        activity("programmes.held", f.s("r_a_held"), programmes.held, of: programmes.planned)
        activity("programmes.finished", f.s("r_a_finished"), programmes.finished)
        activity("programmes.cancelled", f.s("r_a_cancelled"), programmes.cancelled)

        section = f.s("r_participants")
        let p = report.participants
        count("participants.counted", f.s("r_p_counted"), p.counted)
        share("participants.started", f.s("r_p_started"), p.started, of: p.counted)
        share("participants.never_attended", f.s("r_p_never"), p.neverAttended, of: p.counted)
        share("participants.withdrawn_after_starting", f.s("r_p_withdrawn_after"), p.withdrawnAfterStarting, of: p.counted)
        share("participants.smokers", f.s("r_p_smokers"), p.smokers, of: p.counted)
        share("participants.ex_smokers", f.s("r_p_ex_smokers"), p.exSmokers, of: p.counted)
        share("participants.priority_public", f.s("r_p_priority"), p.priority.count, of: p.counted)
        share("participants.precarity", f.s("r_p_precarity"), p.precarity.count, of: p.counted)
        share("participants.isolation", f.s("r_p_isolation"), p.isolation.count, of: p.counted)
        share("participants.difficult_care_path", f.s("r_p_difficult"), p.difficultCarePath.count, of: p.counted)
        count("participants.erased_included", f.s("r_p_erased"), p.erased)
        count("participants.withdrawn_before_starting_not_counted", f.s("r_p_withdrawn_before"), p.withdrawnBeforeStarting)
        count("participants.waiting_not_counted", f.s("r_p_waiting"), p.waiting)

        section = f.s("r_attendance")
        let attendance = report.attendance
        for session in attendance.sessions {
            share("attendance.session_\(session.index).present", f.fill("r_session_n", String(session.index)), f.s("r_col_present"),
                  session.present, of: session.expected)
        }
        share("attendance.all_group_sessions", f.s("r_a_all_sessions"), attendance.completedSessions.count, of: attendance.completedSessions.denominator)
        share("attendance.all_consultations", f.s("r_a_all_consultations"), attendance.completedConsultations.count,
              of: attendance.completedConsultations.denominator)
        count("attendance.consultations_done", f.s("r_a_consultations_done"), attendance.consultationsDone)

        section = f.s("r_entry")
        for (name, key, summary, instrument, score) in [
            ("fagerstrom", "r_m_fagerstrom", report.entryScores.fagerstrom, "fagerstrom", "total"),
            ("hsi", "r_m_hsi", report.entryScores.hsi, "fagerstrom", "hsi"), ("qmat", "r_m_qmat", report.entryScores.qmat, "qmat", "total"),
            ("co_ppm", "r_m_co", report.entryScores.coPPM, "co", "total"),
        ] {
            mean("entry.\(name).mean", f.s(key), f.s("r_col_mean"), summary.mean, n: summary.n)
            for band in summary.bands {
                share("entry.\(name).\(band.code)", f.s(key), bandLabel(instrument, score, band.code, language: language), band.count, of: summary.n)
            }
        }
        let cigarettes = report.entryScores.cigarettesPerDay
        mean("entry.cigarettes_per_day.mean", f.s("r_m_cigarettes"), f.s("r_col_mean"), cigarettes.mean, n: cigarettes.n)
        count("entry.cigarettes_per_day.from_band", f.s("r_m_cigarettes"), f.s("r_a_from_band"), cigarettes.fromBand)

        section = f.s("r_qmat_change")
        let qmat = report.qmatChange
        count("qmat_change.pairs", f.s("r_a_pairs"), qmat.pairs)
        mean("qmat_change.entry_mean", f.s("r_series_entry"), f.s("r_col_mean"), qmat.entryMean, n: qmat.pairs)
        mean("qmat_change.end_mean", f.s("r_series_end"), f.s("r_col_mean"), qmat.endMean, n: qmat.pairs)
        mean("qmat_change.mean_change", f.s("r_a_mean_change"), f.s("r_col_mean"), qmat.meanChange, n: qmat.pairs)
        share("qmat_change.higher", f.s("r_a_higher"), qmat.higher, of: qmat.pairs)
        share("qmat_change.same", f.s("r_a_same"), qmat.same, of: qmat.pairs)
        share("qmat_change.lower", f.s("r_a_lower"), qmat.lower, of: qmat.pairs)

        // Each time point: intention to treat (on the base) first, then among respondents.
        let itt = f.s("r_col_itt"), amongRespondents = f.s("r_col_among_respondents")
        for outcome in report.outcomes {
            section = f.timePoint(outcome.timePoint)
            let tp = outcome.timePoint, smokers = outcome.smokers, exSmokers = outcome.exSmokers
            count("\(tp).base", f.s("r_a_base"), smokers.base)
            count("\(tp).not_yet_due", f.s("r_a_not_yet_due"), outcome.notYetDue)
            share("\(tp).respondents", f.s("r_a_respondents"), f.s("r_a_response_rate"), smokers.respondents, of: smokers.base)
            count("\(tp).questionnaires_answered", f.s("r_a_questionnaires"), outcome.questionnairesAnswered)
            if outcome.months > 0 { count("\(tp).lost_to_follow_up", f.s("r_a_lost"), outcome.lostToFollowUp) }
            for status in SmokingOutcome.allCases {
                share("\(tp).\(status.rawValue).itt", f.status(status.rawValue), itt, smokers.count(status), of: smokers.base)
            }
            share("\(tp).stopped_or_reduced.itt", f.s("r_status_stopped_or_reduced"), itt, smokers.stopped + smokers.reduced, of: smokers.base)
            share("\(tp).stopped.respondents", f.status("stopped"), amongRespondents, smokers.stopped, of: smokers.respondents)
            share("\(tp).reduced.respondents", f.status("reduced"), amongRespondents, smokers.reduced, of: smokers.respondents)
            share("\(tp).stopped_or_reduced.respondents", f.s("r_status_stopped_or_reduced"), amongRespondents,
                  smokers.stopped + smokers.reduced, of: smokers.respondents)
            count("\(tp).estimated", f.s("r_a_estimated"), smokers.estimated)
            share("\(tp).co_measured", f.s("r_a_co_measured"), f.s("r_a_among_stops"), smokers.coMeasured, of: smokers.stopped)
            share("\(tp).co_not_measured", f.s("r_a_co_not_measured"), f.s("r_a_among_stops"), smokers.stopped - smokers.coMeasured, of: smokers.stopped)
            share("\(tp).co_not_abstinent", f.s("r_a_co_not_abstinent"), f.s("r_a_among_stops"), smokers.coMeasured - smokers.stoppedCoValidated,
                  of: smokers.stopped)
            share("\(tp).co_validated.itt", f.s("r_a_co_validated"), itt, smokers.stoppedCoValidated, of: smokers.base)
            if let maintained = smokers.maintainedStopped {
                share("\(tp).maintained_stopped.itt", f.s("r_a_maintained"), itt, maintained, of: smokers.base)
            }
            count("\(tp).ex_smokers.base", f.s("r_a_ex_smokers"), f.s("r_a_base_short"), exSmokers.base)
            for (code, value) in [("abstinence_maintained", exSmokers.abstinenceMaintained), ("relapsed", exSmokers.relapsed), ("unknown", exSmokers.unknown)] {
                share("\(tp).ex_smokers.\(code)", f.s("r_a_ex_smokers"), f.exSmoker(code), value, of: exSmokers.base)
            }
            if let attempts = outcome.quitAttempts {
                let due = smokers.base + exSmokers.base
                share("\(tp).quit_attempts", f.s("r_a_quit_attempts"), attempts, of: due)
                for aid in outcome.aidsUsed {
                    share("\(tp).aids.\(aid.code)", f.s("r_a_aids"), optionLabel(item: "aids_used", aid.code, language: language), aid.count, of: due)
                }
            }
        }

        // The breakdowns: each group, and its stops by intention to treat at each time point.
        for breakdown in report.breakdowns {
            section = f.fill("r_sec_breakdown", f.dimension(breakdown.dimension))
            for group in breakdown.groups {
                let code = "breakdown.\(breakdown.dimension).\(group.code)", label = f.group(breakdown.dimension, group.code)
                count("\(code).participants", label, f.s("r_col_participants"), group.participants)
                count("\(code).smokers", label, f.s("r_col_smokers"), group.smokersAtEntry)
                count("\(code).ex_smokers", label, f.s("r_col_ex_smokers"), group.exSmokersAtEntry)
                for outcome in group.outcomes {
                    share("\(code).\(outcome.timePoint).stopped", label, f.fill("r_col_tp_stopped", f.timePointShort(outcome.timePoint)),
                          outcome.stopped, of: outcome.base)
                }
            }
        }

        section = f.s("r_satisfaction")
        let satisfaction = instruments["satisfaction_end"]?.definition
        count("satisfaction.respondents", f.s("r_a_respondents"), report.satisfaction.respondents)
        for item in report.satisfaction.items {
            let label = satisfaction?.item(item.item)?.text.text(language) ?? item.item
            mean("satisfaction.\(item.item).mean", label, f.s("r_col_mean_1_4"), item.mean, n: item.n)
            share("satisfaction.\(item.item).satisfied", label, f.s("r_col_satisfied"), item.satisfied.count, of: item.n)
            for option in item.distribution {
                share("satisfaction.\(item.item).\(option.code)", label, optionLabel(item: item.item, option.code, language: language, instrument: "satisfaction_end"), option.count, of: item.n)
            }
        }
        section = f.s("r_impact")
        let impact = instruments["impact_end"]?.definition
        count("impact.respondents", f.s("r_a_respondents"), report.impact.respondents)
        for item in report.impact.items {
            mean("impact.\(item.item).mean", impact?.item(item.item)?.text.text(language) ?? item.item, f.s("r_col_mean_0_10"), item.mean, n: item.n)
        }

        section = f.s("r_orientations")
        let orientations = report.orientations
        count("orientations.made", f.s("r_a_orientations_made"), orientations.made)
        count("orientations.participants_oriented", f.s("r_a_participants_oriented"), orientations.participantsOriented)
        for kind in orientations.byKind { count("orientations.kind.\(kind.code)", f.s("r_orientation_kinds"), f.s("r_kind_\(kind.code)"), kind.count) }
        for followed in orientations.followed {
            share("orientations.followed.\(followed.code)", f.s("r_orientation_followed"), f.s("r_followed_\(followed.code)"), followed.count,
                  of: orientations.participantsOriented)
        }

        section = f.s("r_treatments")
        let treatments = report.treatments
        share("treatments.participants_treated", f.s("r_a_participants_treated"), treatments.participantsTreated.count,
              of: treatments.participantsTreated.denominator)
        for kind in treatments.byKind {
            share("treatments.kind.\(kind.code)", f.s("r_treatment_kinds"), treatmentKinds.label(kind.code, language: language), kind.count,
                  of: treatments.participantsTreated.denominator)
        }

        section = f.s("r_activity")
        activity("peer_helpers.sessions_held", f.s("r_a_sessions_held"), report.peerHelpers.sessionsHeld)
        activity("peer_helpers.sessions_co_led", f.s("r_a_sessions_co_led"), report.peerHelpers.sessionsCoLed.count, of: report.peerHelpers.sessionsHeld)
        activity("peer_helpers.programmes_co_led", f.s("r_a_programmes_co_led"), report.peerHelpers.programmesCoLed)
        for kind in report.messages.byKind {
            for state in kind.states { activity("messages.\(kind.kind).\(state.code)", f.s("r_mail_\(kind.kind)"), f.s("r_state_\(state.code)"), state.count) }
        }
        activity("messages.all.sent", f.s("r_messages"), f.s("r_state_sent"), report.messages.sent)
        activity("messages.all.failed", f.s("r_messages"), f.s("r_state_failed"), report.messages.failed)
        for kind in report.phoneTasks.byKind {
            for state in kind.states { activity("phone_tasks.\(kind.kind).\(state.code)", f.s("r_task_kind_\(kind.kind)"), f.s("r_task_\(state.code)"), state.count) }
        }
        activity("phone_tasks.all.done", f.s("r_tasks"), f.s("r_task_done"), report.phoneTasks.done)

        section = f.s("r_definitions")
        for definition in EvaluationDefinitions.all(report.settings, language: language) {
            row("definition.\(definition.id)", definition.term, "", definition.text)
        }
        return csvText(rows)
    }

    /// The label of an answer option of an item: in `instrument` when given, else in whichever
    /// instrument has the item (`aids_used` of the follow-ups).
    func optionLabel(item: String, _ code: String, language: String, instrument: String? = nil) -> String {
        let candidates = instrument.flatMap { instruments[$0] }.map { [$0] } ?? instruments.instruments
        for candidate in candidates {
            if let option = candidate.definition.items.first(where: { $0.id == item })?.options?.first(where: { $0.code == code }) {
                return option.label.text(language)
            }
        }
        return code
    }
}
