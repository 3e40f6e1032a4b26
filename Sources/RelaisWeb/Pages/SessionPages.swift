import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// The session page: the facilitator guide, the roster with one-tap attendance and the note,
    /// quick entry of an instrument for the whole group, the sign-in sheet; moving or cancelling.
    func registerSessionPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/sessions/{id}") { request, context in
            try app.sessionPage(request, context)
        }

        // The same use case as `PUT /api/v1/sessions/{id}/attendance`: the same rule on who may.
        routes.page(.post, "/sessions/{id}/attendance", .recordAttendance) { request, context in
            let records = request.form.filter { $0.name.hasPrefix("attendance.") }.map { field in
                AttendanceSheet.Entry(participantID: String(field.name.dropFirst("attendance.".count)), status: field.string)
            }
            do {
                _ = try app.actions.recordAttendance(sessionID: request.parameter("id"), AttendanceSheet(records: records, note: request.formValue("note")),
                                                     by: context.caller)
                return app.redirect("/sessions/\(request.parameter("id"))", done: "attendance_saved")
            } catch let refusal as Refusal where refusal.kind == .forbidden {
                throw refusal
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.sessionPage(request, context, problems: problems)
            }
        }

        routes.page(.post, "/sessions/{id}/reschedule", .plan) { request, context in
            var move = SessionMove(start: request.formValue("start"), reason: request.formValue("reason"))
            move.confirmedPast = request.formValue("confirmPast") == "on"
            do {
                _ = try app.actions.moveSession(request.parameter("id"), move, by: context.caller)
                return app.redirect("/sessions/\(request.parameter("id"))", done: "session_moved")
            } catch {
                guard let problems = app.formProblems(error, language: context.language, form: "session"), problems.status != 404 else { throw error }
                return try app.sessionPage(request, context, problems: problems)
            }
        }

        routes.page(.post, "/sessions/{id}/cancel", .plan) { request, context in
            do {
                _ = try app.actions.cancelSession(request.parameter("id"), reason: request.formValue("reason"), by: context.caller)
                return app.redirect("/sessions/\(request.parameter("id"))", done: "session_cancelled")
            } catch {
                guard let problems = app.formProblems(error, language: context.language, form: "session"), problems.status != 404 else { throw error }
                return try app.sessionPage(request, context, problems: problems)
            }
        }

        routes.page(.get, "/sessions/{id}/sheet") { request, context in
            let view = try app.actions.session(request.parameter("id"), by: context.caller)
            return app.render(.sessionSheet, context, [
                "programme": view.programme.title, "session": ["index": view.session.index, "title": view.session.title,
                                                               "when": app.when(view.session.startsAt, view.programme.zone, context.language)],
                "people": view.roster.map { ["name": app.shownName($0, for: context.user)] },
            ])
        }

        routes.page(.get, "/sessions/{id}/quick/{instrument}", .recordAssessments) { request, context in
            try app.quickEntryPage(request, context)
        }

        routes.page(.post, "/sessions/{id}/quick/{instrument}", .recordAssessments) { request, context in
            let instrument = try app.actions.instrumentDefinition(request.parameter("instrument"), by: context.caller)
            let values = InstrumentForm.values(request.form)
            // One row of answers per participant: "p<id>.<instrument>.<item>".
            var rows: [String: [String: JSONValue]] = [:]
            let view = try app.actions.session(request.parameter("id"), by: context.caller)
            for participant in view.roster {
                let prefix = "p\(participant.id)."
                let row = Dictionary(uniqueKeysWithValues: values.compactMap { key, value in
                    key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
                })
                rows[participant.id] = InstrumentForm.answers(instrument, values: row)
            }
            do {
                let saved = try app.actions.recordQuickEntry(sessionID: view.session.id, instrumentID: instrument.id, rows: rows, by: context.caller)
                return .redirect(to: "/sessions/\(view.session.id)?done=quick_saved&count=\(saved.count)")
            } catch let error as ValidationError where error.fields["session"] != nil {
                // The session has not started: said on its page, where the form is not offered.
                return try app.sessionPage(request, context, problems: app.formProblems(error, language: context.language))
            } catch let error as ValidationError {
                var errors: [String: [String: String]] = [:]
                for (key, reason) in error.fields {
                    let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { continue }
                    errors[parts[0], default: [:]][parts[1]] = app.renderer.text(reason, language: context.language, form: "answer", field: parts[1])
                }
                return try app.quickEntryPage(request, context, values: values, errors: errors)
            }
        }

        registerConsultationPages(&routes)
    }

    func sessionPage(_ request: Request, _ context: WebContext, problems: FormProblems? = nil) throws -> Response {
        let language = context.language
        let view = try actions.session(request.parameter("id"), by: context.caller)
        let (session, programme) = (view.session, view.programme)
        let template = templates.first { $0.id == programme.templateId }
        let guide = template?.session(session.index).flatMap { sessionTemplate -> String? in
            let path = (configuration.protocolsDir as NSString).appendingPathComponent(sessionTemplate.guide)
            return (try? String(contentsOfFile: path, encoding: .utf8)).map(Markdown.html)
        }
        let strings = renderer.strings(language)
        let canRecord = context.user.role.allows(.recordAssessments)
        let instrumentIDs = template?.session(session.index)?.instruments ?? []
        var notice = notice(request, context)
        if request.queryValue("done") == "quick_saved", let count = request.queryValue("count") {
            notice = strings.fill("quick_saved", ["count": count])
        }
        var values: [String: Any] = [
            "notice": notice ?? "",
            "programme": ["id": programme.id, "title": programme.title],
            "session": ["id": session.id, "index": session.index, "title": session.title, "note": session.note,
                        "when": when(session.startsAt, programme.zone, language), "cancelled": session.status == .cancelled,
                        "holiday": session.holiday ?? "", "startLocal": LocalDateTime(session.startsAt, in: programme.zone).iso],
            "guide": guide ?? "", "hasGuide": guide != nil,
            "roster": view.roster.map { participant -> [String: Any] in
                let status = view.attendance[participant.id]?.rawValue
                return ["id": participant.id, "name": shownName(participant, for: context.user), "link": canRecord,
                        "statuses": AttendanceStatus.allCases.map { choice in
                            ["value": choice.rawValue, "label": strings["attendance_\(choice.rawValue)"] ?? choice.rawValue, "checked": status == choice.rawValue]
                        }]
            },
            "hasRoster": !view.roster.isEmpty, "canPlan": context.user.role.allows(.plan), "canRecord": canRecord,
            // Before its start the session offers the note only: who came, and the tests, come after.
            "notStarted": view.notStarted != nil,
            "notStartedNotice": strings.fill("session_not_started_notice", ["when": when(session.startsAt, programme.zone, language)]),
            "instruments": canRecord ? instrumentIDs.compactMap { instruments[$0] }.map { ["id": $0.id, "title": $0.definition.title.text(language)] } : [],
        ]
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            // The attendance lines are named "records[0].status" by the use case: the page says "Présences".
            let attendance = Dictionary(uniqueKeysWithValues: problems.fields.keys.filter { $0.hasPrefix("records") }.map { ($0, strings["session_attendance"] ?? "") })
            values["summary"] = problems.summary(order: [], labels: ["start": strings["programme_when"] ?? "", "reason": strings["session_reason"] ?? "",
                                                                     "note": strings["session_note"] ?? "", "session": strings["session_attendance"] ?? "",
                                                                     "confirmPast": strings["past_title"] ?? ""].merging(attendance) { $1 })
            values["moveErrors"] = problems.fields
            values["moveStart"] = request.formValue("start") ?? ""
            values["moveReason"] = request.formValue("reason") ?? ""
        }
        // A move to a date already past is confirmed, the page saying what will not be sent.
        if problems?.fields["confirmPast"] != nil || request.formValue("confirmPast") != nil {
            values["past"] = pastConfirmation(.sessionMove, language: language, error: problems?.fields["confirmPast"])
        }
        return render(.session, context, status: problems?.status ?? 200, values)
    }

    func quickEntryPage(_ request: Request, _ context: WebContext, values: [String: [String]] = [:],
                        errors: [String: [String: String]] = [:]) throws -> Response {
        let language = context.language
        let view = try actions.session(request.parameter("id"), by: context.caller)
        if let reason = view.notStarted {
            return try sessionPage(request, context, problems: FormProblems(fields: ["session": renderer.text(reason, language: language)]))
        }
        let instrument = try actions.instrumentDefinition(request.parameter("instrument"), by: context.caller)
        // Every item has its cell: a choice, a number, or a box of text (the decisional balance's
        // four quadrants are free text).
        let items = instrument.definition.items
        let rows = view.roster.filter { view.attendance[$0.id] != .absent && view.attendance[$0.id] != .excused }.map { participant -> [String: Any] in
            let prefix = "p\(participant.id)."
            let rowErrors = errors[participant.id] ?? [:]
            return ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)", "hasError": !rowErrors.isEmpty,
                    // Each problem names its item by its wording, in the order of the instrument.
                    "errors": instrument.definition.items.compactMap { item in
                        rowErrors[item.id].map { ["item": item.text.text(language), "reason": $0, "fieldId": "p\(participant.id)-\(instrument.id)-\(item.id)"] }
                    },
                    "cells": items.map { item -> [String: Any] in
                        let name = prefix + "\(instrument.id).\(item.id)"
                        let current = values[name]?.first ?? ""
                        var cell: [String: Any] = ["name": name, "fieldId": name.replacingOccurrences(of: ".", with: "-"),
                                                   "label": "\(participant.firstName) — \(item.text.text(language))", "value": current,
                                                   "invalid": rowErrors[item.id] != nil]
                        if item.type == .text {
                            cell["text"] = true
                            cell["maxLength"] = item.maxLength.map(String.init) ?? ""
                        } else if let options = item.options {
                            cell["options"] = [["code": "", "label": "—", "selected": current.isEmpty]]
                                + options.map { ["code": $0.code, "label": $0.label.text(language), "selected": $0.code == current] }
                        } else {
                            cell["number"] = true
                            cell["min"] = item.min.map(InstrumentForm.number) ?? ""
                            cell["max"] = item.max.map(InstrumentForm.number) ?? ""
                        }
                        return cell
                    }]
        }
        return render(.sessionQuick, context, status: errors.isEmpty ? 200 : 422, [
            "session": ["id": view.session.id, "index": view.session.index, "title": view.session.title,
                        "when": when(view.session.startsAt, view.programme.zone, language)],
            "programme": view.programme.title,
            "instrument": ["id": instrument.id, "title": instrument.definition.title.text(language)],
            "columns": items.map { ["text": $0.text.text(language), "id": $0.id] },
            "rows": rows, "hasErrors": !errors.isEmpty,
        ])
    }
}
