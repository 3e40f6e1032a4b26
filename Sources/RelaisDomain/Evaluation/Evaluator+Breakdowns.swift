extension Evaluator {
    /// The funders' breakdowns of the counted participants. A participant belongs to one group
    /// per dimension, except for the publics (one group per public they belong to, `none` else).
    func breakdown(_ results: [ParticipationResult], programmes: [String: EvaluationFacts.Programme],
                   timePoints: [String]) -> [EvaluationReport.Breakdown] {
        let unknown = "unknown"
        let dimensions: [(String, [String], (ParticipationResult) -> [String])] = [
            ("sex", Sex.allCases.map(\.rawValue) + [unknown], { [$0.sex?.rawValue ?? unknown] }),
            ("ageBand", AgeBand.allCases.map(\.rawValue) + [unknown], { [$0.ageBand?.rawValue ?? unknown] }),
            ("publics", PriorityPublic.allCases.map(\.rawValue) + ["none"], { result in
                result.publics.isEmpty ? ["none"] : result.publics.sorted().map(\.rawValue)
            }),
            ("territory", [], { [$0.departement ?? unknown] }),
            ("modality", Modality.allCases.map(\.rawValue), { [programmes[$0.programmeID]?.modality ?? unknown] }),
            ("moisSansTabac", ["yes", "no"], { (programmes[$0.programmeID]?.moisSansTabac ?? false) ? ["yes"] : ["no"] }),
        ]
        return dimensions.map { dimension, order, groupsOf in
            var members: [String: [Int]] = [:]
            for index in results.indices {
                for code in groupsOf(results[index]) { members[code, default: []].append(index) }
            }
            // The listed codes first (empty ones included, so that a form's rows are all there), then the others sorted.
            var codes = order
            for code in members.keys.sorted() where !codes.contains(code) && code != unknown { codes.append(code) }
            if members[unknown] != nil && !codes.contains(unknown) { codes.append(unknown) }
            return EvaluationReport.Breakdown(dimension: dimension, groups: codes.map { code in
                let group = members[code] ?? []
                return EvaluationReport.BreakdownGroup(
                    code: code, participants: group.count, smokersAtEntry: group.filter { results[$0].smokerAtEntry }.count,
                    exSmokersAtEntry: group.filter { !results[$0].smokerAtEntry }.count,
                    outcomes: timePoints.map { timePoint in
                        var base = 0, respondents = 0, stopped = 0, reduced = 0
                        for index in group where results[index].smokerAtEntry && results[index].started {
                            guard let point = results[index].timePoint(timePoint), point.due else { continue }
                            base += 1
                            if point.responded { respondents += 1 }
                            if point.smoker == .stopped { stopped += 1 }
                            if point.smoker == .reduced { reduced += 1 }
                        }
                        return EvaluationReport.GroupOutcome(timePoint: timePoint, base: base, respondents: respondents, stopped: stopped, reduced: reduced)
                    })
            })
        }
    }
}
