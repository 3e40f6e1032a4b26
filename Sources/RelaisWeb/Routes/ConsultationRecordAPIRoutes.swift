import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension ClinicalRecordInput: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }

extension RelaisApp {
    /// `GET/PUT /api/v1/consultations/{id}/record`: the structured record of a consultation,
    /// through the use cases of its page.
    func registerConsultationRecordAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.get, "/api/v1/consultations/{id}/record") { request, caller in
            let view = try app.actions.consultationRecord(request.parameter("id"), by: caller)
            return try JSONBody.response(ConsultationRecordBody(view, app: app, language: request.preferredLanguage))
        }

        // A PUT replaces the record as a whole; the words stored with a change of its CO reading
        // are the structure's language's.
        routes.api(.put, "/api/v1/consultations/{id}/record") { request, caller in
            let body = try JSONBody.decode(ClinicalRecordInput.self, from: request)
            let strings = app.renderer.strings(app.configuration.language)
            let view = try app.actions.saveConsultationRecord(request.parameter("id"), body,
                                                              coCorrectionReason: strings["cr_co_correction_reason"] ?? "",
                                                              coWithdrawalReason: strings["cr_co_withdrawal_reason"] ?? "", by: caller)
            return try JSONBody.response(ConsultationRecordBody(view, app: app, language: request.preferredLanguage))
        }
    }
}

/// A record's fields, every one written (`null` when not given), so that what is read can be
/// written back as it is.
struct ClinicalRecordBody: Encodable {
    var input: ClinicalRecordInput

    func encode(to encoder: any Encoder) throws {
        typealias Key = ClinicalRecordInput.CodingKeys
        var container = encoder.container(keyedBy: Key.self)
        func put<T: Encodable>(_ value: T?, _ key: Key) throws {
            if let value { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try put(input.products, .products)
        try put(input.eCigarette, .eCigarette)
        try put(input.eCigaretteNicotineMgPerMl, .eCigaretteNicotineMgPerMl)
        try put(input.yearsSmoked, .yearsSmoked)
        try put(input.packYears, .packYears)
        try put(input.quitAttempts, .quitAttempts)
        try put(input.longestQuit, .longestQuit)
        try put(input.longestQuitUnit, .longestQuitUnit)
        try put(input.quitDate, .quitDate)
        try put(input.coPpm, .coPpm)
        try put(input.weightKg, .weightKg)
        try put(input.pregnancy, .pregnancy)
        try put(input.craving, .craving)
        try put(input.withdrawalSymptoms, .withdrawalSymptoms)
        try put(input.goal, .goal)
        try put(input.plan, .plan)
    }
}

/// What a record computes, frozen when it was written.
struct ClinicalRecordFiguresBody: Encodable {
    @Nullable var cigaretteEquivalents: Double?
    @Nullable var packYears: Double?
    @Nullable var packYearsSource: FigureSource?

    init(_ figures: ClinicalRecordInput.Figures) {
        cigaretteEquivalents = figures.cigaretteEquivalents
        packYears = figures.packYears
        packYearsSource = figures.packYearsSource
    }
}

/// A version a record replaced.
struct ClinicalRecordVersionBody: Encodable {
    var version: Int
    var recordedAt: Date
    @Nullable var recordedBy: String?
    var replacedAt: Date
    @Nullable var replacedBy: String?
    var record: ClinicalRecordBody
    var figures: ClinicalRecordFiguresBody
}

/// `GET/PUT …/record`: whether the record exists and when it was written, for everyone who opens
/// the consultation; its content, figures, CO assessment, safety prompts and history (or, with no
/// record yet, what the previous consultation's carries forward) for its clinician only.
struct ConsultationRecordBody: Encodable {
    var consultationId: String
    var participantId: String
    var hasRecord: Bool
    @Nullable var version: Int?
    @Nullable var recordedAt: Date?
    /// Null once the record may be written; else why not (the consultation's time has not come).
    @Nullable var notWritableBefore: Date?
    var clinical: Clinical?

    struct Clinical: Encodable {
        @Nullable var recordedBy: String?
        @Nullable var record: ClinicalRecordBody?
        @Nullable var figures: ClinicalRecordFiguresBody?
        @Nullable var co: AssessmentBody?
        var safetyPrompts: [String]
        var history: [ClinicalRecordVersionBody]
        @Nullable var prefill: ClinicalRecordBody?
        @Nullable var prefillFrom: String?
    }

    enum CodingKeys: String, CodingKey {
        case consultationId, participantId, hasRecord, version, recordedAt, notWritableBefore
    }

    init(_ view: ConsultationRecordView, app: RelaisApp, language: String) {
        let consultation = view.consultation.consultation
        consultationId = consultation.id
        participantId = consultation.participantId
        hasRecord = view.exists
        version = view.version
        recordedAt = view.recordedAt
        notWritableBefore = view.notStarted == nil ? nil : consultation.startsAt
        guard view.clinician else { return }
        let stored = view.stored
        clinical = Clinical(
            recordedBy: stored?.current.recordedBy, record: stored.map { ClinicalRecordBody(input: $0.input) },
            figures: stored.map { ClinicalRecordFiguresBody($0.current.figures) },
            co: stored?.co.map { AssessmentBody($0, instrument: app.instruments[$0.instrumentId], language: language) },
            safetyPrompts: view.coPoisoningPrompt ? ["domestic_co_poisoning"] : [],
            history: (stored?.history ?? []).map { version in
                ClinicalRecordVersionBody(version: version.version, recordedAt: version.recordedAt, recordedBy: version.recordedBy,
                                          replacedAt: version.replacedAt, replacedBy: version.replacedBy,
                                          record: ClinicalRecordBody(input: version.input), figures: ClinicalRecordFiguresBody(version.figures))
            },
            prefill: view.prefill.map { ClinicalRecordBody(input: $0) }, prefillFrom: view.prefillFrom?.id)
    }

    /// The clinical part sits beside the summary, at the top level of the answer.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(consultationId, forKey: .consultationId)
        try container.encode(participantId, forKey: .participantId)
        try container.encode(hasRecord, forKey: .hasRecord)
        try container.encode(_version, forKey: .version)
        try container.encode(_recordedAt, forKey: .recordedAt)
        try container.encode(_notWritableBefore, forKey: .notWritableBefore)
        try clinical?.encode(to: encoder)
    }
}
