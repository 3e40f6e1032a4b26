import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerProgrammeAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.get, "/api/v1/templates", .plan) { request, caller in
            let language = request.preferredLanguage
            return try JSONBody.localized(["templates": try app.actions.programmeTemplates(by: caller).map { TemplateBody($0, language: language) }],
                                          language: language)
        }

        routes.api(.get, "/api/v1/sites", .plan) { _, caller in
            try JSONBody.response(["sites": try app.actions.sites(by: caller).map { SiteBody($0.0, $0.1) }])
        }
        routes.api(.post, "/api/v1/sites", .plan) { request, caller in
            let body = try JSONBody.decode(SiteRequest.self, from: request)
            return try JSONBody.response(SiteBody(try app.actions.createSite(name: body.name, address: body.address, by: caller), []), status: 201)
        }
        routes.api(.get, "/api/v1/sites/{id}", .plan) { request, caller in
            let (site, rooms) = try app.actions.site(request.parameter("id"), by: caller)
            return try JSONBody.response(SiteBody(site, rooms))
        }
        routes.api(.post, "/api/v1/sites/{id}/rooms", .plan) { request, caller in
            let body = try JSONBody.decode(RoomRequest.self, from: request)
            let room = try app.actions.addRoom(siteID: request.parameter("id"), name: body.name, capacity: body.capacity, by: caller)
            return try JSONBody.response(RoomBody(room, withSite: true), status: 201)
        }

        routes.api(.get, "/api/v1/users", .plan) { request, caller in
            let role = try request.queryValue("role").map { raw -> Role in
                guard let role = Role(rawValue: raw) else { throw ValidationError(field: "role", UseCases.oneOf(Role.self)) }
                return role
            }
            return try JSONBody.response(["users": try app.actions.staff(role: role, by: caller).map { UserBody($0, profile: false) }])
        }

        // The planner's proposal, stored nowhere: what the creation form shows before saving.
        routes.api(.post, "/api/v1/programmes/preview", .plan) { request, caller in
            try JSONBody.response(try app.actions.proposeProgramme(try JSONBody.decode(ProgrammeRequest.self, from: request), by: caller).plan)
        }

        routes.api(.post, "/api/v1/programmes", .plan) { request, caller in
            let (programme, sessions, plan) = try app.actions.createProgramme(try JSONBody.decode(ProgrammeRequest.self, from: request), by: caller)
            var body = ProgrammeBody(programme, sessions)
            body.holidays = plan.sessions.compactMap { session in
                session.holiday.map { ProgrammeBody.Holiday(index: session.index, holiday: $0, proposedShift: session.proposedShift?.instant(in: programme.zone)) }
            }
            return try JSONBody.response(body, status: 201)
        }

        routes.api(.get, "/api/v1/programmes") { request, caller in
            let year = try Input.year(request.queryValue("year"), field: "year")
            return try JSONBody.response(["programmes": try app.actions.programmes(year: year, by: caller).map { ProgrammeBody($0.0, $0.1) }])
        }

        routes.api(.get, "/api/v1/programmes/{id}") { request, caller in
            let (programme, sessions) = try app.actions.programmeSummary(request.parameter("id"), by: caller)
            var body = ProgrammeBody(programme, sessions)
            let counts = try app.actions.enrolmentCounts(programmeID: programme.id, by: caller)
            body.enrolled = counts.enrolled
            body.waiting = counts.waiting
            return try JSONBody.response(body)
        }

        routes.api(.get, "/api/v1/sessions/{id}") { request, caller in
            let view = try app.actions.session(request.parameter("id"), by: caller)
            var body = SessionBody(view.session, view.programme)
            body.note = view.session.note
            // A peer helper sees first name and initial only.
            body.roster = view.roster.map { participant in
                SessionBody.RosterEntry(participantId: participant.id, attendance: view.attendance[participant.id],
                                        name: caller.role == .peerHelper ? participant.details.firstNameAndInitial
                                            : "\(participant.firstName) \(participant.lastName)")
            }
            body.changes = try app.actions.sessionChanges(view.session.id, by: caller).map(SessionBody.ChangeBody.init)
            return try JSONBody.response(body)
        }

        routes.api(.patch, "/api/v1/sessions/{id}", .plan) { request, caller in
            let (session, programme) = try app.actions.moveSession(request.parameter("id"), try JSONBody.decode(SessionMove.self, from: request), by: caller)
            return try JSONBody.response(SessionBody(session, programme))
        }

        routes.api(.post, "/api/v1/sessions/{id}/cancel", .plan) { request, caller in
            let body = try JSONBody.decode(ReasonRequest.self, from: request)
            let (session, programme) = try app.actions.cancelSession(request.parameter("id"), reason: body.reason, by: caller)
            return try JSONBody.response(SessionBody(session, programme))
        }

        routes.api(.put, "/api/v1/sessions/{id}/attendance", .recordAttendance) { request, caller in
            let sheet = try JSONBody.decode(AttendanceSheet.self, from: request)
            let attendance = try app.actions.recordAttendance(sessionID: request.parameter("id"), sheet, by: caller)
            return try JSONBody.response(AttendanceBody(sessionId: request.parameter("id"), attendance: attendance))
        }
    }
}

struct AttendanceBody: Encodable {
    var sessionId: String
    var attendance: [String: AttendanceStatus]
}
