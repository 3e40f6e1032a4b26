import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisUseCases

extension RelaisApp {
    func registerInstrumentAPI(_ routes: inout Routes) {
        let app = self
        routes.api(.get, "/api/v1/instruments", .useInstruments) { request, caller in
            let language = request.preferredLanguage
            let list = try app.actions.instrumentDefinitions(by: caller).map { instrument in
                InstrumentSummaryBody(id: instrument.id, version: instrument.version, title: instrument.definition.title.text(language),
                                      scored: !(instrument.definition.scores ?? []).isEmpty)
            }
            return try JSONBody.localized(["instruments": list], language: language)
        }

        routes.api(.get, "/api/v1/instruments/{id}", .useInstruments) { request, caller in
            let instrument = try app.actions.instrumentDefinition(request.parameter("id"), by: caller)
            return try JSONBody.localized(InstrumentJSON.definition(instrument, language: request.preferredLanguage), language: request.preferredLanguage)
        }

        routes.api(.post, "/api/v1/instruments/{id}/score", .useInstruments) { request, caller in
            let answers = try JSONBody.object(from: request)
            return try JSONBody.response(try app.actions.score(instrumentID: request.parameter("id"), answers: answers,
                                                               partial: request.queryValue("partial") == "true", by: caller))
        }

        routes.api(.get, "/api/v1/instruments/{id}/fhir", .useInstruments) { request, caller in
            let instrument = try app.actions.instrumentDefinition(request.parameter("id"), by: caller)
            var response = try JSONBody.response(FHIR.questionnaire(instrument, language: request.preferredLanguage,
                                                                    baseURL: app.actions.settings.publicBaseURL))
            response.headerFields[.contentType] = "application/fhir+json; charset=utf-8"
            return response
        }
    }
}

extension JSONBody {
    /// An answer whose texts are in `language`, which says so.
    static func localized<T: Encodable>(_ value: T, language: String, status: Int = 200) throws -> Response {
        var response = try response(value, status: status)
        response.headerFields[.contentLanguage] = language
        response.headerFields[.vary] = "Accept-Language"
        return response
    }
}

/// Instrument definitions as the API shows them, in one language: a document of free shape
/// (each instrument file decides its items, options and scores), written as a typed JSON tree.
enum InstrumentJSON {
    static func definition(_ instrument: ConfiguredInstrument, language: String) -> JSONValue {
        let definition = instrument.definition
        var object: [String: JSONValue] = [
            "id": .string(definition.id), "version": .string(definition.version), "title": .string(definition.title.text(language)),
            "source": .string(definition.source), "language": .string(language),
            "items": .array(definition.items.map { item(instrument, $0, language) }),
            "scores": .array((definition.scores ?? []).map { score(instrument, $0, language) }),
        ]
        if let instructions = definition.instructions { object["instructions"] = .string(instructions.text(language)) }
        if !instrument.parameters.isEmpty { object["parameters"] = .object(instrument.parameters.mapValues(JSONValue.number)) }
        return .object(object)
    }

    static func item(_ instrument: ConfiguredInstrument, _ item: Instrument.Item, _ language: String) -> JSONValue {
        var object: [String: JSONValue] = ["id": .string(item.id), "type": .string(item.type.rawValue), "text": .string(item.text.text(language)),
                                           "required": .bool(item.isRequired)]
        if let help = item.help { object["help"] = .string(help.text(language)) }
        if let options = item.options {
            object["options"] = .array(options.map { option in
                var value: [String: JSONValue] = ["code": .string(option.code), "label": .string(option.label.text(language))]
                if let points = option.points { value["points"] = .number(Double(points)) }
                if option.exclusive == true { value["exclusive"] = true }
                return .object(value)
            })
        }
        if let min = item.min { object["min"] = .number(min) }
        if let max = item.max { object["max"] = .number(max) }
        if let unit = item.unit { object["unit"] = .string(unit.text(language)) }
        if let count = item.acceptsCount {
            object["acceptsCount"] = ["min": .number(Double(count.min)), "max": .number(Double(count.max)), "unit": .string(count.unit?.text(language) ?? "")]
        }
        if item.type == .text { object["maxLength"] = .number(Double(item.maxLength ?? 2000)) }
        return .object(object)
    }

    static func score(_ instrument: ConfiguredInstrument, _ score: Instrument.ScoreDefinition, _ language: String) -> JSONValue {
        let scheme = instrument.schemes[score.id] ?? score.bandSchemes[0]
        func edge(_ edge: Instrument.Edge?) -> Double? {
            switch edge {
            case .value(let number): return number
            case .parameter(let name): return instrument.parameters[name]
            case nil: return nil
            }
        }
        var schemeObject: [String: JSONValue] = ["id": .string(scheme.id), "label": .string(scheme.label.text(language)), "source": .string(scheme.source)]
        if let byItem = scheme.byItem { schemeObject["byItem"] = .string(byItem) }
        return [
            "id": .string(score.id), "label": .string(score.label.text(language)), "items": .array(score.items.map(JSONValue.string)),
            "min": .number(Double(score.min)), "max": .number(Double(score.max)),
            "bandScheme": .object(schemeObject),
            "bands": .array(scheme.bands.map { band in
                var value: [String: JSONValue] = ["code": .string(band.code), "label": .string(band.label.text(language))]
                if let min = edge(band.min) { value["min"] = .number(min) }
                if let max = edge(band.max) { value["max"] = .number(max) }
                if let below = edge(band.below) { value["below"] = .number(below) }
                if let options = band.forOptions { value["for"] = .array(options.map(JSONValue.string)) }
                return .object(value)
            }),
        ]
    }
}
