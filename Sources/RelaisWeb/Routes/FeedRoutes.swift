import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerFeeds(_ routes: inout Routes) {
        let app = self

        routes.api(.post, "/api/v1/programmes/{id}/feed", .plan) { request, caller in
            try JSONBody.response(FeedBody(url: try app.actions.issueProgrammeFeed(request.parameter("id"), by: caller)), status: 201)
        }
        routes.api(.delete, "/api/v1/programmes/{id}/feed", .plan) { request, caller in
            try app.actions.revokeProgrammeFeed(request.parameter("id"), by: caller)
            return Response(status: .noContent)
        }
        // A facilitator's own calendar: their sessions and consultations.
        routes.api(.post, "/api/v1/me/feed") { _, caller in
            try JSONBody.response(FeedBody(url: try app.actions.issueOwnFeed(by: caller)), status: 201)
        }
        routes.api(.delete, "/api/v1/me/feed") { _, caller in
            try app.actions.revokeOwnFeed(by: caller)
            return Response(status: .noContent)
        }

        // Calendar applications cannot send a bearer header: the revocable token in the URL is the credential.
        routes.open(.get, "/calendar/{token}", pages: false) { request in
            var token = request.parameter("token")
            if token.hasSuffix(".ics") { token.removeLast(4) }
            guard let feed = try app.actions.feed(token: token) else {
                return .text("Unknown or revoked calendar link.\n", status: .notFound)
            }
            let zone = feed.sessions.first?.1.zone ?? app.structureZone
            var events = feed.sessions.map { session, programme in
                CalendarEvent(uid: "session-\(session.id)@relais", start: session.startsAt, end: session.endsAt,
                              summary: "\(programme.title) · séance \(session.index) : \(session.title)",
                              description: session.holiday.map { "Jour férié : \($0)" }, location: programme.modality == .visio ? nil : programme.title,
                              url: programme.visioUrl, cancelled: session.status == .cancelled, sequence: session.sequence, lastModified: session.updatedAt)
            }
            // Consultations appear without the participant's name: calendars leave the structure.
            events += feed.consultations.map { consultation in
                CalendarEvent(uid: "consultation-\(consultation.id)@relais", start: consultation.startsAt, end: consultation.endsAt,
                              summary: "Consultation individuelle \(consultation.index)", description: nil, location: nil, url: nil,
                              cancelled: consultation.status == .cancelled, sequence: consultation.sequence, lastModified: consultation.updatedAt)
            }
            let name = feed.kind == .programme ? (feed.sessions.first?.1.title ?? "Relais") : "Relais"
            let body = ICalendar.feed(name: name, timeZone: zone, events: events, now: app.clock.now())
            return Response(status: .ok, headerFields: [.contentType: "text/calendar; charset=utf-8"], body: Data(body.utf8))
        }
    }
}
