import Foundation
import HTTPServer
import RelaisDomain

/// HTML forms generated from instrument files, and the answers read back from them. Field
/// names are `<instrument>.<item>`, so one form can hold several instruments.
enum InstrumentForm {
    /// The Mustache context of one instrument's fields, with the submitted values kept and the
    /// errors placed next to their item.
    static func context(_ instrument: ConfiguredInstrument, language: String, values: [String: [String]] = [:],
                        errors: [String: String] = [:]) -> [String: Any] {
        let definition = instrument.definition
        return [
            "id": definition.id,
            "title": definition.title.text(language),
            "instructions": definition.instructions?.text(language) ?? "",
            "items": definition.items.map { item -> [String: Any] in
                let name = "\(definition.id).\(item.id)"
                let submitted = values[name] ?? []
                let fieldId = name.replacingOccurrences(of: ".", with: "-")
                let help = item.help?.text(language) ?? "", error = errors[item.id] ?? ""
                var field: [String: Any] = [
                    "name": name, "fieldId": fieldId, "text": item.text.text(language),
                    "help": help, "required": item.isRequired,
                    "value": submitted.first ?? "", "error": error,
                    "unit": item.unit?.text(language) ?? "",
                    // What a screen reader reads with each field: its hint, then its error (RGAA 11.10).
                    "describedBy": [help.isEmpty ? nil : "\(fieldId)-help", error.isEmpty ? nil : "\(fieldId)-error"]
                        .compactMap { $0 }.joined(separator: " "),
                ]
                switch item.type {
                case .singleChoice, .multipleChoice:
                    field[item.type == .singleChoice ? "isSingle" : "isMultiple"] = true
                    // Fagerström q4 also takes the number of cigarettes itself; the engine maps it to its band.
                    if let count = item.acceptsCount {
                        field["count"] = ["name": name + ".count", "fieldId": name.replacingOccurrences(of: ".", with: "-") + "-count",
                                          "value": values[name + ".count"]?.first ?? "", "min": count.min, "max": count.max,
                                          "unit": count.unit?.text(language) ?? ""] as [String: Any]
                    }
                    field["options"] = (item.options ?? []).map { option -> [String: Any] in
                        ["code": option.code, "label": option.label.text(language), "checked": submitted.contains(option.code),
                         "optionId": "\(name)-\(option.code)".replacingOccurrences(of: ".", with: "-")]
                    }
                case .integer, .number:
                    field["isNumber"] = true
                    field["step"] = item.type == .integer ? "1" : "any"
                    if let min = item.min { field["min"] = Self.number(min) }
                    if let max = item.max { field["max"] = Self.number(max) }
                case .text:
                    field["isText"] = true
                    field["maxLength"] = item.maxLength ?? 2000
                case .date:
                    field["isDate"] = true
                }
                return field
            },
        ]
    }

    /// The submitted values by field name (a multiple choice sends one value per ticked box).
    static func values(_ form: [FormField]) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for field in form { values[field.name, default: []].append(field.string) }
        return values
    }

    /// One instrument's answers as the scoring engine takes them: empty fields are left out
    /// (and reported as missing when required), numbers that do not parse are passed as text so
    /// that the engine names the item.
    static func answers(_ instrument: ConfiguredInstrument, values: [String: [String]]) -> [String: JSONValue] {
        var answers: [String: JSONValue] = [:]
        for item in instrument.definition.items {
            let submitted = (values["\(instrument.id).\(item.id)"] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
            // A number typed for an item that accepts a count wins over the ticked range.
            if item.acceptsCount != nil, let count = values["\(instrument.id).\(item.id).count"]?.first?.trimmingCharacters(in: .whitespaces),
               !count.isEmpty {
                answers[item.id] = Double(count).map(JSONValue.number) ?? .string(count)
                continue
            }
            guard let first = submitted.first else { continue }
            switch item.type {
            case .multipleChoice: answers[item.id] = .array(submitted.map(JSONValue.string))
            case .integer, .number:
                answers[item.id] = Double(first.replacingOccurrences(of: ",", with: ".")).map(JSONValue.number) ?? .string(first)
            default: answers[item.id] = .string(first)
            }
        }
        return answers
    }

    /// Recorded answers as the form's fields, to prefill a correction: the option codes, a count
    /// typed for an item that accepts one (`<item>.count`), numbers, texts and dates.
    static func values(_ instrument: ConfiguredInstrument, answers: [String: JSONValue]) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for item in instrument.definition.items {
            let name = "\(instrument.id).\(item.id)"
            if case .number(let count)? = answers["\(item.id)_count"] { values[name + ".count"] = [number(count)] }
            switch answers[item.id] {
            case .string(let text)?: values[name] = [text]
            case .number(let value)?: values[name] = [number(value)]
            case .array(let list)?: values[name] = list.compactMap { if case .string(let code) = $0 { code } else { nil } }
            default: break
            }
        }
        return values
    }

    static func number(_ value: Double) -> String {
        Int(exactly: value).map(String.init) ?? String(value)
    }

    /// The answers of every instrument of a form, by instrument id, as the use cases take them.
    static func answers(_ instruments: [ConfiguredInstrument], values: [String: [String]]) -> [String: [String: JSONValue]] {
        Dictionary(uniqueKeysWithValues: instruments.map { ($0.id, answers($0, values: values)) })
    }
}
