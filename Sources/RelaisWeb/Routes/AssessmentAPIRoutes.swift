import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerAssessmentAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.post, "/api/v1/participants/{id}/assessments", .recordAssessments) { request, caller in
            let body = try JSONBody.decode(AssessmentRequest.self, from: request)
            let record = try app.actions.recordAssessment(participantID: request.parameter("id"), body, by: caller)
            return try JSONBody.localized(app.assessmentBody(record, language: request.preferredLanguage), language: request.preferredLanguage, status: 201)
        }

        routes.api(.get, "/api/v1/participants/{id}/assessments", .readAssessments) { request, caller in
            let history = try app.actions.assessmentHistory(participantID: request.parameter("id"), by: caller)
            return try JSONBody.localized(["assessments": app.assessmentBodies(history, language: request.preferredLanguage)],
                                          language: request.preferredLanguage)
        }

        routes.api(.get, "/api/v1/participants/{id}/assessments/{assessment}", .readAssessments) { request, caller in
            let history = try app.actions.assessmentHistory(request.parameter("assessment"), participantID: request.parameter("id"), by: caller)
            return try app.assessmentResponse(history, request)
        }

        // A correction: new answers and/or date with a reason; the previous version is kept.
        routes.api(.patch, "/api/v1/participants/{id}/assessments/{assessment}", .recordAssessments) { request, caller in
            let body = try JSONBody.decode(AssessmentCorrectionRequest.self, from: request)
            let history = try app.actions.correctAssessment(request.parameter("assessment"), participantID: request.parameter("id"), body, by: caller)
            return try app.assessmentResponse(history, request)
        }

        // A withdrawal (entered in error), with its reason: it stays in the history, counted nowhere.
        routes.api(.delete, "/api/v1/participants/{id}/assessments/{assessment}", .recordAssessments) { request, caller in
            let body = try JSONBody.decode(ReasonRequest.self, from: request)
            let history = try app.actions.withdrawAssessment(request.parameter("assessment"), participantID: request.parameter("id"),
                                                             reason: body.reason, by: caller)
            return try app.assessmentResponse(history, request)
        }

        routes.api(.get, "/api/v1/participants/{id}/assessments/{assessment}/fhir", .readAssessments) { request, caller in
            let history = try app.actions.assessmentHistory(request.parameter("assessment"), participantID: request.parameter("id"), by: caller)
            let record = history.assessments[0]
            let instrument = try app.actions.instrumentDefinition(record.instrumentId, by: caller)
            var response = try JSONBody.response(FHIR.questionnaireResponse(record, instrument: instrument, language: request.preferredLanguage,
                                                                            baseURL: app.actions.settings.publicBaseURL,
                                                                            corrected: !(history.corrections[record.id] ?? []).isEmpty))
            response.headerFields[.contentType] = "application/fhir+json; charset=utf-8"
            return response
        }
    }

    func assessmentBody(_ record: AssessmentRecord, language: String, history: AssessmentHistory? = nil) -> AssessmentBody {
        AssessmentBody(record, instrument: instruments[record.instrumentId], language: language, history: history)
    }

    func assessmentBodies(_ history: AssessmentHistory, language: String) -> [AssessmentBody] {
        history.assessments.map { assessmentBody($0, language: language, history: history) }
    }

    /// The one assessment a history holds, as JSON in the caller's language.
    func assessmentResponse(_ history: AssessmentHistory, _ request: Request) throws -> Response {
        try JSONBody.localized(assessmentBody(history.assessments[0], language: request.preferredLanguage, history: history),
                               language: request.preferredLanguage)
    }
}
