import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerParticipantAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.post, "/api/v1/participants", .plan) { request, caller in
            let record = try app.actions.createParticipant(try JSONBody.decode(ParticipantRequest.self, from: request), by: caller)
            return try JSONBody.response(ParticipantBody(record, contact: true), status: 201)
        }

        // Paged: `limit` (100 by default, 500 at most) and the `cursor` of the previous page's
        // `nextCursor`, so that no answer holds a whole structure's participants.
        routes.api(.get, "/api/v1/participants", .readContactDetails) { request, caller in
            let limit = try Input.wholeNumber(request.queryValue("limit"), field: "limit")
            let list = try app.actions.participants(search: request.queryValue("q"), cursor: request.queryValue("cursor"), limit: limit, by: caller)
            return try JSONBody.response(ParticipantListBody(participants: list.participants.map { ParticipantBody($0, contact: true) },
                                                             nextCursor: list.next))
        }

        routes.api(.get, "/api/v1/participants/{id}", .plan) { request, caller in
            let record = try app.actions.participant(request.parameter("id"), by: caller)
            var body = ParticipantBody(record, contact: caller.may(.readContactDetails))
            if caller.may(.readOrientations) {
                // The free-text detail is clinical; the kind and whether it was followed are not.
                body.orientations = try app.actions.orientations(participantID: record.id, by: caller).map {
                    OrientationBody($0, detail: caller.may(.readClinical), full: true)
                }
            }
            return try JSONBody.response(body)
        }

        routes.api(.patch, "/api/v1/participants/{id}", .plan) { request, caller in
            let record = try app.actions.updateParticipant(request.parameter("id"), try JSONBody.decode(ParticipantRequest.self, from: request), by: caller)
            return try JSONBody.response(ParticipantBody(record, contact: true))
        }

        routes.api(.post, "/api/v1/programmes/{id}/enrolments", .plan) { request, caller in
            let body = try JSONBody.decode(EnrolmentRequest.self, from: request)
            let record = try app.actions.enrol(programmeID: request.parameter("id"), participantID: body.participantID,
                                               baseline: body.baseline, waitingList: body.waitingList ?? true, by: caller)
            return try JSONBody.response(EnrolmentBody(record), status: 201)
        }

        // The body is the baseline itself: its problems are named as its fields, not `baseline.<field>`.
        routes.api(.put, "/api/v1/enrolments/{id}/baseline", .plan) { request, caller in
            let body = try JSONBody.decode(BaselineInput.self, from: request)
            do {
                return try JSONBody.response(EnrolmentBody(try app.actions.setBaseline(enrolmentID: request.parameter("id"), body, by: caller)))
            } catch let error as ValidationError {
                throw ValidationError(Dictionary(uniqueKeysWithValues: error.fields.map { field, reason in
                    (field.hasPrefix("baseline.") ? String(field.dropFirst("baseline.".count)) : field, reason)
                }))
            }
        }

        routes.api(.get, "/api/v1/programmes/{id}/enrolments", .plan) { request, caller in
            let roster = try app.actions.enrolmentList(programmeID: request.parameter("id"), by: caller)
            return try JSONBody.response(["enrolments": roster.map { EnrolmentBody($0.0, name: "\($0.1.firstName) \($0.1.lastName)") }])
        }

        routes.api(.post, "/api/v1/enrolments/{id}/withdraw", .plan) { request, caller in
            let body = try JSONBody.decode(ReasonRequest.self, from: request)
            let (withdrawn, promoted) = try app.actions.withdraw(enrolmentID: request.parameter("id"), reason: body.reason, by: caller)
            return try JSONBody.response(WithdrawalBody(withdrawn: EnrolmentBody(withdrawn), promoted: promoted.map { EnrolmentBody($0) }))
        }

        routes.api(.post, "/api/v1/programmes/{id}/consultations", .plan) { request, caller in
            let view = try app.actions.bookConsultation(programmeID: request.parameter("id"),
                                                        try JSONBody.decode(ConsultationBooking.self, from: request), by: caller)
            return try JSONBody.response(ConsultationBody(view), status: 201)
        }

        routes.api(.get, "/api/v1/programmes/{id}/consultations", .plan) { request, caller in
            try JSONBody.response(["consultations": try app.actions.consultations(programmeID: request.parameter("id"), by: caller).map(ConsultationBody.init)])
        }

        routes.api(.get, "/api/v1/consultations/{id}") { request, caller in
            try JSONBody.response(ConsultationBody(try app.actions.consultation(request.parameter("id"), by: caller)))
        }

        routes.api(.patch, "/api/v1/consultations/{id}") { request, caller in
            let view = try app.actions.changeConsultation(request.parameter("id"), try JSONBody.decode(ConsultationChange.self, from: request), by: caller)
            return try JSONBody.response(ConsultationBody(view))
        }

        routes.api(.post, "/api/v1/participants/{id}/orientations", .writeClinical) { request, caller in
            let body = try JSONBody.decode(OrientationRequest.self, from: request)
            guard let kinds = body.kinds else { throw ValidationError(field: "kinds", .required) }
            let records = try app.actions.addOrientations(participantID: request.parameter("id"), kinds: kinds, detail: body.detail,
                                                          programmeID: body.programmeID, consultationID: body.consultationID, by: caller)
            return try JSONBody.response(["orientations": records.map { OrientationBody($0, detail: true, full: false) }], status: 201)
        }
    }
}

struct WithdrawalBody: Encodable {
    var withdrawn: EnrolmentBody
    @Nullable var promoted: EnrolmentBody?
}
