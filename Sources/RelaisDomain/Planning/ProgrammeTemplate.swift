import Foundation

/// What a programme consists of (its collective sessions, the individual consultations, the
/// end-of-programme questionnaires and the follow-up) as a file of Protocols/
/// (`programme-<id>.json`, documented in Protocols/README.md). A structure running a 4-session
/// variant writes another file; the planner and the rest of Relais need no change.
public struct ProgrammeTemplate: Codable, Sendable, Equatable {
    public var format: Int
    public var id: String
    public var version: String
    public var title: LocalizedText
    public var description: LocalizedText?
    /// Days between two collective sessions when the programme is planned "weekly" (usually 7).
    public var cadenceDays: Int
    public var sessions: [SessionTemplate]
    public var consultations: [ConsultationTemplate]
    /// Instrument ids administered once the last session is over.
    public var endQuestionnaires: [String]
    /// The follow-ups, by months after the participant's last session (3 by default; 1, 6 or 12
    /// may be added), each its own time point of the evaluation. Sorted, at least one.
    public var followUps: [FollowUpTemplate]

    enum CodingKeys: String, CodingKey {
        case format, id, version, title, description, sessions, consultations
        case cadenceDays = "cadence_days", endQuestionnaires = "end_questionnaires", followUp = "follow_up", followUps = "follow_ups"
    }

    public init(format: Int = 1, id: String, version: String, title: LocalizedText, description: LocalizedText? = nil,
                cadenceDays: Int = 7, sessions: [SessionTemplate], consultations: [ConsultationTemplate] = [],
                endQuestionnaires: [String] = [], followUps: [FollowUpTemplate]) {
        self.format = format
        self.id = id
        self.version = version
        self.title = title
        self.description = description
        self.cadenceDays = cadenceDays
        self.sessions = sessions
        self.consultations = consultations
        self.endQuestionnaires = endQuestionnaires
        self.followUps = followUps.sorted { $0.months < $1.months }
    }

    /// A file gives either `follow_up` (one follow-up, as format 1 always allowed) or `follow_ups` (a list).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(Int.self, forKey: .format)
        id = try container.decode(String.self, forKey: .id)
        version = try container.decode(String.self, forKey: .version)
        title = try container.decode(LocalizedText.self, forKey: .title)
        description = try container.decodeIfPresent(LocalizedText.self, forKey: .description)
        cadenceDays = try container.decode(Int.self, forKey: .cadenceDays)
        sessions = try container.decode([SessionTemplate].self, forKey: .sessions)
        consultations = try container.decodeIfPresent([ConsultationTemplate].self, forKey: .consultations) ?? []
        endQuestionnaires = try container.decodeIfPresent([String].self, forKey: .endQuestionnaires) ?? []
        let one = try container.decodeIfPresent(FollowUpTemplate.self, forKey: .followUp)
        let list = try container.decodeIfPresent([FollowUpTemplate].self, forKey: .followUps)
        switch (one, list) {
        case (let one?, nil): followUps = [one]
        case (nil, let list?): followUps = list.sorted { $0.months < $1.months }
        case (nil, nil):
            throw DecodingError.keyNotFound(CodingKeys.followUps, .init(codingPath: container.codingPath, debugDescription: "follow_up or follow_ups is required"))
        case (.some, .some):
            throw DecodingError.dataCorruptedError(forKey: .followUps, in: container, debugDescription: "give follow_up or follow_ups, not both")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(id, forKey: .id)
        try container.encode(version, forKey: .version)
        try container.encode(title, forKey: .title)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(cadenceDays, forKey: .cadenceDays)
        try container.encode(sessions, forKey: .sessions)
        try container.encode(consultations, forKey: .consultations)
        try container.encode(endQuestionnaires, forKey: .endQuestionnaires)
        try container.encode(followUps, forKey: .followUps)
    }

    /// The follow-up the programme's planned date refers to: the 3-month one when there is one
    /// (the funders' reference), else the first.
    public var primaryFollowUp: FollowUpTemplate {
        followUps.first { $0.months == 3 } ?? followUps.first ?? FollowUpTemplate(months: 3, instrument: "followup_3m")
    }

    /// Every instrument the programme administers (sessions, end questionnaires, follow-ups), for the
    /// loader to check against the instrument catalog: the domain reads no files.
    public var instrumentIDs: Set<String> {
        Set(sessions.flatMap(\.instruments)).union(endQuestionnaires).union(followUps.map(\.instrument))
    }

