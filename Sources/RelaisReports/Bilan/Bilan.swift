import Foundation
import RelaisDomain

/// Where the action was held, as the bilan names its holder: the structure and the addresses of
/// its sites. Given by the caller (the configuration and the sites of the store).
public struct BilanContext: Sendable {
    public var structureName: String
    /// Site name → postal address, for the sites of the programmes in the scope.
    public var siteAddresses: [String: String]

    public init(structureName: String, siteAddresses: [String: String] = [:]) {
        self.structureName = structureName
        self.siteAddresses = siteAddresses
    }
}

/// One field of the bilan: what a regional action database or the Assurance Maladie's bilan asks,
/// as plain text ready to paste.
public struct BilanField: Sendable, Equatable {
    public var id: String
    public var label: String
    public var text: String
}

/// The bilan sheet of an evaluation: the action described field by field, in the order the
/// funders' forms ask it.
public struct Bilan: Sendable {
    public var heading: String
    /// What it covers and as of when.
    public var subtitle: String
    public var fields: [BilanField]

    /// Every field as plain text: its label, then its text, a blank line between fields
    /// (`relais report --format bilan`).
    public var plainText: String {
        ([heading, subtitle, ""] + fields.map { "\($0.label)\n\($0.text)\n" }).joined(separator: "\n")
    }
}

extension EvaluationReports {
    /// The bilan of `report` in `language`: intitulé, dates, porteur, public visé, participants,
    /// séances réalisées, objectifs, indicateurs et résultats, définitions.
    public func bilan(_ report: EvaluationReport, language: String, context: BilanContext) -> Bilan {
        let f = format(language)
        let lines = report.programmes.lines.filter { $0.status != "cancelled" }
        let templates = Self.distinct(lines.map(\.templateId)).compactMap { id in programmeTemplates.first { $0.id == id } }
        func field(_ id: String, _ text: String) -> BilanField { BilanField(id: id, label: f.s("b_\(id)"), text: text) }

        // Intitulé: the programme's title, or the template's, the structure and the year or period.
        let templateTitles = templates.map { $0.title.text(language) }
        let title: String
        switch report.scope.kind {
        case "programme":
            title = ([report.scope.programmeTitle ?? ""] + templateTitles).joined(separator: " — ")
        default:
            let what = templateTitles.isEmpty ? f.s("b_title_default") : templateTitles.joined(separator: " ; ")
            let when = report.scope.kind == "year" ? String(report.year) : report.coveredDates.map { f.period($0.from, $0.to) } ?? ""
            title = [what, context.structureName, report.scope.siteName, when].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ")
        }

        // Dates: the first and last sessions of the programmes; the period of the report.
        var dates: [String] = []
        if let first = lines.compactMap(\.firstDate).min(), let last = lines.compactMap({ $0.lastDate ?? $0.firstDate }).max() {
            dates.append(f.fill("b_dates_sessions", f.shortDate(first), f.shortDate(last)))
        } else {
            dates.append(f.s("b_dates_none"))
        }
        if report.scope.kind != "programme", let covered = report.coveredDates {
            dates.append(f.fill("b_dates_period", f.period(covered.from, covered.to)))
        }
        let followUps = report.outcomes.filter { $0.months > 0 }.map { f.timePoint($0.timePoint).lowercased() }
        if !followUps.isEmpty { dates.append(f.fill("b_dates_follow_ups", followUps.joined(separator: ", "))) }
        dates.append(f.fill("r_as_of", f.date(report.asOf)))

        // Porteur: the structure, then the places.
        var holder = [context.structureName]
        for site in Self.distinct(lines.map { $0.siteName ?? "" }) {
            if site.isEmpty {
                holder.append(f.fill("b_place", f.s("r_visio_only")))
            } else if let address = context.siteAddresses[site], !address.isEmpty {
                holder.append(f.fill("b_place", "\(site), \(address)"))
            } else {
                holder.append(f.fill("b_place", site))
            }
        }

        // Public visé: who the programme is for, then the priority publics received.
        var audience = [f.s("b_public_text")]
        if let publics = report.breakdowns.first(where: { $0.dimension == "publics" }) {
            let received = publics.groups.filter { $0.participants > 0 && $0.code != "none" }
                .map { "\(f.group("publics", $0.code)) : \($0.participants)" }
            audience.append(received.isEmpty ? f.s("b_public_none") : f.fill("b_public_received", received.joined(separator: " ; ")))
            if let none = publics.groups.first(where: { $0.code == "none" }), none.participants > 0 {
                audience.append(f.fill("b_public_without", String(none.participants)))
            }
        }

        // Participants: counted, started, smokers and ex-smokers, by sex and age.
        let p = report.participants
        var participants = [f.fill("b_participants_text", String(p.counted), String(p.started), String(p.smokers), String(p.exSmokers))]
        for dimension in ["sex", "ageBand"] {
            guard let breakdown = report.breakdowns.first(where: { $0.dimension == dimension }) else { continue }
            let groups = breakdown.groups.filter { $0.participants > 0 }.map { "\(f.group(dimension, $0.code)) \($0.participants)" }
            if !groups.isEmpty { participants.append("\(f.dimension(dimension)) : " + groups.joined(separator: " ; ")) }
        }
        participants.append(f.fill("b_participants_not_counted", String(p.waiting), String(p.withdrawnBeforeStarting)))

        // Séances réalisées.
        let programmes = report.programmes, attendance = report.attendance
        var sessions = [
            f.fill("b_sessions_programmes", String(programmes.held), String(programmes.planned), String(programmes.cancelled)),
            f.fill("b_sessions_held", String(report.peerHelpers.sessionsHeld), String(report.peerHelpers.sessionsCoLed.count),
                   String(attendance.consultationsDone)),
        ]
        for session in attendance.sessions where session.held > 0 {
            sessions.append("- " + f.fill("b_sessions_attendance", String(session.index), String(session.present), String(session.expected),
                                          f.percent(session.presentShare.percent)))
        }
        sessions.append(f.fill("b_sessions_completed", f.ratio(attendance.completedSessions)))

        // Objectifs: each template's description and its sessions' objectives.
        var objectives: [String] = []
        for template in templates {
            if templates.count > 1 { objectives.append(template.title.text(language)) }
            if let description = template.description?.text(language) { objectives.append(description) }
            for session in template.sessions {
                objectives.append("- " + f.fill("b_objective_session", String(session.index), session.title.text(language), session.objectives.text(language)))
            }
        }
        if objectives.isEmpty { objectives.append(f.s("b_objectives_none")) }

        let definitions = EvaluationDefinitions.all(report.settings, language: language).map { "\($0.term) : \($0.text)" }
        return Bilan(
            heading: f.fill("b_heading", ReportValues.heading(report, f)), subtitle: ReportValues.subtitle(report, f) + " · " + ReportValues.coverage(report, f),
            fields: [
                field("title", title),
                field("dates", dates.joined(separator: "\n")),
                field("holder", holder.joined(separator: "\n")),
                field("public", audience.joined(separator: "\n")),
                field("participants", participants.joined(separator: "\n")),
                field("sessions", sessions.joined(separator: "\n")),
                field("objectives", objectives.joined(separator: "\n")),
                field("results", bilanResults(report, f, language: language)),
                field("definitions", definitions.joined(separator: "\n\n")),
            ])
    }

