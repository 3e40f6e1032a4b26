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
            let records = try app.actions.assessments(participantID: request.parameter("id"), by: caller)
            return try JSONBody.localized(["assessments": records.map { app.assessmentBody($0, language: request.preferredLanguage) }],
                                          language: request.preferredLanguage)
        }

        routes.api(.get, "/api/v1/participants/{id}/assessments/{assessment}", .readAssessments) { request, caller in
            let record = try app.actions.assessment(request.parameter("assessment"), participantID: request.parameter("id"), by: caller)
            return try JSONBody.localized(app.assessmentBody(record, language: request.preferredLanguage), language: request.preferredLanguage)
        }

        routes.api(.get, "/api/v1/participants/{id}/assessments/{assessment}/fhir", .readAssessments) { request, caller in
            let record = try app.actions.assessment(request.parameter("assessment"), participantID: request.parameter("id"), by: caller)
            let instrument = try app.actions.instrumentDefinition(record.instrumentId, by: caller)
            var response = try JSONBody.response(FHIR.questionnaireResponse(record, instrument: instrument, language: request.preferredLanguage,
                                                                            baseURL: app.actions.settings.publicBaseURL))
            response.headerFields[.contentType] = "application/fhir+json; charset=utf-8"
            return response
        }
    }

    func assessmentBody(_ record: AssessmentRecord, language: String) -> AssessmentBody {
        AssessmentBody(record, instrument: instruments[record.instrumentId], language: language)
    }
}
