import Foundation
import GRDB
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// Issue 14: `GET /api/v1/participants` a page at a time, audited in one row per page, and the
/// hand-written JSON of the busiest answers held to what `Encodable` gives.
@Suite("Participants list, paged")
struct ParticipantListTests {
    func json(_ page: PageClient.Page) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(page.text.utf8)) as? [String: Any])
    }

    @Test func theAPIPagesWithLimitAndCursorAndRefusesBadOnesNamingTheField() throws {
        let clinic = try Clinic()
        var made: [ParticipantRecord] = []
        for index in 0..<7 { made.append(try clinic.participant("Prénom\(index)", index % 2 == 0 ? "Durand" : "martin")) }
        var names: [String] = []
        var ids: [String] = []
        var path = "/api/v1/participants?limit=3"
        var pages = 0
        while pages < 5 {
            let answer = try clinic.client.api(.get, path, as: "coord")
            #expect(answer.status == 200)
            let body = try json(answer)
            let people = try #require(body["participants"] as? [[String: Any]])
            #expect(people.count <= 3 && body.keys.contains("nextCursor"))
            names += people.map { "\($0["lastName"] ?? "") \($0["firstName"] ?? "")" }
            ids += people.compactMap { $0["id"] as? String }
            pages += 1
            guard let next = body["nextCursor"] as? String else { break }
            path = "/api/v1/participants?limit=3&cursor=\(next)"
        }
        #expect(pages == 3)
        #expect(names == ["Durand Prénom0", "Durand Prénom2", "Durand Prénom4", "Durand Prénom6", "martin Prénom1", "martin Prénom3",
                          "martin Prénom5"])
        #expect(Set(ids) == Set(made.map(\.id)) && ids.count == 7)

        // One audit row per page, naming who it showed; "who saw X" finds it.
        let rows = try clinic.app.store.auditEntries(entity: "participant").filter { $0.action == "list" && $0.actorName == "coord" }
        #expect(rows.count == 3 && rows.reversed().flatMap(\.participants) == ids)
        #expect(try clinic.app.store.auditEntries(entity: "participant", id: made[3].id).contains { $0.action == "list" })

        // The default page, a search, an empty cursor (the first page).
        let all = try json(try clinic.client.api(.get, "/api/v1/participants?q=durand&cursor=", as: "tab"))
        #expect((all["participants"] as? [Any])?.count == 4 && all["nextCursor"] is NSNull)

        for (query, field) in [("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
                               ("cursor=garbage", "cursor"), ("cursor=WyJhIl0", "cursor")] {
            let refused = try clinic.client.api(.get, "/api/v1/participants?\(query)", as: "coord")
            #expect(refused.status == 422, "\(query)")
            let fields = try (json(refused)["error"] as? [String: Any])?["fields"] as? [String: Any]
            #expect(fields?.keys.sorted() == [field], "\(query): \(refused.text)")
        }
        #expect(try clinic.client.api(.get, "/api/v1/participants?limit=500", as: "coord").status == 200)
    }

    @Test func thePageListsFiveHundredThenLinksToTheNext() throws {
        let clinic = try Clinic()
        let nadia = try clinic.participant()
        let page = try clinic.client.get("/participants", as: "coord")
        #expect(page.status == 200 && page.text.contains("Zerbib Nadia") && !page.text.contains("Participants suivants"))
        #expect(try clinic.client.get("/participants?cursor=nope", as: "coord").status == 422)
        let row = try #require(try clinic.app.store.auditEntries(entity: "participant", id: nadia.id).first)
        #expect(row.action == "list" && row.participants == [nadia.id])
        // The rows are written in Swift, not by the template: every value escaped, the link, the
        // consent tag of someone who has not consented, the birth year or a dash.
        let marked = try clinic.participant("<b>Léa</b>", "O'Brien & \"Fils\"")
        let listed = try clinic.client.get("/participants", as: "coord").text
        #expect(listed.contains("<a href=\"/participants/\(marked.id)\">O&#39;Brien &amp; &quot;Fils&quot; &lt;b&gt;Léa&lt;/b&gt;</a>"), "\(listed)")
        #expect(!listed.contains("<b>Léa</b>"))
        let rows = RelaisApp.participantRows([nadia], enrolments: [nadia.id: 2], noConsentTag: "sans <consentement>")
        let consented = nadia.consentDataProcessingAt != nil
        #expect(rows == "<tr><td><a href=\"/participants/\(nadia.id)\">Zerbib Nadia</a>"
                + (consented ? "" : " <span class=\"tag warn\">sans &lt;consentement&gt;</span>")
                + "</td><td>\(nadia.birthYear.map(String.init) ?? "—")</td><td>2</td></tr>\n")
    }

    @Test func theHandWrittenBodiesWriteWhatEncodableWrites() throws {
        let clinic = try Clinic()
        let full = try clinic.app.participants.create(ParticipantDetails(
            firstName: "Zoé \"la\" \\ Ø\n\t", lastName: "D'Arc/Été", birthYear: 1979, email: "z@example.org", phone: "06 11 22 33 44",
            postalAddress: "1 rue X\n75000 Paris", preferredChannel: .email, consentDataProcessing: true, consentEmail: true,
            smokerStatus: .exSmoker, precarity: true, sex: .other, postalCode: "75011", publics: [.pregnant]), by: .system)
        let bare = try clinic.participant("Paul", "Martin", email: nil, phone: "0611223344")
        var bodies: [ParticipantBody] = [ParticipantBody(full, contact: true), ParticipantBody(full, contact: false),
                                         ParticipantBody(bare, contact: true), ParticipantBody(bare, contact: false)]
        bodies[0].orientations = []
        for body in bodies {
            let fast = String(decoding: try JSONStream.encode(body), as: UTF8.self)
            #expect(fast == String(decoding: try JSONStream.encodeThroughCodable(body), as: UTF8.self))
            try expectSameAsFoundation(body, fast)
        }
        let list = ParticipantListBody(participants: bodies, nextCursor: "abc")
        #expect(try JSONStream.encode(list) == JSONStream.encodeThroughCodable(list))
        let last = ParticipantListBody(participants: [], nextCursor: nil)
        #expect(String(decoding: try JSONStream.encode(last), as: UTF8.self) == #"{"participants":[],"nextCursor":null}"#)
        for user in [clinic.coordinator, clinic.lead] {
            for profile in [true, false] {
                let body = UserBody(user, profile: profile)
                let fast = String(decoding: try JSONStream.encode(body), as: UTF8.self)
                #expect(fast == String(decoding: try JSONStream.encodeThroughCodable(body), as: UTF8.self))
                try expectSameAsFoundation(body, fast)
            }
        }
    }

    @Test func theStreamEncoderWritesWhatFoundationWrites() throws {
        struct Sample: Encodable {
            var text = "a\"b\\c/d\u{1}\u{1F}é😀"
            var numbers: [Double] = [0, 1, -1, 1.5, 0.1, 1e20, -2.25e-7, 123456789.125]
            var integers: [Int] = [0, -1, Int.max, Int.min]
            var flags = [true, false]
            var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.75), Date(timeIntervalSince1970: -86_400.5)]
            var products: [String: Double] = ["z": 1, "a": 2.5, "é": 3, "A": 4]
            var nested: [String: [String: Int]] = ["b": ["y": 1, "x": 2], "a": [:]]
            var absent: String?
            var present: String? = "here"
            @Nullable var nothing: Int?
            var kind = Role.peerHelper
            var empty: [Int] = []
            var values: [JSONValue] = [.object(["b": .number(1), "a": .array([.null, .bool(true), .string("x")])]), .number(2.5)]
        }
        let fast = String(decoding: try JSONStream.encode(Sample()), as: UTF8.self)
        try expectSameAsFoundation(Sample(), fast)
        #expect(fast.contains(#""products":{"A":4,"a":2.5,"z":1,"é":3}"#), "a dictionary's keys in order: \(fast)")
        #expect(fast.contains(#""dates":["1970-01-01T00:00:00Z","2026-11-18T11:06:40Z","1969-12-30T23:59:59Z"]"#), "\(fast)")
        #expect(!fast.contains("absent") && fast.contains(#""nothing":null"#))
        #expect(throws: EncodingError.self) { try JSONStream.encode([Double.nan]) }
    }

    /// The same JSON value as Foundation's encoder with the API's former settings.
    func expectSameAsFoundation<T: Encodable>(_ value: T, _ fast: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601))
        }
        let reference = try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed]) as? NSObject
        let ours = try JSONSerialization.jsonObject(with: Data(fast.utf8), options: [.fragmentsAllowed]) as? NSObject
        #expect(reference != nil && reference == ours, "\(fast)", sourceLocation: sourceLocation)
    }
}
