import Foundation
import HTTPServer
import RelaisDomain
import RelaisUseCases

/// Turns what the use cases refuse into the API's JSON error (sentences in English, codes beside).
struct APIRefusals: Middleware {
    let renderer: Renderer

    func respond(to request: Request, next: Responder) throws -> Response {
        do {
            return try next(request)
        } catch {
            guard let refused = APIError.from(error) else { throw error }
            return refused.response(renderer)
        }
    }
}

extension RelaisApp {
    /// "La valeur du champ « Du » est refusée : …": the field by its name on the page
    /// (`field_label.<name>`), or no name at all when it has none (never a code).
    func invalidValueMessage(field: String, reason: Reason, language: String) -> String {
        let strings = renderer.strings(language)
        let text = renderer.text(reason, language: language)
        if let label = strings["field_label.\(field)"] { return strings.fill("error_message_invalid", ["field": label, "reason": text]) }
        return strings.fill("error_message_invalid_unnamed", ["reason": text])
    }
}

/// Turns what the use cases refuse into a page in the reader's language: the same polite page
/// for every unknown id as for an unknown address, never a 500.
struct PageRefusals: Middleware {
    let app: RelaisApp

    func respond(to request: Request, next: Responder) throws -> Response {
        do {
            return try next(request)
        } catch let refusal as Refusal {
            let context = request.context[WebContext.self]
            let language = context?.language ?? app.configuration.language
            if refusal.kind == .notFound { return app.errorPage(404, app.politeMessage(404, language: language), context: context) }
            return app.errorPage(refusal.kind == .forbidden ? 403 : 409, app.renderer.text(refusal.reason, language: language), context: context)
        } catch let error as ValidationError {
            let context = request.context[WebContext.self]
            let language = context?.language ?? app.configuration.language
            let (field, reason) = error.fields.sorted { $0.key < $1.key }.first ?? ("", Reason(.invalidValue))
            return app.errorPage(422, app.invalidValueMessage(field: field, reason: reason, language: language), context: context)
        } catch let error as APIError {
            let context = request.context[WebContext.self]
            return app.errorPage(error.status, app.politeMessage(error.status, language: context?.language), context: context)
        }
    }
}

/// No query value or form field may carry a control character other than a line break or a tab
/// (JSON bodies are checked as they are parsed): refused with a 422 naming the field before any
/// handler, so that none reaches the store, a page, a mail or an export.
struct RefuseControlCharacters: Middleware {
    let app: RelaisApp

    func respond(to request: Request, next: Responder) throws -> Response {
        let field = request.query.first { TextRules.hasForbiddenControl($0.value) || $0.value.contains("\n") }?.name
            ?? request.form.first { $0.filename == nil && TextRules.hasForbiddenControl($0.string) }?.name
        guard let field else { return try next(request) }
        let error = ValidationError(field: field, .textControlCharacters)
        if request.path.hasPrefix("/api/") { return APIError.from(error)?.response(app.renderer) ?? Response(status: .unprocessableContent) }
        let language = app.configuration.language
        return app.errorPage(422, app.invalidValueMessage(field: field, reason: Reason(.textControlCharacters), language: language), context: nil)
    }
}
