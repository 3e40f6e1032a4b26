import Foundation
import GRDB
import RelaisDomain

public struct ProgrammeRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "programme"
    public var id: String
    public var templateId: String
    public var templateVersion: String
    public var title: String
    public var siteId: String?
    public var roomId: String?
    public var modality: Modality
    public var visioUrl: String?
    public var capacity: Int
    public var timeZone: TimeZoneIdentifier
    public var leadId: String
    public var peerHelperId: String?
    public var status: ProgrammeStatus
    public var followUpDue: String
    public var createdAt: Date
    public var endInstruments: [String] = ["satisfaction_end", "impact_end"]
    public var followUpInstrument = "followup_3m"
    public var followUpMonths = 3
    /// Every follow-up of its template, each its own time point (`followUpInstrument` and
    /// `followUpMonths` name the primary one, as before there could be several).
    public var followUps: [FollowUpTemplate] = [FollowUpTemplate(months: 3, instrument: "followup_3m")]
    /// A programme of the national "Mois sans tabac" campaign (a flag funders ask for).
    public var moisSansTabac = false

    enum CodingKeys: String, CodingKey {
        case id, title, modality, capacity, status
        case templateId = "template_id", templateVersion = "template_version", siteId = "site_id", roomId = "room_id"
        case visioUrl = "visio_url", timeZone = "time_zone", leadId = "lead_id", peerHelperId = "peer_helper_id"
        case followUpDue = "follow_up_due", createdAt = "created_at"
        case endInstruments = "end_instruments", followUpInstrument = "follow_up_instrument", followUpMonths = "follow_up_months"
        case followUps = "follow_ups", moisSansTabac = "mois_sans_tabac"
    }

    /// The staff who lead or co-lead its sessions.
    public var facilitators: [String] { [leadId] + (peerHelperId.map { [$0] } ?? []) }
    public var zone: TimeZone { timeZone.zone }
}

public struct SessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session"
    public var id: String
    public var programmeId: String
    public var index: Int
    public var title: String
    public var startsAt: Date
    public var endsAt: Date
    public var roomId: String?
    public var status: SessionStatus
    public var holiday: String?
    public var note: String
    public var updatedAt: Date
    /// The calendar revision (iCalendar SEQUENCE): raised with every change of time, place or status.
    public var sequence = 0

    enum CodingKeys: String, CodingKey {
        case id, title, status, holiday, note, sequence
        case programmeId = "programme_id", index = "idx", startsAt = "starts_at", endsAt = "ends_at", roomId = "room_id"
        case updatedAt = "updated_at"
    }
}

/// A move or a cancellation of a session, as kept in `session_change`.
public struct SessionChange: Codable, Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "session_change"
    public var at: Date
    public var actorName: String
    public var change: String
    public var before: String?
    public var after: String?
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case at, change, before, after, reason
        case actorName = "actor_name"
    }
}

/// What a coordinator asks for; the sessions come from the planner's proposal.
public struct ProgrammeDraft: Sendable {
    public var template: ProgrammeTemplate
    public var title: String
    public var siteID: String?
    public var roomID: String?
    public var modality: Modality
    public var visioURL: String?
    public var capacity: Int
    public var timeZone: TimeZone
    public var leadID: String
    public var peerHelperID: String?
    /// (start, end, holiday name) per group session, in order.
    public var sessions: [(start: Date, end: Date, holiday: String?)]
    public var followUpDue: CalendarDate
    public var moisSansTabac: Bool

    public init(template: ProgrammeTemplate, title: String, siteID: String?, roomID: String?, modality: Modality, visioURL: String?,
                capacity: Int, timeZone: TimeZone, leadID: String, peerHelperID: String?,
                sessions: [(start: Date, end: Date, holiday: String?)], followUpDue: CalendarDate, moisSansTabac: Bool = false) {
        self.template = template
        self.title = title
        self.siteID = siteID
        self.roomID = roomID
        self.modality = modality
        self.visioURL = visioURL
        self.capacity = capacity
        self.timeZone = timeZone
        self.leadID = leadID
        self.peerHelperID = peerHelperID
        self.sessions = sessions
        self.followUpDue = followUpDue
        self.moisSansTabac = moisSansTabac
    }
}

