import Foundation
import GRDB
import RelaisDomain

/// One enrolment as a participant's record shows it, with its programme and attendance.
public struct ParticipantEnrolment: Sendable, Equatable {
    public var enrolment: EnrolmentRecord
    public var programme: ProgrammeRecord
    /// Start of the programme's first group session.
    public var firstSession: Date?
    public var sessionCount: Int
    public var sessionsAttended: Int
}

/// A participant's attendance at one group session.
public struct ParticipantAttendance: Sendable, Equatable {
    public var sessionId: String
    public var programmeId: String
    public var sessionIndex: Int
    public var sessionTitle: String
    public var startsAt: Date
    public var status: AttendanceStatus
    public var recordedAt: Date
}

/// Everything stored about one participant: what the GDPR export gives back.
public struct ParticipantFile: Sendable {
    public var participant: ParticipantRecord
    public var enrolments: [ParticipantEnrolment]
    public var attendance: [ParticipantAttendance]
    public var consultations: [ConsultationRecord]
    public var assessments: [AssessmentRecord]
    /// The assessments' corrections and the names of who recorded, corrected or withdrew them.
    public var assessmentHistory: AssessmentHistory
    public var orientations: [OrientationRecord]
    /// The treatments with their changes and the names of who recorded or changed them.
    public var treatments: TreatmentHistory
    public var invitations: [InvitationRecord]
    public var tasks: [TaskRecord]
    public var messages: [OutboxRecord]
    /// The audit rows about the participant (and their tasks), the export's own row included, and
    /// the list reads that showed them.
    public var audit: [AuditEntry]
    /// The structured record of each consultation that has one (current version), by consultation id.
    public var clinicalRecords: [String: ClinicalRecordRow] = [:]
}

/// What an erasure kept: anonymous rows for the yearly evaluation (one per programme).
public struct ErasedParticipantRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "erased_participant"
    public var id: String
    public var erasureId: String
    public var erasedOn: String
    public var year: Int
    public var programmeId: String?
    public var enrolmentStatus: EnrolmentStatus?
    public var sessionsAttended: Int
    public var consultationsDone: Int
    public var endAnswered: Bool?
    public var endOutcome: String?
    public var followUpAnswered: Bool?
    public var followUpOutcome: String?
    public var followUpUnreachable: Bool
    public var smokerStatus: SmokerStatus
    public var precarity: Bool
    public var isolation: Bool
    public var difficultCarePath: Bool
    /// The participation's evaluated time points and coarse breakdowns (JSON `ErasedSnapshot`), since v8.
    public var outcomes: String?
    public var sex: String?
    public var ageBand: String?
    public var departement: String?
    public var publics: [PriorityPublic] = []

    enum CodingKeys: String, CodingKey {
        case id, year, precarity, isolation, outcomes, sex, departement, publics
        case ageBand = "age_band"
        case erasureId = "erasure_id", erasedOn = "erased_on", programmeId = "programme_id", enrolmentStatus = "enrolment_status"
        case sessionsAttended = "sessions_attended", consultationsDone = "consultations_done", endAnswered = "end_answered"
        case endOutcome = "end_outcome", followUpAnswered = "follow_up_answered", followUpOutcome = "follow_up_outcome"
        case followUpUnreachable = "follow_up_unreachable", smokerStatus = "smoker_status", difficultCarePath = "difficult_care_path"
    }
}

/// The result of an erasure.
public struct ErasureReceipt: Sendable, Equatable {
    /// Anonymous rows written to `erased_participant`.
    public var anonymousRows: Int
    /// Free texts elsewhere (audit details, session notes) where the name, email or phone was redacted.
    public var redactedTexts: Int
    /// Whether the database file was rewritten (VACUUM) and the WAL emptied, so that no erased
    /// byte remains in free pages. False when SQLite was busy: the logical erasure stands.
    public var compacted: Bool
}

/// A participant's whole record across the tables: the record page, the GDPR export and the
/// erasure. Reads that show personal data are audited by the caller through `Participants.read`;
/// the export and the erasure write their own audit rows.
public struct ParticipantRecords: Sendable {
    public let store: Store
    public var clock: Clock

