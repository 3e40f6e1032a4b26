import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    func registerFeeds(_ router: inout Router) {
        let app = self
        let base = configuration.effectivePublicBaseURL

        router.post("/api/v1/programmes/{id}/feed", api(.plan) { request, context in
            let (programme, _) = try app.programmes.programme(id: request.parameter("id"))
            let token = try app.feeds.issue(.programme, subjectID: programme.id, by: context.actor)
            return JSON.response(["url": "\(base)/calendar/\(token).ics"], status: 201)
        })
        router.delete("/api/v1/programmes/{id}/feed", api(.plan) { request, context in
            try app.feeds.revoke(.programme, subjectID: request.parameter("id"), by: context.actor)
            return Response(status: 204)
        })
        // A facilitator's own calendar: their sessions and consultations.
        router.post("/api/v1/me/feed", api(nil) { _, context in
            guard [.tabacologue, .peerHelper].contains(context.user.role) else { throw APIError.forbidden("Only facilitators have a calendar feed.") }
            let token = try app.feeds.issue(.facilitator, subjectID: context.user.id, by: context.actor)
            return JSON.response(["url": "\(base)/calendar/\(token).ics"], status: 201)
        })
        router.delete("/api/v1/me/feed", api(nil) { _, context in
            try app.feeds.revoke(.facilitator, subjectID: context.user.id, by: context.actor)
            return Response(status: 204)
        })

        // Calendar applications cannot send a bearer header: the revocable token in the URL is the credential.
        router.get("/calendar/{token}", { request in
            var token = request.parameter("token")
            if token.hasSuffix(".ics") { token.removeLast(4) }
            guard let (kind, subject) = try app.feeds.subject(token: token) else {
                return .text("Unknown or revoked calendar link.\n", status: 404)
            }
            let (sessions, consultations) = try app.feeds.entries(kind, subjectID: subject)
            let zone = sessions.first?.1.zone ?? app.configuration.timeZone.zone
            var events = sessions.map { session, programme in
                CalendarEvent(uid: "session-\(session.id)@relais", start: session.startsAt, end: session.endsAt,
                              summary: "\(programme.title) · séance \(session.index) : \(session.title)",
                              description: session.holiday.map { "Jour férié : \($0)" }, location: programme.modality == .visio ? nil : programme.title,
                              url: programme.visioUrl, cancelled: session.status == .cancelled, sequence: session.sequence, lastModified: session.updatedAt)
            }
            // Consultations appear without the participant's name: calendars leave the structure.
            events += consultations.map { consultation in
                CalendarEvent(uid: "consultation-\(consultation.id)@relais", start: consultation.startsAt, end: consultation.endsAt,
                              summary: "Consultation individuelle \(consultation.index)", description: nil, location: nil, url: nil,
                              cancelled: consultation.status == .cancelled, sequence: consultation.sequence, lastModified: consultation.updatedAt)
            }
            let name = kind == .programme ? (sessions.first?.1.title ?? "Relais") : "Relais"
            let body = ICalendar.feed(name: name, timeZone: zone, events: events, now: app.clock.now())
            return Response(status: 200, headers: HTTPHeaders([("Content-Type", "text/calendar; charset=utf-8")]), body: Data(body.utf8))
        })
    }
}
