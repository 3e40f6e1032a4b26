import Foundation
import RelaisDomain
import RelaisStore

extension EvaluationReports {
    /// The items of the end questionnaires exported per participant: satisfaction (1–4) and impact (0–10).
    var exportedSatisfactionItems: [(id: String, options: [String])] {
        instruments["satisfaction_end"]?.definition.items.filter { $0.type == .singleChoice }.map { ($0.id, ($0.options ?? []).map(\.code)) } ?? []
    }

    var exportedImpactItems: [String] {
        instruments["impact_end"]?.definition.items.filter { $0.type == .integer || $0.type == .number }.map(\.id) ?? []
    }

    /// One column of `participants.csv`: its heading and its cell for a participation.
    struct ParticipantColumn {
        var heading: String
        var cell: (ParticipationResult) -> String
    }

    /// The columns of `participants.csv` for `report`, headed in `language`. No name, email,
    /// phone, postal address, postal code or birth year: a pseudonym, the programme, the baseline
    /// (status, consumption, goal, publics), sex, age band, département, attendance, scores, then
    /// each time point of the report (due, answered, status, estimated, CO check, maintained),
    /// the end questionnaires and the orientations.
    func participantColumns(_ report: EvaluationReport, language: String, pseudonymizer: Pseudonymizer) -> [ParticipantColumn] {
        let f = format(language)
        let lines = Dictionary(report.programmes.lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func flag(_ value: Bool?) -> String { value.map(f.yesNo) ?? "" }
        func number(_ value: Double?) -> String { value.map { f.decimal(SmallCounts.format(Evaluation.rounded($0, places: 2))) } ?? "" }
        func column(_ key: String, _ cell: @escaping (ParticipationResult) -> String) -> ParticipantColumn {
            ParticipantColumn(heading: f.s(key), cell: cell)
        }
        var columns: [ParticipantColumn] = [
            column("r_pc_participant") { pseudonymizer.pseudonym($0.participantID) },
            column("r_pc_programme") { lines[$0.programmeID]?.title ?? "" },
            column("r_pc_programme_id") { $0.programmeID },
            column("r_pc_programme_start") { lines[$0.programmeID]?.firstDate.map(f.shortDate) ?? "" },
            column("r_pc_site") { lines[$0.programmeID]?.siteName ?? f.s("r_visio_only") },
            column("r_pc_template") { lines[$0.programmeID]?.templateId ?? "" },
            column("r_pc_enrolment") { f.enrolment($0.status) },
            column("r_pc_smoker") { f.smokerStatus($0.smokerAtEntry) },
            column("r_pc_smoker_source") { f.source($0.smokingStatusSource) },
            column("r_pc_consumption") { result in
                switch result.entryConsumption {
                case .exact(let value)?: number(value)
                case .band(let low, let high?)?: f.fill("r_band_range", number(low), number(high))
                case .band(let low, nil)?: f.fill("r_band_open", number(low))
                case nil: ""
                }
            },
            column("r_pc_consumption_band") { result in result.entryConsumption.map { f.yesNo($0.exact == nil) } ?? "" },
            column("r_pc_consumption_source") { f.source($0.entryConsumptionSource) },
            column("r_pc_goal") { f.goal($0.goal) },
            column("r_pc_publics") { result in result.publics.sorted().map { f.s("r_public_\($0.rawValue)") }.joined(separator: ", ") },
            column("r_pc_difficult") { f.yesNo($0.difficultCarePath) },
            column("r_pc_sex") { result in result.sex.map { f.group("sex", $0.rawValue) } ?? "" },
            column("r_pc_age_band") { result in result.ageBand.map { f.group("ageBand", $0.rawValue) } ?? "" },
            column("r_pc_departement") { result in result.departement.map(f.departement) ?? "" },
            column("r_pc_sessions_planned") { String($0.sessionsPlanned) },
            column("r_pc_sessions_attended") { String($0.sessionsAttended) },
            column("r_pc_all_sessions") { flag($0.completedSessions) },
            column("r_pc_consultations_planned") { String($0.consultationsPlanned) },
            column("r_pc_consultations_done") { String($0.consultationsDone) },
            column("r_pc_all_consultations") { flag($0.completedConsultations) },
            column("r_pc_fagerstrom") { number($0.fagerstromEntry) },
            column("r_pc_fagerstrom_band") { result in result.fagerstromBand.map { self.bandLabel("fagerstrom", "total", $0, language: language) } ?? "" },
            column("r_pc_hsi") { number($0.hsiEntry) },
            column("r_pc_hsi_band") { result in result.hsiBand.map { self.bandLabel("fagerstrom", "hsi", $0, language: language) } ?? "" },
            column("r_pc_qmat_entry") { number($0.qmatEntry) },
            column("r_pc_qmat_end") { number($0.qmatEnd) },
            column("r_pc_co_entry") { number($0.coEntry) },
        ]
        // Each time point of the report; empty cells where the participation has no such time
        // point (another template) or where it is not due yet.
        for outcome in report.outcomes {
            let id = outcome.timePoint, followUp = outcome.months > 0, name = f.timePointShort(id)
            func point(_ key: String, _ cell: @escaping (TimePointResult) -> String) -> ParticipantColumn {
                ParticipantColumn(heading: f.fill(key, name)) { result in result.timePoint(id).map(cell) ?? "" }
            }
            func ifDue(_ key: String, _ cell: @escaping (TimePointResult) -> String) -> ParticipantColumn {
                point(key) { $0.due ? cell($0) : "" }
            }
            columns += [
                point("r_pc_tp_due") { f.yesNo($0.due) },
                point("r_pc_tp_due_on") { $0.dueOn.map(f.shortDate) ?? "" },
                point("r_pc_tp_answered") { f.yesNo($0.answered) },
                ifDue("r_pc_tp_status") { point in
                    point.smoker.map { f.status($0.rawValue) } ?? point.exSmoker.map { f.exSmoker($0.rawValue) } ?? ""
                },
                ifDue("r_pc_tp_estimated") { $0.smoker == nil ? "" : f.yesNo($0.estimated) },
                ifDue("r_pc_tp_cigarettes") { number($0.cigarettesPerDay) },
                ifDue("r_pc_tp_co") { point in
                    point.smoker == .stopped || point.exSmoker == .abstinenceMaintained ? f.coCheck(point.co.rawValue) : ""
                },
            ]
            if followUp {
                columns += [
                    ifDue("r_pc_tp_maintained") { $0.smoker == nil ? "" : f.yesNo($0.maintainedStopped) },
                    point("r_pc_tp_unreachable") { f.yesNo($0.unreachable) },
                ]
            }
        }
        let satisfaction = instruments["satisfaction_end"]?.definition, impact = instruments["impact_end"]?.definition
        for item in exportedSatisfactionItems {
            columns.append(ParticipantColumn(heading: f.fill("r_pc_satisfaction", satisfaction?.item(item.id)?.text.text(language) ?? item.id)) { result in
                result.satisfaction[item.id].flatMap { code in item.options.firstIndex(of: code).map { String(item.options.count - $0) } } ?? ""
            })
        }
        for item in exportedImpactItems {
            columns.append(ParticipantColumn(heading: f.fill("r_pc_impact", impact?.item(item)?.text.text(language) ?? item)) { number($0.impact[item]) })
        }
        columns.append(column("r_pc_orientations") { String($0.orientations) })
        columns.append(column("r_pc_orientation_followed") { $0.orientations > 0 ? f.s("r_followed_\($0.orientationFollowed ?? "unknown")") : "" })
        columns.append(column("r_pc_treatments") { result in
            result.treatments.map { self.treatmentKinds.label($0, language: language) }.joined(separator: " + ")
        })
        return columns
    }

    /// The headings of `participants.csv` for `report`.
    public func participantCSVHeadings(_ report: EvaluationReport, language: String = "fr") -> [String] {
        participantColumns(report, language: language, pseudonymizer: Pseudonymizer()).map(\.heading)
    }

    /// One row per participation (a participant in two programmes of the scope has two rows with
    /// the same pseudonym), pseudonymised with a random key drawn for this export only. Erased
    /// participants are not in it: their anonymous rows are only counted in the aggregates.
    public func participantsCSV(_ report: EvaluationReport, language: String = "fr", pseudonymizer: Pseudonymizer = Pseudonymizer()) -> String {
        let columns = participantColumns(report, language: language, pseudonymizer: pseudonymizer)
        var rows = csvPreamble(report, format(language))
        rows.append(columns.map(\.heading))
        for result in report.participations where !result.erased {
            rows.append(columns.map { $0.cell(result) })
        }
        return csvText(rows)
    }
}
