import Foundation
import RelaisDomain
import RelaisStore
import RelaisUseCases

// The JSON the API answers, as types: each is described field by field in the OpenAPI
// description (Sources/RelaisWeb/OpenAPI/openapi.json), which a test checks against real answers.

struct SessionBody: Encodable {
    var id: String
    var programmeId: String
    var index: Int
    var kind = "group"
    var title: String
    var start: Date
    var end: Date
    var startLocal: String
    var status: SessionStatus
    @Nullable var holiday: String?
    @Nullable var roomId: String?
    // The session's own page in the API adds these.
    var note: String?
    var roster: [RosterEntry]?
    var changes: [ChangeBody]?

    init(_ session: SessionRecord, _ programme: ProgrammeRecord) {
        id = session.id
        programmeId = programme.id
        index = session.index
        title = session.title
        start = session.startsAt
        end = session.endsAt
        startLocal = LocalDateTime(session.startsAt, in: programme.zone).iso
        status = session.status
        holiday = session.holiday
        roomId = session.roomId
    }

    struct RosterEntry: Encodable {
        var participantId: String
        @Nullable var attendance: AttendanceStatus?
        var name: String
    }

    struct ChangeBody: Encodable {
        var at: Date
        var by: String
        var change: String
        @Nullable var before: String?
        @Nullable var after: String?
        var reason: String

        init(_ change: SessionChange) {
            at = change.at
            by = change.actorName
            self.change = change.change
            before = change.before
            after = change.after
            reason = change.reason
        }
    }
}

struct ProgrammeBody: Encodable {
    var id: String
    var title: String
    var template: String
    var templateVersion: String
    @Nullable var siteId: String?
    @Nullable var roomId: String?
    var modality: Modality
    @Nullable var visioUrl: String?
    var capacity: Int
    var timeZone: String
    var leadId: String
    @Nullable var peerHelperId: String?
    var status: ProgrammeStatus
    var followUpDue: String
    var moisSansTabac: Bool
    var sessions: [SessionBody]
    var enrolled: Int?
    var waiting: Int?
    var holidays: [Holiday]?

    init(_ programme: ProgrammeRecord, _ sessions: [SessionRecord]) {
        id = programme.id
        title = programme.title
        template = programme.templateId
        templateVersion = programme.templateVersion
        siteId = programme.siteId
        roomId = programme.roomId
        modality = programme.modality
        visioUrl = programme.visioUrl
        capacity = programme.capacity
        timeZone = programme.timeZone.identifier
        leadId = programme.leadId
        peerHelperId = programme.peerHelperId
        status = programme.status
        followUpDue = programme.followUpDue
        moisSansTabac = programme.moisSansTabac
        self.sessions = sessions.map { SessionBody($0, programme) }
    }

    struct Holiday: Encodable {
        var index: Int
        var holiday: String
        @Nullable var proposedShift: Date?
    }
}

struct SiteBody: Encodable {
    var id: String
    var name: String
    var address: String
    var rooms: [RoomBody]

    init(_ site: SiteRecord, _ rooms: [RoomRecord]) {
        id = site.id
        name = site.name
        address = site.address
        self.rooms = rooms.map { RoomBody($0, withSite: false) }
    }
}

struct RoomBody: Encodable {
    var id: String
    var siteId: String?
    var name: String
    @Nullable var capacity: Int?

    init(_ room: RoomRecord, withSite: Bool) {
        id = room.id
        siteId = withSite ? room.siteId : nil
        name = room.name
        capacity = room.capacity
    }
}

struct UserBody: Encodable, JSONWritable {
    var id: String
    var name: String
    var displayName: String
    var role: Role
    var language: String?
    var email: Nullable<String>?

    init(_ user: User, profile: Bool) {
        id = user.id
        name = user.name
        displayName = user.displayName
        role = user.role
        language = profile ? user.language : nil
        email = profile ? Nullable(wrappedValue: user.email) : nil
    }

    /// `GET /api/v1/me` answers every script's first call: written by hand, as `Encodable` would.
    func write(to writer: JSONWriter) throws {
        writer.object {
            writer.field("id", id)
            writer.field("name", name)
            writer.field("displayName", displayName)
            writer.field("role", role)
            if let language { writer.field("language", language) }
            if let email { writer.field("email", email.wrappedValue) }
        }
    }
}

