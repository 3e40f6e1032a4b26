// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "relais",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "relais", targets: ["relais"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Pure domain: roles, instruments, scoring, planning. Imports nothing of the project.
        .target(name: "RelaisDomain"),

        // GNU libmicrohttpd (Debian libmicrohttpd-dev) and a thin safe Swift wrapper.
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .target(name: "HTTPServer", dependencies: [
            "CMicroHTTPD",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // libsodium (Debian libsodium-dev): argon2id password hashes, random tokens, SHA-256.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),

        // SQLite through GRDB: schema, migrations, accounts, audit log.
        .target(name: "RelaisStore", dependencies: [
            "RelaisDomain", "CSodium",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        // The application's actions (use cases), shared by the API, the pages and the CLI: each
        // checks the permission, validates, and writes its fact with audit and outbox rows.
        .target(name: "RelaisUseCases", dependencies: ["RelaisDomain", "RelaisStore", "RelaisConfig"]),

        // Files a reader or a crash never sees half of (temporary, synced, renamed): the maildir,
        // the SMS spool and the served-address file.
        .target(name: "DurableFiles"),

        // libcurl (Debian libcurl4-openssl-dev) for SMTP, and the mail transports behind one protocol.
        // Its headers only: the shim opens libcurl when the first mail goes through SMTP.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // One libcurl transfer with the options every Relais transfer shares (SMTP, Kannel).
        .target(name: "CurlEasy", dependencies: ["CCurl"]),
        // The domain gives them the rule of a deliverable address and the codes of failures.
        .target(name: "RelaisMail", dependencies: ["CCurl", "CurlEasy", "DurableFiles", "RelaisDomain"]),

        // SMS and their transports: a spool folder (the default), a Kannel gateway through libcurl.
        .target(name: "RelaisSMS", dependencies: ["CCurl", "CurlEasy", "DurableFiles", "RelaisDomain"]),

        // The reminder sender: mail and SMS templates, message composition, the sweep over the outbox.
        .target(name: "RelaisSender", dependencies: [
            "RelaisDomain", "RelaisStore", "RelaisMail", "RelaisSMS",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Configuration: embedded defaults, YAML file, environment overrides.
        .target(name: "RelaisConfig", dependencies: [
            "RelaisDomain", "DurableFiles",
            .product(name: "Yams", package: "Yams"),
        ]),

        // cmark-gfm (Debian libcmark-gfm-dev, -extensions-dev): the session guides, Markdown with tables, as HTML.
        .systemLibrary(name: "CCMark", pkgConfig: "libcmark-gfm", providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),

        // The yearly evaluation outside the web: a scope's report as JSON, CSV files and HTML (templates, SVG charts, strings).
        .target(name: "RelaisReports", dependencies: [
            "RelaisDomain", "RelaisStore",
            .product(name: "Mustache", package: "swift-mustache"),
        ], resources: [.copy("Templates"), .copy("Locales"),
                       .copy("../RelaisWeb/Static/relais.css")]),  // the standalone page inlines the site's one stylesheet

        // Web pages and JSON API handlers.
        .target(name: "RelaisWeb", dependencies: [
            "RelaisDomain", "RelaisStore", "RelaisUseCases", "RelaisConfig", "RelaisReports", "HTTPServer", "CCMark",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Templates"), .copy("Locales"), .copy("Static"), .copy("OpenAPI")]),

        // The `relais` executable: wires everything, one subcommand per operator task.
        .executableTarget(name: "relais", dependencies: [
            "RelaisDomain", "RelaisStore", "RelaisUseCases", "RelaisConfig", "RelaisReports", "RelaisWeb", "HTTPServer", "RelaisMail", "RelaisSMS",
            "RelaisSender",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], linkerSettings: [
            // Release, for the memory an idle daemon maps (see `make bench`): lld packs the
            // ~100,000 relative relocations of a PIE (2.3 MB of .rela.dyn, read at every start)
            // into a few kB (DT_RELR, glibc 2.36+), and the executable's ~20,000 symbols are not
            // exported to the dynamic linker (1 MB of tables it searched; nothing loads them).
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                         .when(configuration: .release)),
        ]),

        // `make bench`: the sweep over a million enrolments (numbers printed, never asserted in tests).
        .executableTarget(name: "relais-sweep-bench", dependencies: [
            "RelaisDomain", "RelaisStore", "RelaisConfig", "RelaisMail", "RelaisSender",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/SweepBench"),

        // `make bench`: the yearly report over 100 programmes of 16 participants.
        .executableTarget(name: "relais-report-bench", dependencies: [
            "RelaisDomain", "RelaisStore", "RelaisConfig", "RelaisReports", "RelaisUseCases",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Benchmarks/ReportBench"),

        .testTarget(name: "RelaisDomainTests", dependencies: ["RelaisDomain", "RelaisTestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: [
            "HTTPServer", "RelaisTestSupport", .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RelaisStoreTests", dependencies: ["RelaisStore", "RelaisDomain"]),
        .testTarget(name: "RelaisSenderTests", dependencies: [
            "RelaisSender", "RelaisStore", "RelaisDomain", "RelaisMail", "RelaisSMS", "RelaisConfig", "RelaisTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "RelaisMailTests", dependencies: ["RelaisMail", "RelaisDomain", "RelaisTestSupport"]),
        .testTarget(name: "RelaisConfigTests", dependencies: ["RelaisConfig", "RelaisDomain"]),
        .testTarget(name: "RelaisWebTests", dependencies: [
            "RelaisWeb", "RelaisUseCases", "RelaisStore", "RelaisConfig", "RelaisDomain", "HTTPServer", "RelaisTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        .testTarget(name: "RelaisReportsTests", dependencies: ["RelaisReports", "RelaisUseCases", "RelaisStore", "RelaisDomain", "RelaisConfig",
                                                         "RelaisTestSupport"]),
        .testTarget(name: "RelaisIntegrationTests", dependencies: ["RelaisTestSupport", "RelaisDomain"]),
        .target(name: "RelaisTestSupport", path: "Tests/Support"),
    ],
    swiftLanguageModes: [.v6]
)
