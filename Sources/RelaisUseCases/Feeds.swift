import Foundation
import RelaisDomain
import RelaisStore

/// What a calendar feed shows.
public struct FeedContent: Sendable {
    public var kind: Feeds.Kind
    public var sessions: [(SessionRecord, ProgrammeRecord)]
    public var consultations: [ConsultationRecord]
}

extension UseCases {
    /// A new link to a programme's calendar (earlier links are revoked).
    public func issueProgrammeFeed(_ programmeID: String, by caller: Caller) throws -> String {
        try caller.require(.plan)
        let (programme, _) = try programmes.programme(id: programmeID)
        return feedURL(try feeds.issue(.programme, subjectID: programme.id, by: caller.actor))
    }

    public func revokeProgrammeFeed(_ programmeID: String, by caller: Caller) throws {
        try caller.require(.plan)
        try feeds.revoke(.programme, subjectID: programmeID, by: caller.actor)
    }

    /// A facilitator's own calendar: their sessions and consultations.
    public func issueOwnFeed(by caller: Caller) throws -> String {
        try caller.require(.facilitatorsOnly) { role, _ in Access.hasFacilitatorFeed(role: role) }
        return feedURL(try feeds.issue(.facilitator, subjectID: caller.userID, by: caller.actor))
    }

    public func revokeOwnFeed(by caller: Caller) throws {
        try caller.require(.facilitatorsOnly) { role, _ in Access.hasFacilitatorFeed(role: role) }
        try feeds.revoke(.facilitator, subjectID: caller.userID, by: caller.actor)
    }

    /// What a feed token opens; nil for an unknown or revoked one. The token is the credential:
    /// calendar applications cannot send a header.
    public func feed(token: String) throws -> FeedContent? {
        guard let (kind, subject) = try feeds.subject(token: token) else { return nil }
        let (sessions, consultations) = try feeds.entries(kind, subjectID: subject)
        return FeedContent(kind: kind, sessions: sessions, consultations: consultations)
    }

    func feedURL(_ token: String) -> String { "\(settings.publicBaseURL)/calendar/\(token).ics" }
}