struct TemplateBody: Encodable {
    struct Session: Encodable, Sendable {
        var index: Int
        var title: String
        var durationMinutes: Int
        var instruments: [String]
    }

    var id: String
    var version: String
    var title: String
    var sessions: [Session]
    var consultations: Int
    var followUpMonths: Int

    init(_ template: ProgrammeTemplate, language: String) {
        id = template.id
        version = template.version
        title = template.title.text(language)
        sessions = template.sessions.map { Session(index: $0.index, title: $0.title.text(language), durationMinutes: $0.durationMinutes, instruments: $0.instruments) }
        consultations = template.consultations.count
        followUpMonths = template.primaryFollowUp.months
    }
}

struct ParticipantBody: Encodable, JSONWritable {
    struct Consents: Encodable {
        @Nullable var dataProcessing: Date?
        @Nullable var email: Date?
        @Nullable var followUp: Date?
        @Nullable var sms: Date?
    }

    var id: String
    var firstName: String
    var lastName: String
    @Nullable var birthYear: Int?
    var smokerStatus: SmokerStatus
    var precarity: Bool
    var isolation: Bool
    var difficultCarePath: Bool
    var language: String
    @Nullable var sex: Sex?
    @Nullable var postalCode: String?
    var pregnant: Bool
    var chronicIllness: Bool
    var mentalIllness: Bool
    var disability: Bool
    var complementaireSanteSolidaire: Bool
    var justice: Bool
    var consents: Consents
    // Contact details, for roles that read them.
    var email: Nullable<String>?
    var phone: Nullable<String>?
    var mobile: Nullable<String>?
    var postalAddress: Nullable<String>?
    var preferredChannel: ContactChannel?
    var noContact: Bool?
    var orientations: [OrientationBody]?

    init(_ record: ParticipantRecord, contact: Bool) {
        id = record.id
        firstName = record.firstName
        lastName = record.lastName
        birthYear = record.birthYear
        smokerStatus = record.smokerStatus
        precarity = record.precarity
        isolation = record.isolation
        difficultCarePath = record.difficultCarePath
        language = record.language
        sex = record.sex
        postalCode = record.postalCode
        pregnant = record.pregnant
        chronicIllness = record.chronicIllness
        mentalIllness = record.mentalIllness
        disability = record.disability
        complementaireSanteSolidaire = record.complementaireSanteSolidaire
        justice = record.justice
        consents = Consents(dataProcessing: record.consentDataProcessingAt, email: record.consentEmailAt, followUp: record.consentFollowUpAt,
                            sms: record.consentSmsAt)
        if contact {
            email = Nullable(wrappedValue: record.email)
            phone = Nullable(wrappedValue: record.phone)
            mobile = Nullable(wrappedValue: record.mobile)
            postalAddress = Nullable(wrappedValue: record.postalAddress)
            preferredChannel = record.preferredChannel
            noContact = record.noContact
        }
    }

    /// Hundreds at a time in the participants list: written by hand, field for field as
    /// `Encodable` would (`JSONStreamTests` holds the two to the same bytes).
    func write(to writer: JSONWriter) throws {
        try writer.object {
            writer.field("id", id)
            writer.field("firstName", firstName)
            writer.field("lastName", lastName)
            writer.field("birthYear", birthYear)
            writer.field("smokerStatus", smokerStatus)
            writer.field("precarity", precarity)
            writer.field("isolation", isolation)
            writer.field("difficultCarePath", difficultCarePath)
            writer.field("language", language)
            writer.field("sex", sex)
            writer.field("postalCode", postalCode)
            writer.field("pregnant", pregnant)
            writer.field("chronicIllness", chronicIllness)
            writer.field("mentalIllness", mentalIllness)
            writer.field("disability", disability)
            writer.field("complementaireSanteSolidaire", complementaireSanteSolidaire)
            writer.field("justice", justice)
            writer.key("consents")
            writer.object {
                writer.field("dataProcessing", consents.dataProcessing)
                writer.field("email", consents.email)
                writer.field("followUp", consents.followUp)
                writer.field("sms", consents.sms)
            }
            if let email { writer.field("email", email.wrappedValue) }
            if let phone { writer.field("phone", phone.wrappedValue) }
            if let mobile { writer.field("mobile", mobile.wrappedValue) }
            if let postalAddress { writer.field("postalAddress", postalAddress.wrappedValue) }
            if let preferredChannel { writer.field("preferredChannel", preferredChannel) }
            if let noContact { writer.field("noContact", noContact) }
            if let orientations { try writer.field("orientations", encoding: orientations) }
        }
    }
}