    /// What replaces an erased name, email or phone in free text.
    public static let redactionMark = "[effacé]"
    /// The outcome codes (`SmokingOutcome`), as answered to a `status` item.
    static let outcomeCodes: Set = ["stopped", "reduced", "unchanged", "increased"]

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Number of enrolments (any status) per participant.
    public func enrolmentCounts(participantIDs: [String]) throws -> [String: Int] {
        guard !participantIDs.isEmpty else { return [:] }
        // Only the participants asked (a page of the list), not the whole table.
        return try store.pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT participant_id, COUNT(*) AS n FROM enrolment WHERE participant_id IN (SELECT value FROM json_each(?))
                GROUP BY participant_id
                """, arguments: [Audit.participantList(participantIDs)])
            var counts: [String: Int] = [:]
            for row in rows { counts[row["participant_id"]] = row["n"] }
            return counts
        }
    }

    public func enrolments(participantID: String) throws -> [ParticipantEnrolment] {
        try store.pool.read { try Self.enrolments(db: $0, participantID: participantID) }
    }

    public func attendance(participantID: String) throws -> [ParticipantAttendance] {
        try store.pool.read { try Self.attendance(db: $0, participantID: participantID) }
    }

    /// The participant's individual consultations, by date.
    public func consultations(participantID: String) throws -> [ConsultationRecord] {
        try store.pool.read { db in
            try ConsultationRecord.filter(Column("participant_id") == participantID).order(Column("starts_at")).fetchAll(db)
        }
    }

    /// The whole record, read in one transaction with its audit row (`export`).
    public func export(participantID: String, by actor: Actor) throws -> ParticipantFile {
        let now = clock.now()
        return try store.pool.write { db in
            guard let participant = try ParticipantRecord.fetchOne(db, key: participantID) else {
                throw Refusal.notFound(.participantNotFound)
            }
            try Audit.record(db, actor, "export", entity: "participant", id: participantID, at: now)
            let tasks = try TaskRecord.filter(Column("participant_id") == participantID).order(Column("created_at"), Column.rowID).fetchAll(db)
            var audit = AuditEntry.filter(Audit.aboutParticipant(participantID))
            if !tasks.isEmpty {
                audit = AuditEntry.filter(Audit.aboutParticipant(participantID)
                                          || (Column("entity") == "task" && tasks.map(\.id).contains(Column("entity_id"))))
            }
            let assessments = try AssessmentRecord.filter(Column("participant_id") == participantID)
                .order(Column("taken_on"), Column("recorded_at"), Column.rowID).fetchAll(db)
            var file = ParticipantFile(
                participant: participant,
                enrolments: try Self.enrolments(db: db, participantID: participantID),
                attendance: try Self.attendance(db: db, participantID: participantID),
                consultations: try ConsultationRecord.filter(Column("participant_id") == participantID).order(Column("starts_at")).fetchAll(db),
                assessments: assessments, assessmentHistory: try AssessmentHistory.read(db, assessments),
                orientations: try OrientationRecord.filter(Column("participant_id") == participantID).order(Column("created_at"), Column.rowID).fetchAll(db),
                treatments: try TreatmentHistory.read(db, try TreatmentRecord.filter(Column("participant_id") == participantID)
                    .order(Column("start_on"), Column("recorded_at"), Column.rowID).fetchAll(db)),
                invitations: try InvitationRecord.filter(Column("participant_id") == participantID).order(Column("due_on")).fetchAll(db),
                tasks: tasks,
                messages: try OutboxRecord.filter(Column("participant_id") == participantID).order(Column("created_at"), Column.rowID).fetchAll(db),
                audit: try audit.order(Column("id")).fetchAll(db))
            file.clinicalRecords = Dictionary(try ClinicalRecordRow.filter(Column("participant_id") == participantID).fetchAll(db)
                .map { ($0.consultationId, $0) }, uniquingKeysWith: { first, _ in first })
            return file
        }
    }

    /// Anonymous rows kept by erasures, for the yearly evaluation.
    public func erased(year: Int? = nil) throws -> [ErasedParticipantRecord] {
        try store.pool.read { db in
            var request = ErasedParticipantRecord.order(Column("year"), Column("erased_on"))
            if let year { request = request.filter(Column("year") == year) }
            return try request.fetchAll(db)
        }
    }

    /// Erases a participant (GDPR art. 17): deletes the participant and, by cascade, everything
    /// that is theirs (enrolments, attendance, consultations and notes, assessments,
    /// orientations, questionnaires and their links, messages, phone tasks). Before that, it
    /// keeps for the yearly evaluation one anonymous row per programme (see the v5-erasure
    /// migration) and redacts the name, email and phone where they appear in free text of other
    /// rows (audit details such as a search, session notes, session change reasons); the
    /// withdrawal reasons of the participant's audit rows are redacted whole. The audit rows
    /// themselves stay, pointing to an id that no longer leads anywhere, plus one `erase` row.
    /// The deletion runs with `secure_delete`, then the file is compacted (VACUUM) and the WAL
    /// emptied so that no copy of the erased bytes stays in the database files.
    @discardableResult
    /// `snapshots`: what the evaluation found for each of their programmes (by programme id),
    /// computed just before by the caller and kept on the programme's anonymous row.
    public func erase(participantID: String, snapshots: [String: ErasedSnapshot] = [:], by actor: Actor, timeZone: TimeZone) throws -> ErasureReceipt {
        let now = clock.now()
        var receipt = try store.pool.writeWithoutTransaction { db -> ErasureReceipt in
            let previous = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = \(previous == 0 ? 0 : 1)") }
            var receipt = ErasureReceipt(anonymousRows: 0, redactedTexts: 0, compacted: false)
            try db.inTransaction {
                guard let participant = try ParticipantRecord.fetchOne(db, key: participantID) else {
                    throw Refusal.notFound(.participantNotFound)
                }
                let rows = try Self.anonymousRows(db, participant, erasedOn: LocalDateTime(now, in: timeZone).date, snapshots: snapshots)
                for row in rows { try row.insert(db) }
                try ParticipantRecord.deleteOne(db, key: participantID)
                let redacted = try Self.redact(db, participant, at: now)
                try Audit.record(db, actor, "erase", entity: "participant", id: participantID,
                                 detail: "anonymous_rows=\(rows.count) redacted_texts=\(redacted)", at: now)
                receipt = ErasureReceipt(anonymousRows: rows.count, redactedTexts: redacted, compacted: false)
                return .commit
            }
            return receipt
        }
        do {
            try store.pool.vacuum()
            try store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            receipt.compacted = true
        } catch {
            receipt.compacted = false
        }
        return receipt
    }

    // MARK: - Inside transactions

    static func enrolments(db: Database, participantID: String) throws -> [ParticipantEnrolment] {
        let enrolments = try EnrolmentRecord.filter(Column("participant_id") == participantID).order(Column("requested_at"), Column.rowID).fetchAll(db)
        return try enrolments.compactMap { enrolment in
            guard let programme = try ProgrammeRecord.fetchOne(db, key: enrolment.programmeId) else { return nil }
            let row = try Row.fetchOne(db, sql: "SELECT MIN(starts_at) AS first, COUNT(*) AS n FROM session WHERE programme_id = ?",
                                       arguments: [programme.id])
            let attended = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM attendance a JOIN session s ON s.id = a.session_id
                WHERE a.participant_id = ? AND s.programme_id = ? AND a.status = 'present'
                """, arguments: [participantID, programme.id]) ?? 0
            return ParticipantEnrolment(enrolment: enrolment, programme: programme, firstSession: row?["first"],
                                        sessionCount: row?["n"] ?? 0, sessionsAttended: attended)
        }
    }

    static func attendance(db: Database, participantID: String) throws -> [ParticipantAttendance] {
        try Row.fetchAll(db, sql: """
            SELECT a.session_id, a.status, a.recorded_at, s.programme_id, s.idx, s.title, s.starts_at
            FROM attendance a JOIN session s ON s.id = a.session_id WHERE a.participant_id = ? ORDER BY s.starts_at
            """, arguments: [participantID]).compactMap { row in
            AttendanceStatus(rawValue: row["status"]).map {
                ParticipantAttendance(sessionId: row["session_id"], programmeId: row["programme_id"], sessionIndex: row["idx"],
                                      sessionTitle: row["title"], startsAt: row["starts_at"], status: $0, recordedAt: row["recorded_at"])
            }
        }
    }

    /// One row per programme the participant was enrolled in (one without programme if none):
    /// counts and outcome codes only.
    static func anonymousRows(_ db: Database, _ participant: ParticipantRecord, erasedOn: CalendarDate,
                              snapshots: [String: ErasedSnapshot] = [:]) throws -> [ErasedParticipantRecord] {
        let erasureID = UUID().uuidString.lowercased()
        let assessments = try AssessmentRecord.filter(Column("participant_id") == participant.id && Column("partial") == false
                                                     && Column("withdrawn_at") == nil)
            .order(Column("recorded_at")).fetchAll(db)
        let invitations = try InvitationRecord.filter(Column("participant_id") == participant.id).fetchAll(db)
        let unreachable = Set(try String.fetchAll(db, sql: """
            SELECT invitation_id FROM task WHERE participant_id = ? AND state = 'unreachable' AND invitation_id IS NOT NULL
            """, arguments: [participant.id]))

        /// (answered, outcome) of a questionnaire: nil when none was sent; the outcome from a
        /// `status` item answered with an outcome code, else `unknown`.
        func questionnaire(_ programmeID: String, _ purpose: InvitationPurpose) -> (Bool?, String?, Bool) {
            guard let invitation = invitations.first(where: { $0.programmeId == programmeID && $0.purpose == purpose }) else {
                return (nil, nil, false)
            }
            let answers = assessments.filter { invitation.instruments.contains($0.instrumentId) && $0.recordedAt >= invitation.createdAt }
            var outcome = "unknown"
            for assessment in answers {
                if case .string(let code)? = assessment.answerValues["status"], outcomeCodes.contains(code) { outcome = code }
            }
            return (invitation.answeredAt != nil, outcome, unreachable.contains(invitation.id))
        }

        func row(programme: ProgrammeRecord?, enrolment: EnrolmentRecord?) throws -> ErasedParticipantRecord {
            var year = erasedOn.year
            var attended = 0, consultations = 0
            var end: (Bool?, String?, Bool) = (nil, nil, false), followUp: (Bool?, String?, Bool) = (nil, nil, false)
            if let programme {
                if let first = try Date.fetchOne(db, sql: "SELECT MIN(starts_at) FROM session WHERE programme_id = ?", arguments: [programme.id]) {
                    year = LocalDateTime(first, in: programme.zone).date.year
                }
                attended = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM attendance a JOIN session s ON s.id = a.session_id
                    WHERE a.participant_id = ? AND s.programme_id = ? AND a.status = 'present'
                    """, arguments: [participant.id, programme.id]) ?? 0
                consultations = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM consultation WHERE participant_id = ? AND programme_id = ? AND status = 'done'
                    """, arguments: [participant.id, programme.id]) ?? 0
                end = questionnaire(programme.id, .endOfProgramme)
                followUp = questionnaire(programme.id, .followUp)
            }
            let baseline = enrolment?.baseline ?? participant.baselineFromRecord
            let snapshot = programme.flatMap { snapshots[$0.id] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return ErasedParticipantRecord(
                id: UUID().uuidString.lowercased(), erasureId: erasureID, erasedOn: erasedOn.iso, year: year, programmeId: programme?.id,
                enrolmentStatus: enrolment?.status, sessionsAttended: attended, consultationsDone: consultations,
                endAnswered: end.0, endOutcome: end.1, followUpAnswered: followUp.0, followUpOutcome: followUp.1,
                followUpUnreachable: followUp.2, smokerStatus: baseline.smokingStatus, precarity: baseline.publics.contains(.precarity),
                isolation: baseline.publics.contains(.isolation), difficultCarePath: participant.difficultCarePath,
                outcomes: try snapshot.map { String(decoding: try encoder.encode($0), as: UTF8.self) }, sex: snapshot?.sex?.rawValue,
                ageBand: snapshot?.ageBand?.rawValue, departement: snapshot?.departement, publics: baseline.publics.sorted())
        }

        let enrolments = try EnrolmentRecord.filter(Column("participant_id") == participant.id).order(Column("requested_at"), Column.rowID).fetchAll(db)
        var rows: [ErasedParticipantRecord] = []
        for enrolment in enrolments {
            guard let programme = try ProgrammeRecord.fetchOne(db, key: enrolment.programmeId) else { continue }
            rows.append(try row(programme: programme, enrolment: enrolment))
        }
        if rows.isEmpty { rows.append(try row(programme: nil, enrolment: nil)) }
        return rows
    }

    /// The words that identify the participant in free text, longest first.
    static func identifyingTokens(_ participant: ParticipantRecord) -> [String] {
        let first = participant.firstName.trimmingCharacters(in: .whitespaces)
        let last = participant.lastName.trimmingCharacters(in: .whitespaces)
        let candidates = ["\(first) \(last)", "\(last) \(first)", last, first, participant.email ?? "", participant.phone ?? ""]
        var seen = Set<String>()
        return candidates.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count >= 2 && seen.insert($0.lowercased()).inserted }
            .sorted { $0.count > $1.count }
    }

    /// Replaces each whole-word occurrence of the tokens (ignoring case and accents); nil when
    /// nothing was found.
    static func redacted(_ text: String, tokens: [String]) -> String? {
        func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber }
        var result = text
        var changed = false
        // Longest first: an email is replaced whole before the name inside it.
        for token in tokens.sorted(by: { $0.count > $1.count }) where !token.isEmpty {
            var from = 0
            while from <= result.count {
                let start = result.index(result.startIndex, offsetBy: from)
                guard let range = result.range(of: token, options: [.caseInsensitive, .diacriticInsensitive], range: start..<result.endIndex) else { break }
                let offset = result.distance(from: result.startIndex, to: range.lowerBound)
                let before = range.lowerBound == result.startIndex || !isWord(result[result.index(before: range.lowerBound)])
                let after = range.upperBound == result.endIndex || !isWord(result[range.upperBound])
                if before && after {
                    result.replaceSubrange(range, with: redactionMark)
                    changed = true
                    from = offset + redactionMark.count
                } else {
                    from = offset + 1
                }
            }
        }
        return changed ? result : nil
    }

    /// Redacts the participant's identifying words in the free text of the rows that stay.
    static func redact(_ db: Database, _ participant: ParticipantRecord, at now: Date) throws -> Int {
        let tokens = identifyingTokens(participant)
        guard !tokens.isEmpty else { return 0 }
        var patterns = Set<String>()
        for token in tokens {
            for variant in [token, token.lowercased(), token.uppercased(), token.capitalized,
                            token.folding(options: .diacriticInsensitive, locale: nil)] {
                patterns.insert("%" + variant.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%")
            }
        }
        let patternList = Array(patterns)
        var count = 0
        try db.execute(sql: "INSERT OR REPLACE INTO setting(key, value) VALUES ('audit_redaction', ?)", arguments: [now])
        // The participant's own withdrawal reasons: free text about them, redacted whole.
        try db.execute(sql: """
            UPDATE audit_log SET detail = ? WHERE entity = 'participant' AND entity_id = ? AND action = 'withdraw'
              AND detail IS NOT NULL AND detail <> ?
            """, arguments: [redactionMark, participant.id, redactionMark])
        count += db.changesCount
        for (table, column) in [("audit_log", "detail"), ("session", "note"), ("session_change", "reason")] {
            let condition = patternList.map { _ in "\(column) LIKE ? ESCAPE '\\'" }.joined(separator: " OR ")
            let rows = try Row.fetchAll(db, sql: "SELECT rowid AS rid, \(column) AS text FROM \(table) WHERE \(condition)",
                                        arguments: StatementArguments(patternList))
            for row in rows {
                guard let text: String = row["text"], let replaced = redacted(text, tokens: tokens) else { continue }
                try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE rowid = ?", arguments: [replaced, row["rid"] as Int64])
                count += 1
            }
        }
        try db.execute(sql: "DELETE FROM setting WHERE key = 'audit_redaction'")
        return count
    }
}
