import Foundation

/// The kinds of treatment a tabacologue records (nicotine replacement, medications, e-cigarette),
/// with their labels: data of `Protocols/treatment_kinds.json`, loaded and checked at start.
public struct TreatmentKinds: Sendable, Decodable, Equatable {
    public struct Kind: Sendable, Decodable, Equatable {
        /// Stable code stored with the treatment and reported (`nicotine_patch`, `varenicline`…).
        public var code: String
        public var label: LocalizedText

        public init(code: String, label: LocalizedText) {
            self.code = code
            self.label = label
        }
    }

    public var version: String
    public var source: String
    public var kinds: [Kind]

    public init(version: String, source: String, kinds: [Kind]) {
        self.version = version
        self.source = source
        self.kinds = kinds
    }

    public func kind(_ code: String) -> Kind? { kinds.first { $0.code == code } }

    /// The label of a code in a language; the code itself for a kind no longer in the file.
    public func label(_ code: String, language: String) -> String { kind(code)?.label.text(language) ?? code }

    /// For commands and tests that record no treatment.
    public static let unused = TreatmentKinds(version: "0.0.0", source: "not loaded", kinds: [])
}

extension TreatmentKinds: CheckedTable {
    /// Decodes and checks the file; unknown keys are refused as in every file of Protocols/.
    public static func decode(_ data: Data, file: String) throws(ReferenceTableError) -> TreatmentKinds {
        try ReferenceTableError.decode(TreatmentKinds.self, data, file: file, allowed: allowedKeys)
    }

    static let allowedKeys: StrictJSON.Spec = .object([
        "version": .leaf, "source": .leaf,
        "kinds": .list(.object(["code": .leaf, "label": StrictJSON.localized])),
    ])

    /// The first rule the file breaks, or nil: a version, a source, at least one kind, codes
    /// `[a-z0-9_]+` each once, both labels, and `other` for what the list does not name.
    func problem() -> String? {
        guard ProgrammeTemplate.isVersion(version) else { return "version '\(version)' must be MAJOR.MINOR.PATCH, e.g. 1.0.0" }
        if source.isBlank { return "'source' is empty" }
        if kinds.isEmpty { return "'kinds' is empty" }
        var seen = Set<String>()
        for (position, kind) in kinds.enumerated() {
            let at = "kinds[\(position)]"
            guard ProgrammeTemplate.isIdentifier(kind.code) else { return "\(at).code '\(kind.code)' must match [a-z0-9_]+" }
            guard seen.insert(kind.code).inserted else { return "\(at).code '\(kind.code)' appears twice" }
            if kind.label.fr.isBlank || kind.label.en.isBlank { return "\(at).label: both 'fr' and 'en' are required" }
        }
        guard seen.contains("other") else { return "no kind 'other' (for a treatment the list does not name)" }
        return nil
    }
}

extension TimeGuards {
    /// A treatment starts at most `plannedDays` after today: a start may be planned (a patch
    /// from the quit date agreed at the consultation, varenicline a week before it), not further.
    public static func treatmentStart(_ start: CalendarDate, today: CalendarDate, plannedDays: Int) -> Reason? {
        guard start > today.addingDays(plannedDays) else { return nil }
        return Reason(.treatmentStartTooFar, ["days": String(plannedDays), "last": today.addingDays(plannedDays).iso])
    }

    /// A treatment ends on or after the day it started (a planned end may lie ahead).
    public static func treatmentEnd(_ end: CalendarDate, start: CalendarDate) -> Reason? {
        guard end < start else { return nil }
        return Reason(.treatmentEndBeforeStart, ["start": start.iso])
    }
}