/// A page of `GET /api/v1/participants`: `nextCursor` is the `cursor` of the next page, null on the last.
struct ParticipantListBody: Encodable, JSONWritable {
    var participants: [ParticipantBody]
    @Nullable var nextCursor: String?

    func write(to writer: JSONWriter) throws {
        try writer.object {
            writer.key("participants")
            try writer.array(participants) { try $0.write(to: writer) }
            writer.field("nextCursor", nextCursor)
        }
    }
}

struct OrientationBody: Encodable {
    var id: String
    var kind: OrientationKind
    /// Null for roles that see which orientation but not its clinical detail.
    @Nullable var detail: String?
    var followed: Nullable<String>?
    var programmeId: Nullable<String>?
    var createdAt: Date?

    init(_ record: OrientationRecord, detail: Bool, full: Bool) {
        id = record.id
        kind = record.kind
        self.detail = detail ? record.detail : nil
        if full {
            followed = Nullable(wrappedValue: record.followed)
            programmeId = Nullable(wrappedValue: record.programmeId)
            createdAt = record.createdAt
        }
    }
}

struct EnrolmentBody: Encodable {
    var id: String
    var programmeId: String
    var participantId: String
    var status: EnrolmentStatus
    var requestedAt: Date
    @Nullable var withdrawalReason: String?
    var baseline: BaselineBody
    var name: String?

    init(_ record: EnrolmentRecord, name: String? = nil) {
        id = record.id
        programmeId = record.programmeId
        participantId = record.participantId
        status = record.status
        requestedAt = record.requestedAt
        withdrawalReason = record.withdrawalReason
        baseline = BaselineBody(record.baseline)
        self.name = name
    }
}

/// The baseline frozen on an enrolment, with where its status came from; a consumption not
/// entered is null (the evaluation takes the entry test's).
struct BaselineBody: Encodable {
    var smokingStatus: SmokerStatus
    var smokingStatusSource: BaselineSource
    @Nullable var cigarettesPerDay: Double?
    var products: [String: Double]
    @Nullable var goal: SmokingGoal?
    @Nullable var quitDate: String?
    var publics: [PriorityPublic]

    init(_ baseline: Baseline) {
        smokingStatus = baseline.smokingStatus
        smokingStatusSource = baseline.smokingStatusSource
        cigarettesPerDay = baseline.cigarettesPerDay
        products = baseline.products
        goal = baseline.goal
        quitDate = baseline.quitDate?.iso
        publics = baseline.publics.sorted()
    }
}

struct ConsultationBody: Encodable {
    var id: String
    var programmeId: String
    var participantId: String
    var index: Int
    var facilitatorId: String
    var start: Date
    var end: Date
    var startLocal: String
    var modality: ConsultationModality
    var status: ConsultationStatus
    /// Only for the consultation's clinician.
    var note: String?

    init(_ view: ConsultationView) {
        let record = view.consultation
        id = record.id
        programmeId = record.programmeId
        participantId = record.participantId
        index = record.index
        facilitatorId = record.facilitatorId
        start = record.startsAt
        end = record.endsAt
        startLocal = LocalDateTime(record.startsAt, in: view.programme.zone).iso
        modality = record.modality
        status = record.status
        note = view.clinician ? record.note : nil
    }
}

struct ScoreBody: Encodable {
    @Nullable var total: Double?
    @Nullable var band: String?
    var bandLabel: String?
}

