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
                flag(result.endAnswered), result.endEligible ? result.endStatus : "", result.endEligible ? flag(result.endCOValidated) : "",
                result.followUpDue?.iso ?? "", flag(result.followUpEligible), flag(result.followUpAnswered),
                result.followUpEligible ? result.followUpStatus : "", number(result.followUpCigarettes),
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
}