    public func session(_ index: Int) -> SessionTemplate? { sessions.first { $0.index == index } }
}

/// One collective session ("séance collective").
public struct SessionTemplate: Codable, Sendable, Equatable {
    /// 1, 2, 3… in the order the sessions take place.
    public var index: Int
    public var title: LocalizedText
    public var objectives: LocalizedText
    public var durationMinutes: Int
    /// Instrument ids administered during the session (e.g. `fagerstrom`, `co`), possibly none.
    public var instruments: [String]
    /// The facilitator guide, relative to the Protocols folder (e.g. `sessions/3g2i-1.md`).
    public var guide: String

    enum CodingKeys: String, CodingKey {
        case index, title, objectives, instruments, guide
        case durationMinutes = "duration_minutes"
    }

    public init(index: Int, title: LocalizedText, objectives: LocalizedText, durationMinutes: Int, instruments: [String] = [], guide: String) {
        self.index = index
        self.title = title
        self.objectives = objectives
        self.durationMinutes = durationMinutes
        self.instruments = instruments
        self.guide = guide
    }
}

/// One individual consultation per participant, placed relative to the collective sessions.
public struct ConsultationTemplate: Codable, Sendable, Equatable {
    public var index: Int
    public var durationMinutes: Int
    /// The consultation takes place after this session…
    public var afterSession: Int
    /// …and before this one, if given…
    public var beforeSession: Int?
    /// …or within this many days after the last session, if given.
    public var withinDaysAfterLastSession: Int?

    enum CodingKeys: String, CodingKey {
        case index
        case durationMinutes = "duration_minutes", afterSession = "after_session", beforeSession = "before_session"
        case withinDaysAfterLastSession = "within_days_after_last_session"
    }

    public init(index: Int, durationMinutes: Int, afterSession: Int, beforeSession: Int? = nil, withinDaysAfterLastSession: Int? = nil) {
        self.index = index
        self.durationMinutes = durationMinutes
        self.afterSession = afterSession
        self.beforeSession = beforeSession
        self.withinDaysAfterLastSession = withinDaysAfterLastSession
    }
}

/// A follow-up questionnaire, due `months` calendar months after the participant's last session.
public struct FollowUpTemplate: Codable, Sendable, Equatable, Hashable {
    public var months: Int
    public var instrument: String

    public init(months: Int, instrument: String) {
        self.months = months
        self.instrument = instrument
    }

    /// Its time point in the evaluation: "m3" for three months.
    public var timePoint: String { "m\(months)" }
}

/// Why a programme template file cannot be used, naming the file so the operator knows which to fix.
public struct ProgrammeTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "programme template \(file): \(problem)" }
}

extension ProgrammeTemplate {
    /// Decodes and validates a template file. Unknown keys are refused, as for instruments: a
    /// misspelt `"befor_session"` silently ignored would drop a scheduling constraint.
    public static func decode(_ data: Data, file: String) throws(ProgrammeTemplateError) -> ProgrammeTemplate {
        switch StrictJSON.decode(ProgrammeTemplate.self, from: data, allowed: allowedKeys) {
        case .success(let template):
            try template.validate(file: file)
            return template
        case .failure(let problem):
            throw ProgrammeTemplateError(file: file, problem: problem.text)
        }
    }

    static let durations = 15...480
    static let followUpMonths = 1...24