struct AssessmentBody: Encodable {
    var id: String
    var participantId: String
    var instrument: String
    var version: String
    var date: String
    var partial: Bool
    var source: AssessmentSource
    /// Null when the evaluation attributes it to a programme by its date.
    @Nullable var programmeId: String?
    var answers: [String: JSONValue]
    @Nullable var recordedBy: String?
    var recordedAt: Date
    @Nullable var total: Double?
    @Nullable var band: String?
    var bandLabel: String?
    var derived: [String: ScoreBody]?
    /// Withdrawn (entered in error): kept in the history, counted nowhere.
    var withdrawn: Bool
    /// Who withdrew it, when and why; null unless withdrawn.
    @Nullable var withdrawal: AssessmentWithdrawalBody?
    /// The versions it had before each correction, oldest first.
    var corrections: [AssessmentCorrectionBody]

    init(_ record: AssessmentRecord, instrument: ConfiguredInstrument?, language: String, history: AssessmentHistory? = nil) {
        id = record.id
        participantId = record.participantId
        self.instrument = record.instrumentId
        version = record.instrumentVersion
        date = record.takenOn
        partial = record.partial
        source = record.source
        programmeId = record.programmeId
        answers = record.answerValues
        recordedBy = record.recordedBy
        recordedAt = record.recordedAt
        total = record.total
        band = record.band
        bandLabel = Self.bandLabel(record.band, instrument: instrument, language: language)
        derived = Self.scores(record.derivedScores, instrument: instrument, language: language)
        withdrawn = record.isWithdrawn
        let names = history?.names ?? [:]
        if let at = record.withdrawnAt {
            withdrawal = AssessmentWithdrawalBody(at: at, reason: record.withdrawnReason ?? "", by: record.withdrawnBy.flatMap { names[$0] },
                                                  byId: record.withdrawnBy)
        }
        corrections = (history?.corrections[record.id] ?? []).map { correction in
            AssessmentCorrectionBody(
                at: correction.correctedAt, reason: correction.reason, by: correction.correctedBy.flatMap { names[$0] }, byId: correction.correctedBy,
                previous: .init(version: correction.previousVersion, date: correction.previousTakenOn, answers: correction.previousAnswerValues,
                                total: correction.previousTotal, band: correction.previousBand,
                                bandLabel: Self.bandLabel(correction.previousBand, instrument: instrument, language: language),
                                derived: Self.scores(correction.previousDerivedScores, instrument: instrument, language: language)))
        }
    }

    static func bandLabel(_ code: String?, score: String = "total", instrument: ConfiguredInstrument?, language: String) -> String? {
        code.flatMap { instrument?.band(score: score, code: $0)?.label.text(language) }
    }

    /// Derived scores with their band labels; nil when there are none.
    static func scores(_ scores: [String: ScoreValue], instrument: ConfiguredInstrument?, language: String) -> [String: ScoreBody]? {
        guard !scores.isEmpty else { return nil }
        return scores.reduce(into: [:]) { result, entry in
            result[entry.key] = ScoreBody(total: entry.value.total, band: entry.value.band,
                                          bandLabel: bandLabel(entry.value.band, score: entry.key, instrument: instrument, language: language))
        }
    }
}

/// Who withdrew an assessment, when and why.
struct AssessmentWithdrawalBody: Encodable, Sendable {
    var at: Date
    var reason: String
    /// The staff member's display name.
    @Nullable var by: String?
    @Nullable var byId: String?
}

/// One correction: the version it replaced, why, who and when.
struct AssessmentCorrectionBody: Encodable {
    var at: Date
    var reason: String
    @Nullable var by: String?
    @Nullable var byId: String?
    var previous: Previous

    struct Previous: Encodable {
        var version: String
        var date: String
        var answers: [String: JSONValue]
        @Nullable var total: Double?
        @Nullable var band: String?
        var bandLabel: String?
        var derived: [String: ScoreBody]?
    }
}

