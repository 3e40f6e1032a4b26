import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// Correcting and withdrawing a recorded test from the participant's record: the same use cases
/// as `PATCH` and `DELETE /api/v1/participants/{id}/assessments/{assessment}`. Nothing is ever
/// silently gone: the record lists each correction under its test and strikes a withdrawn one out.
extension RelaisApp {
    func registerAssessmentCorrectionPages(_ routes: inout Routes) {
        let app = self

        // The assessment form, prefilled with the recorded answers and date, with its reason.
        routes.page(.get, "/participants/{id}/assessments/{assessment}/correct", .recordAssessments) { request, context in
            let (participant, record, instrument) = try app.assessmentToChange(request, context)
            return app.assessmentFormPage(context, participant: participant, instrument: instrument, date: record.takenOn, source: record.source,
                                          programmes: [], programmeID: nil,
                                          values: InstrumentForm.values(instrument, answers: record.answerValues), errors: [:],
                                          correction: CorrectionInput(assessmentID: record.id, reason: ""))
        }

        routes.page(.post, "/participants/{id}/assessments/{assessment}/correct", .recordAssessments) { request, context in
            let (participant, record, instrument) = try app.assessmentToChange(request, context)
            let values = InstrumentForm.values(request.form)
            let dateText = (request.formValue("date") ?? "").trimmingCharacters(in: .whitespaces)
            let reason = request.formValue("reason") ?? ""
            let correction = AssessmentCorrectionRequest(instrument: request.formValue("instrument") ?? instrument.id,
                                                         answers: InstrumentForm.answers(instrument, values: values), date: dateText, reason: reason)
            do {
                _ = try app.actions.correctAssessment(record.id, participantID: participant.id, correction, by: context.caller)
                return app.redirect("/participants/\(participant.id)?saved=\(record.id)#assessment-\(record.id)", done: "c_corrected")
            } catch let error as ValidationError {
                return app.assessmentFormPage(context, participant: participant, instrument: instrument, date: dateText, source: record.source,
                                              programmes: [], programmeID: nil, values: values,
                                              errors: app.assessmentErrors(error, language: context.language), status: 422,
                                              correction: CorrectionInput(assessmentID: record.id, reason: reason))
            }
        }

        // "Retirer": the test, the reason asked, then a confirmation.
        routes.page(.get, "/participants/{id}/assessments/{assessment}/withdraw", .recordAssessments) { request, context in
            let (participant, record, _) = try app.assessmentToChange(request, context)
            return app.withdrawPage(context, participant: participant, record: record, reason: "", problems: nil)
        }

        routes.page(.post, "/participants/{id}/assessments/{assessment}/withdraw", .recordAssessments) { request, context in
            let (participant, record, _) = try app.assessmentToChange(request, context)
            let reason = request.formValue("reason") ?? ""
            do {
                _ = try app.actions.withdrawAssessment(record.id, participantID: participant.id, reason: reason, by: context.caller)
                return app.redirect("/participants/\(participant.id)#assessment-\(record.id)", done: "c_withdrawn")
            } catch let error as ValidationError {
                return app.withdrawPage(context, participant: participant, record: record, reason: reason,
                                        problems: app.formProblems(error, language: context.language, form: "withdrawal"))
            }
        }
    }

    /// The participant, the test (audited reads) and its instrument; a withdrawn test is refused
    /// here already (409), as the use case would.
    private func assessmentToChange(_ request: Request, _ context: WebContext) throws
        -> (ParticipantRecord, AssessmentRecord, ConfiguredInstrument) {
        let participant = try actions.participant(request.parameter("id"), by: context.caller)
        let record = try actions.assessmentHistory(request.parameter("assessment"), participantID: participant.id, by: context.caller).assessments[0]
        guard !record.isWithdrawn else { throw Refusal.conflict(.assessmentWithdrawn) }
        return (participant, record, try actions.instrumentDefinition(record.instrumentId, by: context.caller))
    }

    private func withdrawPage(_ context: WebContext, participant: ParticipantRecord, record: AssessmentRecord, reason: String,
                              problems: FormProblems?) -> Response {
        let strings = renderer.strings(context.language)
        var values: [String: Any] = [
            "participantId": participant.id, "participantName": "\(participant.firstName) \(participant.lastName)",
            "assessmentId": record.id, "test": assessmentSummary(record, language: context.language),
            "date": ParticipantText.date(iso: record.takenOn), "reason": reason, "maxLength": UseCases.correctionReasonLength,
        ]
        if let problems {
            values["hasErrors"] = true
            values["errors"] = problems.fields
            values["summary"] = problems.summary(order: ["reason"], labels: ["reason": strings["c_withdraw_reason"] ?? "reason"])
        }
        return render(.assessmentWithdraw, context, status: problems?.status ?? 200, values)
    }
}
