import Foundation
import RelaisDomain
import RelaisStore

/// A treatment to record: its kind (a code of `Protocols/treatment_kinds.json`), the dose as
/// written ("21 mg/24 h"), its start and, once known, its end.
public struct TreatmentRequest: Sendable, Codable, Equatable {
    public var kind: String?
    public var dose: String?
    /// `YYYY-MM-DD`.
    public var start: String?
    /// `YYYY-MM-DD`, on or after the start.
    public var end: String?
    /// The consultation where it was decided (one of the participant's).
    public var consultationID: String?
    /// The programme it belongs to (one the participant enrolled in); else attributed by its start.
    public var programmeID: String?
    public var note: String?

    public init(kind: String? = nil, dose: String? = nil, start: String? = nil, end: String? = nil, consultationID: String? = nil,
                programmeID: String? = nil, note: String? = nil) {
        self.kind = kind
        self.dose = dose
        self.start = start
        self.end = end
        self.consultationID = consultationID
        self.programmeID = programmeID
        self.note = note
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, dose, start, end, note
        case consultationID = "consultationId", programmeID = "programmeId"
    }
}

/// A change of a recorded treatment: its end, or a correction of any of its fields, with a
/// reason (required, except to give the end of a treatment that had none). A field left out
/// keeps its value; `"end": null` (or `""`) takes an end back, as do `""` for the links.
public struct TreatmentChange: Sendable, Codable, Equatable {
    public var kind: String?
    public var dose: String?
    public var start: String?
    public var end: String?
    public var consultationID: String?
    public var programmeID: String?
    public var note: String?
    public var reason: String?

    public init(kind: String? = nil, dose: String? = nil, start: String? = nil, end: String? = nil, consultationID: String? = nil,
                programmeID: String? = nil, note: String? = nil, reason: String? = nil) {
        self.kind = kind
        self.dose = dose
        self.start = start
        self.end = end
        self.consultationID = consultationID
        self.programmeID = programmeID
        self.note = note
        self.reason = reason
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, dose, start, end, note, reason
        case consultationID = "consultationId", programmeID = "programmeId"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        dose = try container.decodeIfPresent(String.self, forKey: .dose)
        start = try container.decodeIfPresent(String.self, forKey: .start)
        // `null` takes the value back, like "": only these three may be emptied.
        func clearable(_ key: CodingKeys) throws -> String? {
            guard container.contains(key) else { return nil }
            return try container.decodeNil(forKey: key) ? "" : try container.decode(String.self, forKey: key)
        }
        end = try clearable(.end)
        consultationID = try clearable(.consultationID)
        programmeID = try clearable(.programmeID)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }
}

extension UseCases {
    /// The longest dose text.
    public static let treatmentDoseLength = 200
    /// How far ahead a start may be planned (a patch from the quit date set at the consultation).
    public static let treatmentPlannedStartDays = 30

    /// Records a treatment for a participant: a clinician's act (a tabacologue), refused to the
    /// other roles (403) by the API and the pages alike.
    public func recordTreatment(participantID: String, _ request: TreatmentRequest, by caller: Caller) throws -> TreatmentRecord {
        try caller.require(.writeClinical)
        let values = try treatmentValues(kind: request.kind, dose: request.dose, start: request.start, end: request.end,
                                         consultationID: request.consultationID, programmeID: request.programmeID, note: request.note)
        return try treatments.record(participantID: participantID, values, by: caller.actor)
    }

    /// A participant's treatments with their history (previous values, reason, who, when), the read audited.
    public func treatmentHistory(participantID: String, by caller: Caller) throws -> TreatmentHistory {
        try caller.require(.readClinical)
        return try treatments.history(participantID: participantID, by: caller.actor)
    }

    /// Ends or corrects a treatment. The version it replaces is kept with the reason, who and
    /// when. A reason is required, except when the change only gives the end of an open treatment.
    public func changeTreatment(_ id: String, participantID: String, _ change: TreatmentChange, by caller: Caller) throws -> TreatmentHistory {
        try caller.require(.writeClinical)
        let current = try treatments.find(id: id, participantID: participantID)
        func given(_ value: String?, _ old: String?) -> String? { value.map { $0 } ?? old }
        var problems: [String: Reason] = [:]
        let values: TreatmentValues
        do {
            values = try treatmentValues(kind: change.kind ?? current.kind, dose: change.dose ?? current.dose, start: change.start ?? current.startOn,
                                         end: given(change.end, current.endOn), consultationID: given(change.consultationID, current.consultationId),
                                         programmeID: given(change.programmeID, current.programmeId), note: change.note ?? current.note,
                                         checkPlannedStart: change.start != nil)
        } catch let error as ValidationError {
            problems = error.fields
            values = TreatmentValues(current)
        }
        let reason = (change.reason ?? "").trimmingCharacters(in: .whitespaces)
        let onlyEnds = current.endOn == nil && change.end?.nilIfEmpty != nil
            && [change.kind, change.dose, change.start, change.consultationID, change.programmeID, change.note].allSatisfy { $0 == nil }
        TextRules.checkOneLine(reason, field: "reason", maxLength: Self.correctionReasonLength, required: !onlyEnds, into: &problems)
        guard problems.isEmpty else { throw ValidationError(problems) }
        return try treatments.change(id: current.id, participantID: participantID, to: values, reason: reason.nilIfEmpty, by: caller.actor)
    }

    /// The checked values of a treatment, or every problem at once under its field.
    func treatmentValues(kind: String?, dose: String?, start: String?, end: String?, consultationID: String?, programmeID: String?,
                         note: String?, checkPlannedStart: Bool = true) throws -> TreatmentValues {
        var problems: [String: Reason] = [:]
        let kind = (kind ?? "").trimmingCharacters(in: .whitespaces)
        if kind.isEmpty {
            problems["kind"] = .required
        } else if protocols.treatmentKinds.kind(kind) == nil {
            problems["kind"] = Reason(.expectedOneOf, ["options": protocols.treatmentKinds.kinds.map(\.code).joined(separator: ", ")])
        }
        let dose = (dose ?? "").trimmingCharacters(in: .whitespaces)
        TextRules.checkOneLine(dose, field: "dose", maxLength: Self.treatmentDoseLength, required: true, into: &problems)
        let note = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        TextRules.checkMultiLine(note, field: "note", maxLength: 2000, into: &problems)
        var startDate: CalendarDate?
        if let text = start?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let parsed = CalendarDate(iso: text) {
                if !DateWindow.contains(parsed) {
                    problems["start"] = DateWindow.reason
                } else if checkPlannedStart, let reason = TimeGuards.treatmentStart(parsed, today: today, plannedDays: Self.treatmentPlannedStartDays) {
                    problems["start"] = reason
                } else {
                    startDate = parsed
                }
            } else {
                problems["start"] = Reason(.dateFormat)
            }
        } else {
            problems["start"] = .required
        }
        var endDate: CalendarDate?
        if let text = end?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let parsed = CalendarDate(iso: text) {
                if !DateWindow.contains(parsed) {
                    problems["end"] = DateWindow.reason
                } else if let startDate, let reason = TimeGuards.treatmentEnd(parsed, start: startDate) {
                    problems["end"] = reason
                } else {
                    endDate = parsed
                }
            } else {
                problems["end"] = Reason(.dateFormat)
            }
        }
        guard problems.isEmpty, let startDate else { throw ValidationError(problems) }
        return TreatmentValues(kind: kind, dose: dose, start: startDate, end: endDate, consultationID: consultationID?.nilIfEmpty,
                               programmeID: programmeID?.nilIfEmpty, note: note)
    }
}
