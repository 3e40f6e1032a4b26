/// What of `Protocols/` the application runs on, read once at start by RelaisConfig: the
/// instruments, the programme templates, the tobacco equivalents, the départements and the
/// kinds of treatment.
public struct ProtocolCatalog: Sendable {
    public var instruments: InstrumentCatalog
    public var templates: [ProgrammeTemplate]
    public var tobaccoEquivalents: TobaccoEquivalents
    public var territory: Territory
    /// The kinds of treatment (`treatment_kinds.json`).
    public var treatmentKinds: TreatmentKinds

    public init(instruments: InstrumentCatalog, templates: [ProgrammeTemplate], tobaccoEquivalents: TobaccoEquivalents, territory: Territory,
                treatmentKinds: TreatmentKinds = .unused) {
        self.instruments = instruments
        self.templates = templates
        self.tobaccoEquivalents = tobaccoEquivalents
        self.territory = territory
        self.treatmentKinds = treatmentKinds
    }

    /// For commands that touch no protocol (accounts, tokens): no instrument, no template, the
    /// cigarette as the only product and no département name.
    public static let unused = ProtocolCatalog(
        instruments: InstrumentCatalog([]), templates: [],
        tobaccoEquivalents: TobaccoEquivalents(version: "0.0.0", source: "not loaded", note: "not loaded", products: [
            .init(code: "cigarette", label: LocalizedText(fr: "Cigarette", en: "Cigarette"), equivalent: 1, sources: []),
        ]),
        territory: Territory(version: "0.0.0", cogYear: 0, source: "not loaded", departements: [:]))
}