/// Programmes and their group sessions: creation from a plan, rescheduling, cancellation,
/// attendance. Every change is audited and session changes are kept in `session_change`.
public struct Programmes: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    public func create(_ draft: ProgrammeDraft, by actor: Actor) throws -> (ProgrammeRecord, [SessionRecord]) {
        var problems: [String: Reason] = [:]
        let title = draft.title.trimmingCharacters(in: .whitespaces)
        TextRules.checkOneLine(title, field: "title", maxLength: 200, required: true, into: &problems)
        if !(1...100).contains(draft.capacity) { problems["capacity"] = Reason(.numberRange, ["min": "1", "max": "100"]) }
        if draft.modality != .visio && draft.siteID == nil { problems["siteId"] = Reason(.siteRequired) }
        // The link is shown in pages and sent in mail and calendar files, whatever the modality.
        let visioURL = draft.visioURL?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let visioURL, let problem = TextRules.httpsLinkProblem(visioURL) {
            problems["visioUrl"] = problem
        } else if visioURL == nil && draft.modality != .inPerson {
            problems["visioUrl"] = Reason(.visioLinkRequired)
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        let now = clock.now()
        let programme = ProgrammeRecord(
            id: UUID().uuidString.lowercased(), templateId: draft.template.id, templateVersion: draft.template.version, title: title,
            siteId: draft.siteID, roomId: draft.roomID, modality: draft.modality, visioUrl: visioURL, capacity: draft.capacity,
            timeZone: TimeZoneIdentifier(draft.timeZone), leadId: draft.leadID, peerHelperId: draft.peerHelperID, status: .planned,
            followUpDue: draft.followUpDue.iso, createdAt: now, endInstruments: draft.template.endQuestionnaires,
            followUpInstrument: draft.template.primaryFollowUp.instrument, followUpMonths: draft.template.primaryFollowUp.months,
            followUps: draft.template.followUps, moisSansTabac: draft.moisSansTabac)
        let sessions = zip(draft.template.sessions, draft.sessions).map { template, planned in
            SessionRecord(id: UUID().uuidString.lowercased(), programmeId: programme.id, index: template.index,
                          title: template.title.fr, startsAt: planned.start, endsAt: planned.end, roomId: draft.roomID,
                          status: .planned, holiday: planned.holiday, note: "", updatedAt: now)
        }
        try store.pool.write { db in
            try Self.checkStaff(db, leadID: draft.leadID, peerHelperID: draft.peerHelperID)
            if let siteID = draft.siteID, try !SiteRecord.exists(db, key: siteID) { throw ValidationError(field: "siteId", .siteUnknown) }
            if let roomID = draft.roomID {
                guard let room = try RoomRecord.fetchOne(db, key: roomID), room.siteId == draft.siteID else {
                    throw ValidationError(field: "roomId", .roomUnknown)
                }
            }
            for (index, session) in sessions.enumerated() {
                if index > 0 && session.startsAt < sessions[index - 1].endsAt {
                    throw Refusal.conflict(.planOverlap, ["first": String(index), "second": String(index + 1)])
                }
                try Conflicts.check(db, .init(start: session.startsAt, end: session.endsAt, facilitators: programme.facilitators,
                                              roomID: session.roomId, participants: []), timeZone: draft.timeZone)
            }
            try programme.insert(db)
            for session in sessions { try session.insert(db) }
            try Audit.record(db, actor, "create", entity: "programme", id: programme.id, detail: programme.title, at: now)
        }
        return (programme, sessions)
    }

    /// What `create` would refuse for each session of a draft (its 1-based index → the reason):
    /// the creation form shows them beside the planner's proposal before anything is stored.
    public func conflicts(_ draft: ProgrammeDraft) throws -> [Int: Reason] {
        try store.pool.read { db in
            var found: [Int: Reason] = [:]
            let facilitators = [draft.leadID] + (draft.peerHelperID.map { [$0] } ?? [])
            for (index, session) in draft.sessions.enumerated() {
                do {
                    try Conflicts.check(db, .init(start: session.start, end: session.end, facilitators: facilitators, roomID: draft.roomID,
                                                  participants: []), timeZone: draft.timeZone)
                } catch let refusal as Refusal where refusal.kind == .conflict {
                    found[index + 1] = refusal.reason
                }
            }
            return found
        }
    }

    /// A session needs a tabacologue to lead it; a peer helper only co-leads.
    static func checkStaff(_ db: Database, leadID: String, peerHelperID: String?) throws {
        guard let lead = try User.fetchOne(db, key: leadID), !lead.isDisabled else {
            throw ValidationError(field: "leadId", .userUnknownOrDisabled)
        }
        guard lead.role == .tabacologue else {
            throw ValidationError(field: "leadId", lead.role == .peerHelper
                ? Reason(.leadPeerHelper) : Reason(.leadNotTabacologue, ["name": lead.displayName, "role": lead.role.rawValue]))
        }
        if let peerHelperID {
            guard let helper = try User.fetchOne(db, key: peerHelperID), !helper.isDisabled, helper.role == .peerHelper else {
                throw ValidationError(field: "peerHelperId", .peerHelperInvalid)
            }
        }
    }