    /// Checks what JSON decoding cannot: identifiers, numbering, ranges and references between
    /// consultations and sessions. Instrument ids are checked against the catalog by the loader.
    func validate(file: String) throws(ProgrammeTemplateError) {
        func fail(_ problem: String) -> ProgrammeTemplateError { ProgrammeTemplateError(file: file, problem: problem) }
        guard format == 1 else { throw fail("format \(format) is not supported (expected 1)") }
        guard Self.isIdentifier(id) else { throw fail("id '\(id)' must match [a-z0-9_]+") }
        guard Self.isVersion(version) else { throw fail("version '\(version)' must be MAJOR.MINOR.PATCH, e.g. 1.0.0") }
        try Self.check(title, "title", fail)
        if let description { try Self.check(description, "description", fail) }
        guard (1...90).contains(cadenceDays) else { throw fail("cadence_days \(cadenceDays) must be in 1...90") }
        guard !sessions.isEmpty else { throw fail("'sessions' is empty") }
        for (position, session) in sessions.enumerated() {
            let at = "sessions[\(position)]"
            guard session.index == position + 1 else {
                throw fail("\(at): index \(session.index) where \(position + 1) was expected (sessions are numbered 1, 2, 3… in order)")
            }
            try Self.check(session.title, "\(at).title", fail)
            try Self.check(session.objectives, "\(at).objectives", fail)
            guard Self.durations.contains(session.durationMinutes) else {
                throw fail("\(at).duration_minutes \(session.durationMinutes) must be in 15...480")
            }
            var seen = Set<String>()
            for instrument in session.instruments {
                guard Self.isIdentifier(instrument) else { throw fail("\(at).instruments: '\(instrument)' must match [a-z0-9_]+") }
                guard seen.insert(instrument).inserted else { throw fail("\(at).instruments: '\(instrument)' appears twice") }
            }
            let guide = session.guide
            guard guide.hasSuffix(".md"), !guide.hasPrefix("/"), !guide.split(separator: "/").contains("..") else {
                throw fail("\(at).guide '\(guide)' must be a .md path inside the Protocols folder, e.g. sessions/\(id)-\(session.index).md")
            }
        }
        let last = sessions.count
        for (position, consultation) in consultations.enumerated() {
            let at = "consultations[\(position)]"
            guard consultation.index == position + 1 else {
                throw fail("\(at): index \(consultation.index) where \(position + 1) was expected")
            }
            guard Self.durations.contains(consultation.durationMinutes) else {
                throw fail("\(at).duration_minutes \(consultation.durationMinutes) must be in 15...480")
            }
            guard (1...last).contains(consultation.afterSession) else {
                throw fail("\(at).after_session \(consultation.afterSession): there is no session \(consultation.afterSession) (sessions 1...\(last))")
            }
            if let before = consultation.beforeSession {
                guard (1...last).contains(before) else {
                    throw fail("\(at).before_session \(before): there is no session \(before) (sessions 1...\(last))")
                }
                guard before > consultation.afterSession else {
                    throw fail("\(at).before_session \(before) must come after after_session \(consultation.afterSession)")
                }
            }
            if let days = consultation.withinDaysAfterLastSession, !(1...365).contains(days) {
                throw fail("\(at).within_days_after_last_session \(days) must be in 1...365")
            }
        }
        for instrument in endQuestionnaires where !Self.isIdentifier(instrument) {
            throw fail("end_questionnaires: '\(instrument)' must match [a-z0-9_]+")
        }
        guard !followUps.isEmpty else { throw fail("'follow_ups' is empty") }
        for (position, followUp) in followUps.enumerated() {
            let at = followUps.count == 1 ? "follow_up" : "follow_ups[\(position)]"
            guard Self.followUpMonths.contains(followUp.months) else { throw fail("\(at).months \(followUp.months) must be in 1...24") }
            guard Self.isIdentifier(followUp.instrument) else { throw fail("\(at).instrument '\(followUp.instrument)' must match [a-z0-9_]+") }
        }
        if Set(followUps.map(\.months)).count != followUps.count { throw fail("follow_ups: two follow-ups at the same month") }
    }

    private static func check(_ text: LocalizedText, _ key: String, _ fail: (String) -> ProgrammeTemplateError) throws(ProgrammeTemplateError) {
        if text.fr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw fail("\(key).fr is empty") }
        if text.en.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw fail("\(key).en is empty") }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func isVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
    }
}

extension ProgrammeTemplate {
    /// The keys format 1 allows.
    static let allowedKeys: StrictJSON.Spec = .object([
        "format": .leaf, "id": .leaf, "version": .leaf, "title": StrictJSON.localized, "description": StrictJSON.localized, "cadence_days": .leaf,
        "sessions": .list(.object([
            "index": .leaf, "title": StrictJSON.localized, "objectives": StrictJSON.localized, "duration_minutes": .leaf, "instruments": .leaf, "guide": .leaf,
        ])),
        "consultations": .list(.object([
            "index": .leaf, "duration_minutes": .leaf, "after_session": .leaf, "before_session": .leaf,
            "within_days_after_last_session": .leaf,
        ])),
        "end_questionnaires": .leaf,
        "follow_up": .object(["months": .leaf, "instrument": .leaf]),
        "follow_ups": .list(.object(["months": .leaf, "instrument": .leaf])),
    ])
}
