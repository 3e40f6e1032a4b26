import Foundation
import RelaisDomain
import RelaisStore

/// FHIR R4 views of instruments (Questionnaire) and assessments (QuestionnaireResponse), for
/// exchange with hospital systems, as typed JSON trees. Built by hand: the shapes needed are
/// small and no FHIR library is available for Swift on Linux here.
enum FHIR {
    static let ordinalValue = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

    static func canonicalURL(_ instrument: ConfiguredInstrument, baseURL: String) -> String {
        "\(baseURL)/api/v1/instruments/\(instrument.id)/fhir"
    }

    static func questionnaire(_ instrument: ConfiguredInstrument, language: String, baseURL: String) -> JSONValue {
        let definition = instrument.definition
        let url = canonicalURL(instrument, baseURL: baseURL)
        return .object([
            "resourceType": "Questionnaire", "id": .string(definition.id), "url": .string(url), "version": .string(definition.version),
            "name": .string(definition.id), "title": .string(definition.title.text(language)), "status": "active", "language": .string(language),
            "description": .string(definition.source),
            "item": .array(definition.items.map { item in
                var value: [String: JSONValue] = ["linkId": .string(item.id), "text": .string(item.text.text(language)),
                                                  "type": .string(type(of: item)), "required": .bool(item.isRequired)]
                if item.type == .multipleChoice { value["repeats"] = true }
                if let options = item.options {
                    value["answerOption"] = .array(options.map { option in
                        var answer: [String: JSONValue] = ["valueCoding": coding(url, item, option.code, display: option.label.text(language))]
                        if let points = option.points { answer["extension"] = [["url": .string(ordinalValue), "valueDecimal": .number(Double(points))]] }
                        return .object(answer)
                    })
                }
                if let max = item.maxLength, item.type == .text { value["maxLength"] = .number(Double(max)) }
                var extensions: [JSONValue] = []
                if let min = item.min { extensions.append(bound("minValue", min, integer: item.type == .integer)) }
                if let max = item.max { extensions.append(bound("maxValue", max, integer: item.type == .integer)) }
                if !extensions.isEmpty { value["extension"] = .array(extensions) }
                return .object(value)
            }),
        ])
    }

    /// One assessment as a `QuestionnaireResponse`: `entered-in-error` once withdrawn, `amended`
    /// once corrected, else `completed` (or `in-progress` for a partial one).
    static func questionnaireResponse(_ record: AssessmentRecord, instrument: ConfiguredInstrument, language: String, baseURL: String,
                                      corrected: Bool = false) -> JSONValue {
        let url = canonicalURL(instrument, baseURL: baseURL)
        let answers = record.answerValues
        let items: [JSONValue] = instrument.definition.items.compactMap { item in
            guard let value = answers[item.id] else { return nil }
            let encoded: [JSONValue]
            switch (item.type, value) {
            case (.singleChoice, .string(let code)):
                encoded = [["valueCoding": coding(url, item, code, display: item.option(code)?.label.text(language))]]
            case (.multipleChoice, .array(let codes)):
                encoded = codes.compactMap { element in
                    guard case .string(let code) = element else { return nil }
                    return ["valueCoding": coding(url, item, code, display: item.option(code)?.label.text(language))]
                }
            case (.integer, .number(let number)): encoded = [["valueInteger": .number(number.rounded())]]
            case (.number, .number(let number)): encoded = [["valueDecimal": .number(number)]]
            case (.text, .string(let text)): encoded = [["valueString": .string(text)]]
            case (.date, .string(let text)): encoded = [["valueDate": .string(text)]]
            default: return nil
            }
            return ["linkId": .string(item.id), "text": .string(item.text.text(language)), "answer": .array(encoded)]
        }
        return [
            "resourceType": "QuestionnaireResponse", "id": .string(record.id),
            "questionnaire": .string("\(url)|\(record.instrumentVersion)"),
            "status": .string(record.isWithdrawn ? "entered-in-error" : corrected ? "amended" : record.partial ? "in-progress" : "completed"),
            "subject": ["reference": .string("Patient/\(record.participantId)")],
            "authored": .string(record.takenOn),
            "item": .array(items),
        ]
    }

    private static func type(of item: Instrument.Item) -> String {
        switch item.type {
        case .singleChoice, .multipleChoice: return "choice"
        case .integer: return "integer"
        case .number: return "decimal"
        case .text: return "text"
        case .date: return "date"
        }
    }

    private static func coding(_ url: String, _ item: Instrument.Item, _ code: String, display: String?) -> JSONValue {
        var coding: [String: JSONValue] = ["system": .string("\(url)#\(item.id)"), "code": .string(code)]
        if let display { coding["display"] = .string(display) }
        return .object(coding)
    }

    private static func bound(_ name: String, _ value: Double, integer: Bool) -> JSONValue {
        ["url": .string("http://hl7.org/fhir/StructureDefinition/\(name)"), integer ? "valueInteger" : "valueDecimal": .number(integer ? value.rounded() : value)]
    }
}
