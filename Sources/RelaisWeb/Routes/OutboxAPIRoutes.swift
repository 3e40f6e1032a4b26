import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerOutboxAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.get, "/api/v1/outbox", .manageReminders) { request, caller in
            var problems: [String: Reason] = [:]
            let state: OutboxState? = Self.choice(request, "state", &problems)
            let kind: MessageKind? = Self.choice(request, "kind", &problems)
            let channel: MessageChannel? = Self.choice(request, "channel", &problems)
            let limit = Self.limit(request, &problems)
            guard problems.isEmpty else { throw ValidationError(problems) }
            let messages = try app.actions.messages(state: state, kind: kind, participantID: request.queryValue("participant"), channel: channel,
                                                    limit: limit, by: caller)
            return try JSONBody.response(["messages": messages.map(MessageBody.init)])
        }

        routes.api(.post, "/api/v1/outbox/{id}/retry", .manageReminders) { request, caller in
            try JSONBody.response(MessageBody(try app.actions.retryMessage(request.parameter("id"), by: caller)))
        }

        routes.api(.get, "/api/v1/tasks", .manageReminders) { request, caller in
            var problems: [String: Reason] = [:]
            let state: TaskState? = Self.choice(request, "state", &problems)
            let limit = Self.limit(request, &problems)
            guard problems.isEmpty else { throw ValidationError(problems) }
            let tasks = try app.actions.taskList(state: state, assignedTo: request.queryValue("assignedTo"), participantID: request.queryValue("participant"),
                                                 limit: limit, by: caller)
            return try JSONBody.response(["tasks": tasks.map { TaskBody($0, withScript: false, language: request.preferredLanguage) }])
        }

        routes.api(.post, "/api/v1/tasks", .manageReminders) { request, caller in
            let task = try app.actions.createTask(try JSONBody.decode(TaskRequest.self, from: request), by: caller)
            return try JSONBody.response(TaskBody(try app.actions.task(task.id, by: caller), withScript: false, language: request.preferredLanguage),
                                         status: 201)
        }

        routes.api(.get, "/api/v1/tasks/{id}", .manageReminders) { request, caller in
            try JSONBody.response(TaskBody(try app.actions.task(request.parameter("id"), by: caller), withScript: true, language: request.preferredLanguage))
        }

        routes.api(.patch, "/api/v1/tasks/{id}", .manageReminders) { request, caller in
            let task = try app.actions.changeTask(request.parameter("id"), try JSONBody.decode(TaskChange.self, from: request), by: caller)
            return try JSONBody.response(TaskBody(try app.actions.task(task.id, by: caller), withScript: false, language: request.preferredLanguage))
        }
    }

    /// `?state=…`: one of the enum's values, else a reason under that name.
    static func choice<T: RawRepresentable & CaseIterable>(_ request: Request, _ name: String, _ problems: inout [String: Reason]) -> T?
        where T.RawValue == String {
        guard let raw = request.queryValue(name) else { return nil }
        guard let value = T(rawValue: raw) else {
            problems[name] = UseCases.oneOf(T.self)
            return nil
        }
        return value
    }

    static func limit(_ request: Request, _ problems: inout [String: Reason]) -> Int {
        do throws(ValidationError) {
            return try Input.integer(request.queryValue("limit"), field: "limit", in: 1...10_000) ?? 200
        } catch {
            problems.merge(error.fields) { $1 }
            return 200
        }
    }
}
