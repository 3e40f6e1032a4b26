import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    func registerAssessmentAPI(_ router: inout Router) {
        let app = self

        router.post("/api/v1/participants/{id}/assessments", api(.recordAssessments) { request, context in
            let body = try JSON.object(from: request)
            var fields: [String: String] = [:]
            let known: Set = ["instrument", "answers", "date", "partial", "source"]
            for key in body.keys where !known.contains(key) { fields[key] = "unknown field" }
            let instrumentID = body["instrument"] as? String
            if instrumentID == nil { fields["instrument"] = "required: an instrument id such as fagerstrom" }
            var date = app.today
            if let text = body["date"] {
                if let parsed = (text as? String).flatMap(CalendarDate.init(iso:)) {
                    if parsed > app.today { fields["date"] = "cannot be in the future" }
                    else if !DateWindow.contains(parsed) { fields["date"] = DateWindow.reason } else { date = parsed }
                } else {
                    fields["date"] = "expected a date as YYYY-MM-DD"
                }
            }
            let partial = body["partial"] as? Bool ?? false
            if body["partial"] != nil && !(body["partial"] is Bool) { fields["partial"] = "expected true or false" }
            var source = AssessmentSource.staff
            if let text = body["source"] {
                guard let text = text as? String, let value = AssessmentSource(rawValue: text), value != .participantWeb else {
                    throw APIError.invalid(["source": "expected staff, phone or paper"])
                }
                source = value
            }
            guard fields.isEmpty, let instrumentID else { throw APIError.invalid(fields) }
            guard let instrument = app.instruments[instrumentID] else {
                throw APIError.invalid(["instrument": "unknown instrument '\(instrumentID)'"])
            }
            let answers = try JSON.answers(body["answers"])
            let result: ScoreResult
            do {
                result = try instrument.score(answers, partial: partial)
            } catch let error as ValidationError {
                throw APIError.invalid(error.fields, message: "Some answers are invalid.")
            }
            let record = try app.assessments.record(participantID: request.parameter("id"), result: result, takenOn: date,
                                                    partial: partial, source: source, by: context.actor)
            return JSON.localized(app.assessmentJSON(record, language: request.preferredLanguage), language: request.preferredLanguage, status: 201)
        })

        router.get("/api/v1/participants/{id}/assessments", api(.readAssessments) { request, context in
            let records = try app.assessments.assessments(participantID: request.parameter("id"), by: context.actor)
            return JSON.localized(["assessments": records.map { app.assessmentJSON($0, language: request.preferredLanguage) }],
                                  language: request.preferredLanguage)
        })

        router.get("/api/v1/participants/{id}/assessments/{assessment}", api(.readAssessments) { request, context in
            let record = try app.assessments.assessment(id: request.parameter("assessment"), participantID: request.parameter("id"), by: context.actor)
            return JSON.localized(app.assessmentJSON(record, language: request.preferredLanguage), language: request.preferredLanguage)
        })

        router.get("/api/v1/participants/{id}/assessments/{assessment}/fhir", api(.readAssessments) { request, context in
            let record = try app.assessments.assessment(id: request.parameter("assessment"), participantID: request.parameter("id"), by: context.actor)
            let instrument = try app.instrument(record.instrumentId)
            var response = JSON.response(FHIR.questionnaireResponse(record, instrument: instrument, language: request.preferredLanguage,
                                                                    baseURL: app.configuration.effectivePublicBaseURL))
            response.headers.set("Content-Type", "application/fhir+json; charset=utf-8")
            return response
        })
    }

    /// An assessment with its scores and their band labels in `language`.
    func assessmentJSON(_ record: AssessmentRecord, language: String) -> [String: Any] {
        let instrument = instruments[record.instrumentId]
        func scoreJSON(_ id: String, _ total: Double?, _ band: String?) -> [String: Any] {
            var value: [String: Any] = ["total": total.map { Int(exactly: $0).map { $0 as Any } ?? $0 } ?? NSNull(), "band": band ?? NSNull()]
            if let band, let label = instrument?.band(score: id, code: band)?.label.text(language) { value["bandLabel"] = label }
            return value
        }
        var object: [String: Any] = [
            "id": record.id, "participantId": record.participantId, "instrument": record.instrumentId,
            "version": record.instrumentVersion, "date": record.takenOn, "partial": record.partial, "source": record.source.rawValue,
            "answers": (try? JSONSerialization.jsonObject(with: Data(record.answers.utf8))) ?? [:],
            "recordedBy": record.recordedBy ?? NSNull(), "recordedAt": ISO8601.instant(record.recordedAt),
        ]
        object.merge(scoreJSON("total", record.total, record.band)) { $1 }
        let derived = record.derivedScores
        if !derived.isEmpty {
            object["derived"] = Dictionary(uniqueKeysWithValues: derived.map { ($0.key, scoreJSON($0.key, $0.value.total, $0.value.band)) })
        }
        return object
    }
}
