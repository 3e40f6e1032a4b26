import Foundation
import RelaisConfig
import Testing

let documentedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("config/relais.yaml").path

func write(_ yaml: String) throws -> String {
    let path = NSTemporaryDirectory() + "relais-config-\(UUID().uuidString).yaml"
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test func embeddedDefaultsNeedNoFile() throws {
        let config = try ConfigurationLoader.load(file: nil, environment: [:])
        #expect(config.dataDir == "./var")
        #expect(config.sqlitePath == "./var/relais.sqlite")
        #expect(config.httpHost == "127.0.0.1" && config.httpPort == 8080)
        #expect(config.effectivePublicBaseURL == "http://127.0.0.1:8080")
        #expect(!config.secureCookies)
    }

    @Test func theDocumentedFileStatesExactlyTheEmbeddedDefaults() throws {
        #expect(try ConfigurationLoader.load(file: documentedFile, environment: [:]) == Configuration())
    }

    @Test func everyKeyIsDocumentedInTheFile() throws {
        // The dotted path of every "key:" line, from its indentation (two spaces per level).
        var path: [String] = []
        var documented: Set<String> = []
        for line in try String(contentsOfFile: documentedFile, encoding: .utf8).split(separator: "\n") {
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            guard !body.hasPrefix("#"), let colon = body.firstIndex(of: ":") else { continue }
            path = Array(path.prefix(indent / 2)) + [String(body[..<colon])]
            documented.insert(path.joined(separator: "."))
        }
        for (key, _) in ConfigurationLoader.environmentVariables {
            #expect(documented.contains(key), "\(key) is not in config/relais.yaml")
        }
    }

    @Test func workerThreadsAreOnePerCoreUnlessSet() throws {
        #expect(Configuration().httpThreads == 0)
        #expect(Configuration().effectiveHTTPThreads == max(2, ProcessInfo.processInfo.activeProcessorCount))
        let set = try ConfigurationLoader.load(file: try write("http:\n  threads: 5\n"), environment: [:])
        #expect(set.effectiveHTTPThreads == 5)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: try write("http:\n  threads: -1\n"), environment: [:]) }
    }

    @Test func environmentOverridesTheFile() throws {
        let file = try write("http:\n  port: 9000\nstructure:\n  name: CSAPA Nord\n")
        let config = try ConfigurationLoader.load(file: file, environment: ["RELAIS_HTTP_PORT": "9100", "RELAIS_DATA_DIR": "/srv/relais"])
        #expect(config.httpPort == 9100)
        #expect(config.dataDir == "/srv/relais")
        #expect(config.structureName == "CSAPA Nord")
    }

    @Test func errorsNameTheKeyAndTheSource() throws {
        let badPort = try write("http:\n  port: eighty\n")
        #expect(throws: ConfigurationError(key: "http.port", source: "file \(badPort)",
                                           reason: "expected a whole number from 0 to 65535, got 'eighty'")) {
            try ConfigurationLoader.load(file: badPort, environment: [:])
        }
        let typo = try write("htp:\n  port: 80\n")
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: typo, environment: [:]) }
        do {
            _ = try ConfigurationLoader.load(file: nil, environment: ["RELAIS_STRUCTURE_TIME_ZONE": "Mars/Olympus"])
            Issue.record("an unknown time zone must be refused")
        } catch let error as ConfigurationError {
            #expect(error.key == "structure.time_zone")
            #expect(error.source == "environment variable RELAIS_STRUCTURE_TIME_ZONE")
        }
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: try write("- a\n- b\n"), environment: [:]) }
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: "/nonexistent.yaml", environment: [:]) }
    }

    @Test func theEvaluationReminderDateMustExistEveryYear() throws {
        // 29 February would be accepted, then fire one year in four only.
        let leap = try write("mail:\n  evaluation_reminder_date: \"02-29\"\n")
        do {
            _ = try ConfigurationLoader.load(file: leap, environment: [:])
            Issue.record("02-29 must be refused")
        } catch let error as ConfigurationError {
            #expect(error.key == "mail.evaluation_reminder_date")
            #expect(error.source == "file \(leap)")
            #expect(error.description.hasPrefix("configuration key 'mail.evaluation_reminder_date' (file \(leap)): '02-29'"))
            #expect(error.reason.contains("choose a day that exists every year"))
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: ["RELAIS_MAIL_EVALUATION_REMINDER_DATE": "02-29"])
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: ["RELAIS_MAIL_EVALUATION_REMINDER_DATE": "02-30"])
        }
        for day in ["02-28", "03-01", "12-31"] {
            #expect(try ConfigurationLoader.load(file: nil, environment: ["RELAIS_MAIL_EVALUATION_REMINDER_DATE": day]).evaluationReminderDate == day)
        }
    }

    @Test func aNonLoopbackAddressNeedsTLSOrTheExplicitSwitch() throws {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: ["RELAIS_HTTP_HOST": "0.0.0.0"])
        }
        let allowed = try ConfigurationLoader.load(file: nil, environment: ["RELAIS_HTTP_HOST": "0.0.0.0",
                                                                             "RELAIS_HTTP_ALLOW_PLAIN_HTTP_ON_LAN": "true"])
        #expect(allowed.httpAllowPlainHTTPOnLAN)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: ["RELAIS_HTTP_TLS_CERTIFICATE_FILE": "/etc/cert.pem"])
        }
    }

    @Test func instrumentSettingsAreKeptForTheInstrumentLoader() throws {
        let file = try write("instruments:\n  fagerstrom:\n    band_scheme: heatherton_1991\n  co:\n    parameters:\n      abstinence_threshold_ppm: 6\n")
        let config = try ConfigurationLoader.load(file: file, environment: [:])
        #expect(config.instrumentSettings == ["fagerstrom.band_scheme": "heatherton_1991", "co.parameters.abstinence_threshold_ppm": "6"])
    }

    @Test func anHTTPSPublicAddressMakesCookiesSecure() throws {
        let config = try ConfigurationLoader.load(file: nil, environment: ["RELAIS_HTTP_PUBLIC_BASE_URL": "https://relais.example.org/"])
        #expect(config.secureCookies)
        #expect(config.effectivePublicBaseURL == "https://relais.example.org")
    }

    @Test func theLetterheadIsTheStructuresAddressLineByLineAndItsPhone() throws {
        let file = try write("structure:\n  address: |\n    CSAPA Nord\n    12 rue de la Paix\n    59000 Lille\n  phone: 03 20 00 00 00\n")
        let config = try ConfigurationLoader.load(file: file, environment: [:])
        #expect(config.structureAddress == "CSAPA Nord\n12 rue de la Paix\n59000 Lille" && config.structurePhone == "03 20 00 00 00")
        let environment = try ConfigurationLoader.load(file: nil, environment: ["RELAIS_STRUCTURE_PHONE": "+33 3 20 00 00 00"])
        #expect(environment.structurePhone == "+33 3 20 00 00 00" && environment.structureAddress == nil)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: nil, environment: ["RELAIS_STRUCTURE_PHONE": "03 20\n00"]) }
    }

    @Test func theSenderFollowsTheRuleOfTheTransports() throws {
        for address in ["rélais@example.org", "relais example.org", "relais@exemplé.fr"] {
            let error = try #require(throws: ConfigurationError.self, "\(address)") {
                try ConfigurationLoader.validate(try ConfigurationLoader.load(file: nil, environment: ["RELAIS_MAIL_FROM": address]))
            }
            #expect(error.key == "mail.from")
        }
        // The embedded default, a local sender, is deliverable.
        try ConfigurationLoader.validate(try ConfigurationLoader.load(file: nil, environment: [:]))
    }

    @Test func linksNameThePublicAddressElseTheAddressServedElseTheListeningOne() throws {
        let folder = NSTemporaryDirectory() + "relais-served-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = Configuration()
        config.dataDir = folder
        #expect(ServedAddress.read(dataDir: folder) == nil)
        #expect(config.recordedLinkBaseURL == "http://127.0.0.1:8080")
        try ServedAddress.record(ServedAddress.url(tls: false, host: "127.0.0.1", port: 41234), dataDir: folder)
        #expect(try String(contentsOfFile: folder + "/served-address", encoding: .utf8) == "http://127.0.0.1:41234\n")
        #expect(config.recordedLinkBaseURL == "http://127.0.0.1:41234")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["served-address"], "no temporary file left")
        config.publicBaseURL = "https://relais.example.org/"
        #expect(config.recordedLinkBaseURL == "https://relais.example.org")
        #expect(ServedAddress.url(tls: true, host: "::1", port: 8443) == "https://[::1]:8443")
        for url in ["http://127.0.0.1:8080", "http://localhost:8080", "https://[::1]:8443", "http://0.0.0.0:8080", "http://[::]:8080"] {
            #expect(ServedAddress.isUnreachableFromOtherMachines(url), "\(url)")
        }
        for url in ["https://relais.example.org", "http://192.168.1.20:8080", "https://relais.local"] {
            #expect(!ServedAddress.isUnreachableFromOtherMachines(url), "\(url)")
        }
    }
}
