import Foundation
import RelaisDomain
import RelaisStore

/// The home page of a staff member, by role.
public struct DashboardView: Sendable {
    public var today: [Dashboard.SessionItem] = []
    public var week: [Dashboard.SessionItem] = []
    public var toBook: [Dashboard.ConsultationToBook] = []
    public var followUps: [Dashboard.FollowUpDue] = []
    /// A tabacologue's consultations: to come, and of the last 7 days not yet marked.
    public var myConsultations: [Dashboard.ConsultationItem] = []
    public var openTasks = 0
    public var myTasks = 0
    public var failedDeliveries: [FailedDelivery] = []
    /// All the failed deliveries, of which `failedDeliveries` shows the latest.
    public var failedCount = 0
    /// SMS by status (`Outbox.smsCounts`).
    public var sms: [String: Int] = [:]
}

extension UseCases {
    /// What the caller's home page lists. A coordinator sees the whole structure; a tabacologue
    /// and a peer helper their own programmes. The participants it names are audited in one row.
    public func dashboard(by caller: Caller) throws -> DashboardView {
        var view = DashboardView()
        guard let user = caller.user, user.role != .admin else { return view }
        let board = Dashboard(store: store)
        let scope = user.role == .coordinator ? nil : user.id
        let dayStart = LocalDateTime(startOf: today).instant(in: settings.timeZone)
        let tomorrow = dayStart.addingTimeInterval(86400)
        let week = try board.sessions(from: dayStart, to: dayStart.addingTimeInterval(8 * 86400), userID: scope)
        view.today = week.filter { $0.session.startsAt < tomorrow }
        view.week = week.filter { $0.session.startsAt >= tomorrow }
        if caller.may(.plan) {
            view.toBook = try board.consultationsToBook(now: clock.now(), consultationCount: { consultationSlots(programme: $0).count }, userID: scope)
            view.followUps = try board.followUpsDue(until: today.addingDays(7), userID: scope)
        }
        if caller.may(.manageReminders) {
            view.openTasks = try tasks.list(state: .open, assignedTo: nil, participantID: nil).count
            view.myTasks = try tasks.list(state: .open, assignedTo: user.id, participantID: nil).count
            view.failedCount = try outbox.counts()[.failed] ?? 0
            view.failedDeliveries = try failedDeliveries(limit: 10, by: caller)
            view.sms = try outbox.smsCounts()
        }
        if user.role == .tabacologue {
            view.myConsultations = try board.consultations(facilitatorID: user.id, since: dayStart.addingTimeInterval(-7 * 86400))
        }
        let named = Set(view.toBook.prefix(30).map(\.participant.id) + view.followUps.map(\.participant.id)
                        + view.myConsultations.map(\.participant.id))
        try store.recordRead(caller.actor, "read_dashboard", participants: named.sorted(), at: clock.now())
        return view
    }
}

extension UseCases {
    /// The programme templates, for planners.
    public func programmeTemplates(by caller: Caller) throws -> [ProgrammeTemplate] {
        try caller.require(.plan)
        return templates
    }
}
