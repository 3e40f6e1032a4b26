import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// The session page: the facilitator guide, the roster with one-tap attendance and the note,
    /// quick entry of an instrument for the whole group, the sign-in sheet; moving or cancelling.
    func registerSessionPages(_ router: inout Router) {
        let app = self

        router.get("/sessions/{id}", page(nil) { request, context in
            try app.sessionPage(request, context)
        })

        router.post("/sessions/{id}/attendance", page(.recordAttendance) { request, context in
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            guard app.mayOpen(programme, context.user) else { return app.errorPage(403, app.forbidden(context), context: context) }
            var records: [(participantID: String, status: AttendanceStatus)] = []
            for field in request.form where field.name.hasPrefix("attendance.") {
                guard let status = AttendanceStatus(rawValue: field.string) else { continue }
                records.append((String(field.name.dropFirst("attendance.".count)), status))
            }
            do {
                try app.enrolments.recordAttendance(sessionID: session.id, records, note: request.formValue("note"), by: context.actor)
                return app.redirect("/sessions/\(session.id)", done: "attendance_saved")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.sessionPage(request, context, problems: problems)
            }
        })

        router.post("/sessions/{id}/reschedule", page(.plan) { request, context in
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            do {
                let local = try Input.localDateTime(request.formValue("start"), field: "start")
                let start = local.instant(in: programme.zone)
                _ = try app.programmes.reschedule(sessionID: session.id, start: start, end: start.addingTimeInterval(session.endsAt.timeIntervalSince(session.startsAt)),
                                                  roomID: nil, holiday: FrenchHolidays.holiday(on: local.date), reason: request.formValue("reason") ?? "",
                                                  by: context.actor)
                return app.redirect("/sessions/\(session.id)", done: "session_moved")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.sessionPage(request, context, problems: problems)
            }
        })

        router.post("/sessions/{id}/cancel", page(.plan) { request, context in
            let (session, _) = try app.programmes.session(id: request.parameter("id"))
            _ = try app.programmes.cancel(sessionID: session.id, reason: request.formValue("reason") ?? "", by: context.actor)
            return app.redirect("/sessions/\(session.id)", done: "session_cancelled")
        })

        router.get("/sessions/{id}/sheet", page(nil) { request, context in
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            guard app.mayOpen(programme, context.user) else { return app.errorPage(403, app.forbidden(context), context: context) }
            let roster = try app.enrolments.roster(programmeID: programme.id).filter { $0.0.status == .enrolled }
            try app.auditRoster(session, context)
            return app.render("session_sheet", context, [
                "programme": programme.title, "session": ["index": session.index, "title": session.title,
                                                          "when": app.when(session.startsAt, programme.zone, context.language)],
                "people": roster.map { ["name": app.shownName($0.1, for: context.user)] },
            ])
        })

        router.get("/sessions/{id}/quick/{instrument}", page(.recordAssessments) { request, context in
            try app.quickEntryPage(request, context)
        })

        router.post("/sessions/{id}/quick/{instrument}", page(.recordAssessments) { request, context in
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            guard let instrument = app.instruments[request.parameter("instrument")] else { throw StoreError.notFound("instrument") }
            let values = InstrumentForm.values(request.form)
            let roster = try app.enrolments.roster(programmeID: programme.id).filter { $0.0.status == .enrolled }
            var results: [(String, ScoreResult)] = []
            var errors: [String: [String: String]] = [:]
            for (_, participant) in roster {
                // A row left empty is someone who did not take the test today.
                let prefix = "p\(participant.id)."
                let row = Dictionary(uniqueKeysWithValues: values.compactMap { key, value in
                    key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
                })
                let answers = InstrumentForm.answers(instrument, values: row)
                guard !answers.isEmpty else { continue }
                do {
                    results.append((participant.id, try instrument.score(answers)))
                } catch let error as ValidationError {
                    errors[participant.id] = error.fields.mapValues { app.localizedReason($0, language: context.language) }
                }
            }
            guard errors.isEmpty else { return try app.quickEntryPage(request, context, values: values, errors: errors) }
            let day = LocalDateTime(session.startsAt, in: programme.zone).date
            for (participantID, result) in results {
                _ = try app.assessments.record(participantID: participantID, result: result, takenOn: day, partial: false, source: .staff, by: context.actor)
            }
            return .redirect(to: "/sessions/\(session.id)?done=quick_saved&count=\(results.count)")
        })

        registerConsultationPages(&router)
    }

    func forbidden(_ context: WebContext) -> String { renderer.strings(context.language)["error_forbidden"] ?? "403" }

    func auditRoster(_ session: SessionRecord, _ context: WebContext) throws {
        try store.pool.write { db in
            try Audit.record(db, context.actor, "read_roster", entity: "session", id: session.id, at: clock.now())
        }
    }

    func sessionPage(_ request: Request, _ context: WebContext, problems: FormProblems? = nil) throws -> Response {
        let language = context.language
        let (session, programme) = try programmes.session(id: request.parameter("id"))
        guard mayOpen(programme, context.user) else { return errorPage(403, forbidden(context), context: context) }
        let roster = try enrolments.roster(programmeID: programme.id).filter { $0.0.status == .enrolled }
        let attendance = try enrolments.attendance(sessionID: session.id)
        try auditRoster(session, context)
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
            notice = (strings["quick_saved"] ?? "%d").replacingOccurrences(of: "%d", with: count)
        }
        var values: [String: Any] = [
            "notice": notice ?? "",
            "programme": ["id": programme.id, "title": programme.title],
            "session": ["id": session.id, "index": session.index, "title": session.title, "note": session.note,
                        "when": when(session.startsAt, programme.zone, language), "cancelled": session.status == .cancelled,
                        "holiday": session.holiday ?? "", "startLocal": LocalDateTime(session.startsAt, in: programme.zone).iso],
            "guide": guide ?? "", "hasGuide": guide != nil,
            "roster": roster.map { _, participant -> [String: Any] in
                let status = attendance[participant.id]?.rawValue
                return ["id": participant.id, "name": shownName(participant, for: context.user), "link": canRecord,
                        "statuses": AttendanceStatus.allCases.map { choice in
                            ["value": choice.rawValue, "label": strings["attendance_\(choice.rawValue)"] ?? choice.rawValue, "checked": status == choice.rawValue]
                        }]
            },
            "hasRoster": !roster.isEmpty, "canPlan": context.user.role.allows(.plan), "canRecord": canRecord,
            "instruments": canRecord ? instrumentIDs.compactMap { instruments[$0] }.map { ["id": $0.id, "title": $0.definition.title.text(language)] } : [],
        ]
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            values["summary"] = problems.summary(order: [], labels: ["start": strings["programme_when"] ?? "", "reason": strings["session_reason"] ?? ""])
        }
        return render("session", context, status: problems?.status ?? 200, values)
    }

    func quickEntryPage(_ request: Request, _ context: WebContext, values: [String: [String]] = [:],
                        errors: [String: [String: String]] = [:]) throws -> Response {
        let language = context.language
        let (session, programme) = try programmes.session(id: request.parameter("id"))
        guard mayOpen(programme, context.user) || context.user.role.allows(.recordAssessments) else {
            return errorPage(403, forbidden(context), context: context)
        }
        guard let instrument = instruments[request.parameter("instrument")] else { throw StoreError.notFound("instrument") }
        let roster = try enrolments.roster(programmeID: programme.id).filter { $0.0.status == .enrolled }
        let attendance = try enrolments.attendance(sessionID: session.id)
        try auditRoster(session, context)
        let items = instrument.definition.items.filter { $0.type != .text || $0.isRequired }
        let rows = roster.filter { attendance[$0.1.id] != .absent && attendance[$0.1.id] != .excused }.map { _, participant -> [String: Any] in
            let prefix = "p\(participant.id)."
            let rowErrors = errors[participant.id] ?? [:]
            return ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)", "hasError": !rowErrors.isEmpty,
                    "errors": rowErrors.sorted { $0.key < $1.key }.map { ["item": $0.key, "reason": $0.value] },
                    "cells": items.map { item -> [String: Any] in
                        let name = prefix + "\(instrument.id).\(item.id)"
                        let current = values[name]?.first ?? ""
                        var cell: [String: Any] = ["name": name, "fieldId": name.replacingOccurrences(of: ".", with: "-"),
                                                   "label": "\(participant.firstName) — \(item.text.text(language))", "value": current,
                                                   "invalid": rowErrors[item.id] != nil]
                        if let options = item.options {
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
        return render("session_quick", context, status: errors.isEmpty ? 200 : 422, [
            "session": ["id": session.id, "index": session.index, "title": session.title, "when": when(session.startsAt, programme.zone, language)],
            "programme": programme.title,
            "instrument": ["id": instrument.id, "title": instrument.definition.title.text(language)],
            "columns": items.map { ["text": $0.text.text(language), "id": $0.id] },
            "rows": rows, "hasErrors": !errors.isEmpty,
        ])
    }
}