    /// Indicateurs et résultats: the stops by intention to treat at each time point with their
    /// bases (the headline), the stops or reductions, the statuses, the ex-smokers apart, the CO
    /// checks, the stops maintained, then satisfaction and orientations.
    func bilanResults(_ report: EvaluationReport, _ f: ReportFormat, language: String) -> String {
        var text: [String] = [f.s("b_results_stopped")]
        for outcome in report.outcomes {
            let smokers = outcome.smokers, rates = outcome.rates
            text.append("- " + f.fill("b_results_stopped_line", f.timePoint(outcome.timePoint), f.percent(rates.stoppedIntentionToTreat),
                                      String(smokers.stopped), String(smokers.base), f.percent(rates.stoppedAmongRespondents),
                                      String(smokers.respondents), f.percent(rates.responseRate)))
        }
        text.append(f.fill("b_results_stopped_or_reduced", f.number(report.settings.reducedThresholdPercent)))
        for outcome in report.outcomes {
            let smokers = outcome.smokers
            text.append("- " + f.fill("b_results_stopped_or_reduced_line", f.timePoint(outcome.timePoint),
                                      f.percent(outcome.rates.stoppedOrReducedIntentionToTreat), String(smokers.stopped + smokers.reduced),
                                      String(smokers.base), f.percent(Evaluation.percent(smokers.stopped + smokers.reduced, smokers.respondents))))
        }
        text.append(f.s("b_results_statuses"))
        for outcome in report.outcomes {
            let smokers = outcome.smokers
            text.append("- " + f.fill("b_results_statuses_line", f.timePoint(outcome.timePoint), String(smokers.stopped), String(smokers.reduced),
                                      String(smokers.unchanged), String(smokers.increased), String(smokers.unknown), String(smokers.estimated)))
        }
        text.append(f.s("b_results_ex_smokers"))
        for outcome in report.outcomes {
            let ex = outcome.exSmokers
            text.append("- " + f.fill("b_results_ex_smokers_line", f.timePoint(outcome.timePoint), String(ex.base), String(ex.abstinenceMaintained),
                                      String(ex.relapsed), String(ex.unknown)))
        }
        text.append(f.fill("b_results_co", String(report.settings.coWindowDays), f.number(report.settings.coThresholdPPM)))
        for outcome in report.outcomes {
            let smokers = outcome.smokers
            text.append("- " + f.fill("b_results_co_line", f.timePoint(outcome.timePoint), String(smokers.stopped), String(smokers.coMeasured),
                                      String(smokers.stoppedCoValidated), String(smokers.stopped - smokers.coMeasured),
                                      f.percent(outcome.rates.stoppedCoValidatedIntentionToTreat)))
        }
        let followUps = report.outcomes.filter { $0.months > 0 }
        if !followUps.isEmpty {
            text.append(f.s("b_results_maintained"))
            for outcome in followUps {
                text.append("- " + f.fill("b_results_maintained_line", f.timePoint(outcome.timePoint), String(outcome.smokers.maintainedStopped ?? 0),
                                          String(outcome.smokers.base), f.percent(outcome.rates.maintainedStoppedIntentionToTreat)))
            }
        }
        let overall = report.satisfaction.items.first { $0.item == "overall" }
        text.append(f.fill("b_results_satisfaction", String(report.satisfaction.respondents), overall.map { f.ratio($0.satisfied) } ?? "—"))
        let orientations = report.orientations
        text.append(f.fill("b_results_orientations", String(orientations.made), String(orientations.participantsOriented),
                           f.ratio(orientations.followedShare)))
        return text.joined(separator: "\n")
    }

    /// The values in their first order, each once.
    static func distinct(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
