import Testing
@testable import RelaisDomain

@Suite("Text rules, links and CSV cells")
struct TextRulesTests {
    @Test(arguments: ["Nadia\u{0}", "Na\ndia", "Na\rdia", "Na\tdia", "Nadia\u{1B}[31m", "Nadia\u{7F}", "Nadia\u{85}", "Na\u{2028}dia"])
    func oneLineFieldsRefuseControlCharacters(_ text: String) {
        #expect(TextRules.oneLineProblem(text, maxLength: 100) == Reason(.textOneLine))
    }

    @Test func multiLineFieldsKeepLineBreaksAndTabsOnly() {
        #expect(TextRules.multiLineProblem("12 rue des Lilas\r\n59000 Lille\tBât. B", maxLength: 500) == nil)
        #expect(TextRules.multiLineProblem("note\u{0}", maxLength: 500) == Reason(.textControlCharacters))
        #expect(TextRules.multiLineProblem(String(repeating: "a", count: 501), maxLength: 500) == Reason(.textTooLong, ["max": "500"]))
        #expect(TextRules.oneLineProblem("Zoé O'Brien-Lefèvre", maxLength: 100) == nil)
    }

    @Test(arguments: ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "http://visio.example.org/room", "data:text/html,x",
                      "https://", "https://user:pw@visio.example.org", "https://visio.example.org/a b", "//visio.example.org",
                      " javascript:alert(1)", "https://visio.example.org/\"onmouseover=\"x"])
    func linksMustBeHTTPSWithAHost(_ text: String) {
        #expect(TextRules.httpsLinkProblem(text) != nil, "\(text)")
    }

    @Test func anHTTPSLinkIsAccepted() {
        #expect(TextRules.httpsLinkProblem("https://visio.example.org/salle-42?pwd=abc#x") == nil)
    }

    @Test func csvCellsThatASpreadsheetWouldEvaluateAreNeutralised() {
        #expect(CSV.neutralised("=HYPERLINK(\"http://x\",\"y\")") == "'=HYPERLINK(\"http://x\",\"y\")")
        #expect(CSV.neutralised("+33 6 12") == "'+33 6 12")
        #expect(CSV.neutralised("-2+3") == "'-2+3")
        #expect(CSV.neutralised("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSV.neutralised("\tcmd") == "'\tcmd")
        #expect(CSV.neutralised("\rcmd") == "'\rcmd")
        // Numbers stay numbers.
        for number in ["-3", "+2.5", "-0,5", "-12", "42"] { #expect(CSV.neutralised(number) == number) }
        #expect(CSV.neutralised("Arrêter ensemble") == "Arrêter ensemble")
        #expect(CSV.text([["=1+1", "-3", "a,b"]]) == "'=1+1,-3,\"a,b\"\r\n")
        #expect(CSV.text([["=1;1", "x"]], separator: ";") == "\"'=1;1\";x\r\n")
    }

    @Test func calendarArithmeticStaysTotalAtTheEdges() {
        let last = CalendarDate(year: 9999, month: 12, day: 31)!
        #expect(last.addingDays(1).year == 10000)
        #expect(last.addingMonths(3).iso == "10000-03-31")
        #expect(FrenchHolidays.easterSunday(year: 10000).month == 4)
        #expect(CalendarDate(year: 2026, month: 11, day: 30)!.addingMonths(3).iso == "2027-02-28")
        #expect(CalendarDate(year: 2027, month: 11, day: 30)!.addingMonths(3).iso == "2028-02-29")
    }
}
