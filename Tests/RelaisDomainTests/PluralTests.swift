@testable import RelaisDomain
import Testing

/// Counts name their noun in the right number, by the rule of each language.
@Suite("Plural forms")
struct PluralTests {
    let programmes = "{1, plural, one {# programme prévu} other {# programmes prévus}}"

    @Test func frenchTakesTheSingularForZeroAndOneEnglishForOneOnly() {
        #expect(Plural.fill(programmes, ["1": "1"], language: "fr") == "1 programme prévu")
        #expect(Plural.fill(programmes, ["1": "0"], language: "fr") == "0 programme prévu")
        #expect(Plural.fill(programmes, ["1": "2"], language: "fr") == "2 programmes prévus")
        let english = "{count, plural, one {# participant} other {# participants}} present"
        #expect(Plural.fill(english, ["count": "1"], language: "en") == "1 participant present")
        #expect(Plural.fill(english, ["count": "0"], language: "en") == "0 participants present")
    }

    @Test func severalCountsInOneSentenceAndPlaceholdersInsideTheForms() {
        let text = "{2, plural, one {# présent} other {# présents}} sur {3, plural, one {# participant} other {# participants}} ({4})"
        #expect(Plural.fill(text, ["2": "1", "3": "1", "4": "100 %"], language: "fr") == "1 présent sur 1 participant (100 %)")
        #expect(Plural.fill(text, ["2": "6", "3": "8", "4": "75 %"], language: "fr") == "6 présents sur 8 participants (75 %)")
        let nested = "{count, plural, =0 {Aucune mesure pour {title}} one {# mesure pour {title}} other {# mesures pour {title}}}"
        #expect(Plural.fill(nested, ["count": "0", "title": "CO"], language: "fr") == "Aucune mesure pour CO")
        #expect(Plural.fill(nested, ["count": "3", "title": "CO"], language: "fr") == "3 mesures pour CO")
    }

    @Test func decimalsAndMaskedCounts() {
        let cigarettes = "{n, plural, one {# cigarette} other {# cigarettes}}"
        #expect(Plural.fill(cigarettes, ["n": "1,5"], language: "fr") == "1,5 cigarette")
        #expect(Plural.fill(cigarettes, ["n": "2,5"], language: "fr") == "2,5 cigarettes")
        #expect(Plural.fill(cigarettes, ["n": "1.5"], language: "en") == "1.5 cigarettes")
        #expect(Plural.fill(cigarettes, ["n": "< 5"], language: "fr") == "< 5 cigarettes")
    }

    @Test func aBlockWithoutBothFormsIsAProblem() {
        #expect(Plural.problem(in: programmes) == nil)
        #expect(Plural.problem(in: "{1, plural, other {# programmes}}") != nil)
        #expect(Plural.problem(in: "{1, plural, one {# programme} other {# programmes}") != nil)
        #expect(Plural.problem(in: "sans bloc {1}") == nil)
        // What opens a plural block, read by hand: spaces allowed around the name and the commas.
        for opening in ["{n, plural,", "{ n_2 ,plural ,", "{count,plural,"] {
            #expect(Plural.startsPluralBlock(Array(opening + " one {x} other {y}}"), at: 0), "\(opening)")
        }
        for other in ["{n}", "{n, select,", "{, plural,", "{n plural,", "{n, plural}", "{né, plural,", "{n, plurals,"] {
            #expect(!Plural.startsPluralBlock(Array(other), at: 0), "\(other)")
        }
    }
}