/// An outbox message, as the API and `relais outbox list` show it.
public struct MessageBody: Encodable, Sendable {
    var id: String
    var key: String
    var kind: MessageKind
    var state: OutboxState
    @Nullable var participantId: String?
    @Nullable var userId: String?
    @Nullable var programmeId: String?
    @Nullable var sessionId: String?
    @Nullable var invitationId: String?
    var dueAt: Date
    var nextAttemptAt: Date
    var attempts: Int
    @Nullable var lastError: String?
    @Nullable var failure: DeliveryFailure?
    @Nullable var recipient: String?
    @Nullable var messageId: String?
    @Nullable var sentAt: Date?
    @Nullable var closedReason: String?
    var createdAt: Date
    /// `email`, `sms`, `phone` (a phone task instead), or null when nothing can carry it.
    @Nullable var channel: MessageChannel?
    /// For an SMS: what the gateway's delivery report said, when, and the operator's words.
    @Nullable var delivery: SMSDelivery?
    @Nullable var deliveryAt: Date?
    @Nullable var deliveryDetail: String?

    public init(_ message: OutboxRecord) {
        id = message.id
        key = message.key
        kind = message.kind
        state = message.state
        participantId = message.participantId
        userId = message.userId
        programmeId = message.programmeId
        sessionId = message.sessionId
        invitationId = message.invitationId
        dueAt = message.dueAt
        nextAttemptAt = message.nextAttemptAt
        attempts = message.attempts
        lastError = message.lastError
        failure = message.failure
        recipient = message.recipient
        messageId = message.messageId
        sentAt = message.sentAt
        closedReason = message.closedReason
        createdAt = message.createdAt
        channel = message.channel
        delivery = message.delivery
        deliveryAt = message.deliveryAt
        deliveryDetail = message.deliveryDetail
    }
}

struct TaskBody: Encodable {
    struct Person: Encodable {
        var firstName: String
        var lastName: String
        @Nullable var phone: String?
        @Nullable var mobile: String?
        @Nullable var email: String?
        @Nullable var postalAddress: String?
    }

    struct Question: Encodable {
        struct Option: Encodable {
            var code: String
            var label: String
        }

        var item: String
        var text: String
        var options: [Option]
    }

    struct Script: Encodable {
        var instrument: String
        var title: String
        var questions: [Question]
    }

    var id: String
    var kind: TaskKind
    var state: TaskState
    var reason: String
    var dueOn: String
    var note: String
    var participantId: String
    @Nullable var programmeId: String?
    @Nullable var invitationId: String?
    @Nullable var assignedTo: String?
    var createdAt: Date
    @Nullable var closedAt: Date?
    /// For a session change: which session, the time announced and the former one.
    struct Session: Encodable, Sendable {
        var id: String
        var index: Int
        var title: String
        var cancelled: Bool
        var startsAt: Date
        @Nullable var previousStartsAt: Date?
    }

    var participant: Person
    @Nullable var session: Session?
    var script: [Script]?
    var letter: String?

    init(_ view: TaskView, withScript: Bool, language: String) {
        let task = view.task
        id = task.id
        kind = task.kind
        state = task.state
        reason = task.reason
        dueOn = task.dueOn
        note = task.note
        participantId = task.participantId
        programmeId = task.programmeId
        invitationId = task.invitationId
        assignedTo = task.assignedTo
        createdAt = task.createdAt
        closedAt = task.closedAt
        participant = Person(firstName: view.participant.firstName, lastName: view.participant.lastName, phone: view.participant.phone,
                             mobile: view.participant.mobile, email: view.participant.email, postalAddress: view.participant.postalAddress)
        session = view.sessionChange.map { Session(id: $0.sessionID, index: $0.index, title: $0.title, cancelled: $0.cancelled,
                                                   startsAt: $0.startsAt, previousStartsAt: $0.previousStartsAt) }
        if withScript, view.invitation != nil {
            script = view.script.map { instrument in
                Script(instrument: instrument.id, title: instrument.definition.title.text(language), questions: instrument.definition.items.map { item in
                    Question(item: item.id, text: item.text.text(language),
                             options: (item.options ?? []).map { Question.Option(code: $0.code, label: $0.label.text(language)) })
                })
            }
            letter = "/tasks/\(task.id)/letter"
        }
    }
}

struct InstrumentSummaryBody: Encodable {
    var id: String
    var version: String
    var title: String
    var scored: Bool
}

struct HealthBody: Encodable {
    var status: String
    var version: String
    var database: String
}

struct FeedBody: Encodable {
    var url: String
}
