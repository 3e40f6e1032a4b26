import Foundation
import RelaisDomain

/// What participants answered at the end (satisfaction, impact), the orientations, and the
/// structure's activity (peer helpers, messages, phone calls).
extension ReportValues {
    func satisfaction() -> [String: Any] {
        let instrument = instruments["satisfaction_end"]?.definition
        let optionLabels = instrument?.items.first { $0.type == .singleChoice }?.options?.map { $0.label.text(language) }
            ?? report.satisfaction.items.first?.distribution.map(\.code) ?? []
        return [
            "summary": f.fill("r_satisfaction_summary", String(report.satisfaction.respondents)),
            "hasItems": report.satisfaction.respondents > 0, "options": optionLabels,
            "items": report.satisfaction.items.map { item -> [String: Any] in
                ["label": instrument?.item(item.item)?.text.text(language) ?? item.item, "n": item.n, "mean": f.number(item.mean),
                 "satisfied": f.percent(item.satisfied.percent), "counts": item.distribution.map { String($0.count) }]
            },
        ]
    }

    func impact() -> [String: Any] {
        let instrument = instruments["impact_end"]?.definition
        return [
            "summary": f.fill("r_impact_summary", String(report.impact.respondents)), "hasItems": report.impact.respondents > 0,
            "items": report.impact.items.map { item -> [String: Any] in
                ["label": instrument?.item(item.item)?.text.text(language) ?? item.item, "n": item.n, "mean": f.number(item.mean),
                 "range": item.minimum.map { "\(f.number($0)) – \(f.number(item.maximum))" } ?? "—"]
            },
        ]
    }

    func orientations() -> [String: Any] {
        let orientations = report.orientations
        return [
            "summary": f.fill("r_orientations_summary", String(orientations.made), String(orientations.participantsOriented),
                              f.ratio(orientations.followedShare)),
            "kinds": orientations.byKind.map { ["label": f.s("r_kind_\($0.code)"), "count": $0.count] },
            "followed": orientations.followed.map { ["label": f.s("r_followed_\($0.code)"), "count": $0.count] },
        ]
    }

    /// Participants per kind of treatment received.
    func treatments() -> [String: Any] {
        let treatments = report.treatments
        return [
            "summary": f.fill("r_treatments_summary", String(treatments.participantsTreated.count), String(treatments.participantsTreated.denominator),
                              f.percent(treatments.participantsTreated.percent)),
            "kinds": treatments.byKind.map { ["label": reports.treatmentKinds.label($0.code, language: language), "count": $0.count] },
            "hasKinds": !treatments.byKind.isEmpty,
        ]
    }

    /// Peer helpers, messages and phone tasks, and the note on erased participants.
    func activity() -> [String: Any] {
        let messages = report.messages, tasks = report.phoneTasks
        return [
            "peerHelpers": f.fill("r_peer_helpers", String(report.peerHelpers.sessionsCoLed.count), String(report.peerHelpers.sessionsHeld),
                                  f.percent(report.peerHelpers.sessionsCoLed.percent), String(report.peerHelpers.programmesCoLed)),
            // Messages: sent, failed, pending, cancelled, skipped; calls: done, unreachable, open.
            "messages": stateTable(f.fill("r_messages_summary", String(messages.sent), String(messages.failed), String(messages.pending)),
                                   messages.byKind, label: "r_mail_", columns: 5),
            "tasks": stateTable(f.fill("r_tasks_summary", String(tasks.done), String(tasks.unreachable), String(tasks.open)),
                                tasks.byKind, label: "r_task_kind_", columns: 3),
            "erased": report.erased.counted > 0 ? f.fill("r_erased", String(report.erased.counted)) : "",
        ]
    }

    /// One row per kind, with the counts of its first `columns` states.
    func stateTable(_ summary: String, _ byKind: [EvaluationReport.KindStates], label: String, columns: Int) -> [String: Any] {
        ["summary": summary, "hasRows": !byKind.isEmpty,
         "rows": byKind.map { kind -> [String: Any] in
             ["label": f.s(label + kind.kind), "counts": kind.states.prefix(columns).map { String($0.count) }]
         }]
    }
}
