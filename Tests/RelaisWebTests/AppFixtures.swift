import Foundation
import RelaisStore
import RelaisUseCases
@testable import RelaisWeb

/// The store behind an app, for tests to arrange facts and inspect rows: the application itself
/// reaches it only through its use cases.
extension RelaisApp {
    var store: Store { actions.store }
    var accounts: Accounts { actions.accounts }
    var participants: Participants { actions.participants }
    var sites: Sites { actions.sites }
    var programmes: Programmes { actions.programmes }
    var enrolments: Enrolments { actions.enrolments }
    var consultations: Consultations { actions.consultations }
    var assessments: Assessments { actions.assessments }
    var tasks: Tasks { actions.tasks }
    var outbox: Outbox { actions.outbox }
    var participantRecords: ParticipantRecords { actions.participantRecords }
}