    public func programme(id: String) throws -> (ProgrammeRecord, [SessionRecord]) {
        try store.pool.read { db in
            guard let programme = try ProgrammeRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.programmeNotFound) }
            return (programme, try SessionRecord.filter(Column("programme_id") == id).order(Column("idx")).fetchAll(db))
        }
    }

    /// Programmes whose first session falls in `year` (all when nil), by first session.
    public func list(year: Int?, visibleTo userID: String? = nil) throws -> [(ProgrammeRecord, [SessionRecord])] {
        try store.pool.read { db in
            let sessions = try SessionRecord.order(Column("starts_at")).fetchAll(db)
            var request = ProgrammeRecord.all()
            if let userID { request = request.filter(Column("lead_id") == userID || Column("peer_helper_id") == userID) }
            let result = try request.fetchAll(db).map { programme in (programme, sessions.filter { $0.programmeId == programme.id }) }
            return result.filter { programme, sessions in
                guard let year, let first = sessions.first else { return year == nil }
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = programme.zone
                return calendar.component(.year, from: first.startsAt) == year
            }.sorted { ($0.1.first?.startsAt ?? .distantFuture) < ($1.1.first?.startsAt ?? .distantFuture) }
        }
    }

    public func session(id: String) throws -> (SessionRecord, ProgrammeRecord) {
        try store.pool.read { db in
            guard let session = try SessionRecord.fetchOne(db, key: id),
                  let programme = try ProgrammeRecord.fetchOne(db, key: session.programmeId) else { throw Refusal.notFound(.sessionNotFound) }
            return (session, programme)
        }
    }

    /// Moves a session (conflicts refused), recording before/after and the reason.
    public func reschedule(sessionID: String, start: Date, end: Date, roomID: String??, holiday: String?, reason: String,
                           by actor: Actor) throws -> SessionRecord {
        guard end > start else { throw ValidationError(field: "end", .endBeforeStart) }
        try TextRules.validate { TextRules.checkOneLine(reason, field: "reason", maxLength: 500, into: &$0) }
        return try store.pool.write { db in
            guard var session = try SessionRecord.fetchOne(db, key: sessionID),
                  let programme = try ProgrammeRecord.fetchOne(db, key: session.programmeId) else { throw Refusal.notFound(.sessionNotFound) }
            guard session.status == .planned else { throw Refusal.conflict(.sessionCancelled) }
            if let roomID, let id = roomID {
                guard let room = try RoomRecord.fetchOne(db, key: id), room.siteId == programme.siteId else {
                    throw ValidationError(field: "roomId", .roomUnknown)
                }
            }
            let newRoom = roomID ?? session.roomId
            try Conflicts.check(db, .init(start: start, end: end, facilitators: programme.facilitators, roomID: newRoom,
                                          participants: [], excludingSession: session.id), timeZone: programme.zone)
            let siblings = try SessionRecord.filter(Column("programme_id") == programme.id && Column("id") != session.id
                                                    && Column("status") == "planned").fetchAll(db)
            if siblings.contains(where: { $0.startsAt < end && $0.endsAt > start }) {
                throw Refusal.conflict(.sessionOverlapsProgramme)
            }
            let before = Conflicts.describe(session.startsAt, programme.zone)
            let previousStart = session.startsAt
            session.startsAt = start
            session.endsAt = end
            session.roomId = newRoom
            session.holiday = holiday
            session.updatedAt = clock.now()
            session.sequence += 1
            try session.update(db)
            try db.execute(sql: "INSERT INTO session_change(session_id, at, actor_name, change, before, after, reason) VALUES (?,?,?,?,?,?,?)",
                           arguments: [session.id, clock.now(), actor.name, "rescheduled", before, Conflicts.describe(start, programme.zone), reason])
            try Audit.record(db, actor, "reschedule", entity: "session", id: session.id, detail: reason, at: clock.now())
            try Reminders.notifySessionChange(db, session, previousStart: previousStart, reason: reason, policy: store.reminderPolicy, at: clock.now())
            return session
        }
    }

    public func cancel(sessionID: String, reason: String, by actor: Actor) throws -> SessionRecord {
        try TextRules.validate { TextRules.checkOneLine(reason, field: "reason", maxLength: 500, into: &$0) }
        return try store.pool.write { db in
            guard var session = try SessionRecord.fetchOne(db, key: sessionID) else { throw Refusal.notFound(.sessionNotFound) }
            guard session.status == .planned else { return session }
            session.status = .cancelled
            session.updatedAt = clock.now()
            session.sequence += 1
            try session.update(db)
            try db.execute(sql: "INSERT INTO session_change(session_id, at, actor_name, change, reason) VALUES (?,?,?,?,?)",
                           arguments: [session.id, clock.now(), actor.name, "cancelled", reason])
            try Audit.record(db, actor, "cancel", entity: "session", id: session.id, detail: reason, at: clock.now())
            try Reminders.notifySessionChange(db, session, previousStart: session.startsAt, reason: reason, policy: store.reminderPolicy, at: clock.now())
            return session
        }
    }

    public func changes(sessionID: String) throws -> [SessionChange] {
        try store.pool.read { try SessionChange.filter(Column("session_id") == sessionID).order(Column("id")).fetchAll($0) }
    }
}
