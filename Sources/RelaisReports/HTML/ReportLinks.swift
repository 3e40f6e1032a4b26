/// Where the links of a report page lead: the addresses belong to the application that shows the
/// page, the report only places them. With links, the body has its controls (site, year or
/// period, exports, bilan) and each programme links to its own report; a standalone file has none.
public struct ReportLinks {
    /// One site of the structure, in the site chooser.
    public struct Site {
        public var id: String
        public var name: String
        public var url: String

        public init(id: String, name: String, url: String) {
            self.id = id
            self.name = name
            self.url = url
        }
    }

    /// The report's year over all sites: the chooser's first choice, and the way back from a
    /// programme or a period.
    public var year: String
    /// The chooser's first choice: this report over all sites (the year's by default).
    public var allSites: String
    /// The report (year or period) for each site, in the chooser's order.
    public var sites: [Site]
    public var previousYear: String
    public var nextYear: String
    /// The two CSV files and the bilan sheet of this report.
    public var aggregateCSV: String
    public var participantsCSV: String
    public var bilan: String
    /// Where the period form goes (a GET form with `from`, `to` and the site).
    public var periodForm: String
    /// A programme's report, from its id.
    public var programme: (String) -> String

    public init(year: String, allSites: String? = nil, sites: [Site], previousYear: String, nextYear: String, aggregateCSV: String, participantsCSV: String,
                bilan: String = "", periodForm: String = "", programme: @escaping (String) -> String) {
        self.year = year
        self.allSites = allSites ?? year
        self.sites = sites
        self.previousYear = previousYear
        self.nextYear = nextYear
        self.aggregateCSV = aggregateCSV
        self.participantsCSV = participantsCSV
        self.bilan = bilan
        self.periodForm = periodForm
        self.programme = programme
    }
}
