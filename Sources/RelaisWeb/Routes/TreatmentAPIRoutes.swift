import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension TreatmentRequest: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension TreatmentChange: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }

extension RelaisApp {
    /// Treatments: recorded, listed and ended or corrected by a tabacologue (the clinical record);
    /// every other role is refused (403), peer helpers included.
    func registerTreatmentAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.post, "/api/v1/participants/{id}/treatments", .writeClinical) { request, caller in
            let body = try JSONBody.decode(TreatmentRequest.self, from: request)
            let record = try app.actions.recordTreatment(participantID: request.parameter("id"), body, by: caller)
            return try JSONBody.localized(app.treatmentBody(record, language: request.preferredLanguage), language: request.preferredLanguage, status: 201)
        }

        routes.api(.get, "/api/v1/participants/{id}/treatments", .readClinical) { request, caller in
            let history = try app.actions.treatmentHistory(participantID: request.parameter("id"), by: caller)
            return try JSONBody.localized(["treatments": history.treatments.map { app.treatmentBody($0, language: request.preferredLanguage, history: history) }],
                                          language: request.preferredLanguage)
        }

        // An end or a correction: the previous values are kept with the reason, who and when.
        routes.api(.patch, "/api/v1/participants/{id}/treatments/{treatment}", .writeClinical) { request, caller in
            let body = try JSONBody.decode(TreatmentChange.self, from: request)
            let history = try app.actions.changeTreatment(request.parameter("treatment"), participantID: request.parameter("id"), body, by: caller)
            return try JSONBody.localized(app.treatmentBody(history.treatments[0], language: request.preferredLanguage, history: history),
                                          language: request.preferredLanguage)
        }
    }

    func treatmentBody(_ record: TreatmentRecord, language: String, history: TreatmentHistory? = nil) -> TreatmentBody {
        TreatmentBody(record, kinds: actions.protocols.treatmentKinds, language: language, history: history)
    }
}

struct TreatmentBody: Encodable {
    var id: String
    var participantId: String
    var kind: String
    var kindLabel: String
    var dose: String
    var start: String
    @Nullable var end: String?
    @Nullable var consultationId: String?
    @Nullable var programmeId: String?
    var note: String
    @Nullable var recordedBy: String?
    @Nullable var recordedById: String?
    var recordedAt: Date
    /// The values it had before each change, oldest first.
    var corrections: [TreatmentCorrectionBody]

    init(_ record: TreatmentRecord, kinds: TreatmentKinds, language: String, history: TreatmentHistory?) {
        id = record.id
        participantId = record.participantId
        kind = record.kind
        kindLabel = kinds.label(record.kind, language: language)
        dose = record.dose
        start = record.startOn
        end = record.endOn
        consultationId = record.consultationId
        programmeId = record.programmeId
        note = record.note
        let names = history?.names ?? [:]
        recordedBy = record.recordedBy.flatMap { names[$0] }
        recordedById = record.recordedBy
        recordedAt = record.recordedAt
        corrections = (history?.corrections[record.id] ?? []).map { correction in
            TreatmentCorrectionBody(
                at: correction.correctedAt, reason: correction.reason, by: correction.correctedBy.flatMap { names[$0] }, byId: correction.correctedBy,
                previous: .init(kind: correction.previousKind, dose: correction.previousDose, start: correction.previousStartOn,
                                end: correction.previousEndOn, consultationId: correction.previousConsultationId,
                                programmeId: correction.previousProgrammeId, note: correction.previousNote))
        }
    }
}

/// One change of a treatment: the values it replaced, why (null for a plain end), who and when.
struct TreatmentCorrectionBody: Encodable {
    var at: Date
    @Nullable var reason: String?
    @Nullable var by: String?
    @Nullable var byId: String?
    var previous: Previous

    struct Previous: Encodable {
        var kind: String
        var dose: String
        var start: String
        @Nullable var end: String?
        @Nullable var consultationId: String?
        @Nullable var programmeId: String?
        var note: String
    }
}
