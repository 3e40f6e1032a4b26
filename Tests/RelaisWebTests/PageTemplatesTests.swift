import Foundation
@testable import RelaisWeb
import Testing

/// Templates are compiled when a page first needs them: each one must still parse, with every
/// partial and layout it names, and a broken one must be named rather than render empty.
@Suite("Page templates compiled on first use")
struct PageTemplatesTests {

    @Test func everyTemplateParsesWithWhatItIncludes() throws {
        let templates = try Renderer().templates
        let names = try FileManager.default.contentsOfDirectory(atPath: templates.directory.path)
            .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(".mustache".count)) }
        #expect(names.count >= PageTemplate.allCases.count)
        for name in names {
            let library = try templates.library(for: name)
            for included in PageTemplates.inclusions(in: try String(contentsOf: templates.directory.appendingPathComponent(name + ".mustache"),
                                                                    encoding: .utf8)) {
                #expect(library.getTemplate(named: included) != nil, "\(name) includes \(included), which is not compiled with it")
            }
        }
    }

    @Test func aPageCompilesOnlyWhatItNeedsAndABrokenTemplateIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<main>{{$content}}{{/content}}</main>".write(to: folder.appendingPathComponent("layout.mustache"), atomically: true, encoding: .utf8)
        try "{{<layout}}{{$content}}Bonjour {{> name}}{{/content}}{{/layout}}".write(to: folder.appendingPathComponent("page.mustache"), atomically: true, encoding: .utf8)
        try "{{first}}".write(to: folder.appendingPathComponent("name.mustache"), atomically: true, encoding: .utf8)
        try "{{#unclosed}}".write(to: folder.appendingPathComponent("broken.mustache"), atomically: true, encoding: .utf8)
        let templates = PageTemplates(directory: folder)
        let library = try templates.library(for: "page")
        #expect(library.render(["first": "Ana"], withTemplate: "page") == "<main>Bonjour Ana</main>")
        #expect(library.getTemplate(named: "broken") == nil, "a page compiles only what it names")
        #expect(throws: RendererError.self) { try templates.library(for: "broken") }
        #expect((try? templates.library(for: "broken")) == nil)
        // A page including the broken partial fails each time, never half compiled.
        try "{{> broken}}".write(to: folder.appendingPathComponent("holed.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: RendererError.self) { try templates.library(for: "holed") }
        #expect(throws: RendererError.self) { try templates.library(for: "holed") }
        #expect(PageTemplates.inclusions(in: "{{> a}} {{>b}} {{< c }} {{d}} {{#e}}") == ["a", "b", "c"])
    }
}
