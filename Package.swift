// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "oauth1-fcgi",
    products: [
        .library(name: "ProviderCore", targets: ["ProviderCore"]),
        .library(name: "ProviderStorage", targets: ["ProviderStorage"]),
        .library(name: "FileAndSQLiteStore", targets: ["FileAndSQLiteStore"]),
        .library(name: "PostgreSQLAndRedisStore", targets: ["PostgreSQLAndRedisStore"]),
        .library(name: "OAuth1Gateway", targets: ["OAuth1Gateway"]),
        .executable(name: "oauth1-fcgi", targets: ["oauth1-fcgi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi",
                       providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // Headers only: PostgreSQLAndRedisStore loads libpq and hiredis with dlopen on first use, so a process that uses
        // neither never maps them (nor libpq's Kerberos, LDAP and TLS libraries).
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(name: "ProviderCore", dependencies: ["COpenSSL"]),
        // The Mustache renderer of the HTML pages: the standard library only, so the binary links no Foundation for it.
        .target(name: "PageTemplates"),
        // The store protocols the application sees, the records they hold, and the storage configuration.
        .target(name: "ProviderStorage", dependencies: ["ProviderCore", "COpenSSL"]),
        // The embedded backend: SQLite in the data directory, and the nonce table.
        .target(name: "FileAndSQLiteStore", dependencies: ["ProviderStorage", "ProviderCore", "CSQLite", "COpenSSL"]),
        // The backend for several hosts: PostgreSQL for durable data, Redis for nonces and temporary credentials.
        .target(name: "PostgreSQLAndRedisStore", dependencies: ["ProviderStorage", "ProviderCore", "CLibPQ", "CHiredis"]),
        // The gateway (CGI and FastCGI), the application's routes and pages, and the configuration.
        .target(name: "OAuth1Gateway",
                dependencies: ["ProviderStorage", "FileAndSQLiteStore", "PostgreSQLAndRedisStore", "ProviderCore", "CFastCGI",
                               "PageTemplates"],
                // Templates/ links to www/templates: the shipped pages are compiled into the binary,
                // so a CGI install is one file; OAUTH1_TEMPLATES overrides them one by one.
                resources: [.embedInCode("Templates")]),
        // The binary: chooses CGI, FastCGI worker or an admin command, and runs the `serve` supervisor.
        .executableTarget(name: "oauth1-fcgi",
                          dependencies: ["OAuth1Gateway", "ProviderStorage", "FileAndSQLiteStore", "ProviderCore",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "ProviderCoreTests", dependencies: ["ProviderCore", "COpenSSL"],
                    exclude: ["Fixtures"]),
        .executableTarget(name: "StoreRaceHelper", dependencies: ["ProviderStorage", "FileAndSQLiteStore"], path: "Tests/StoreRaceHelper"),
        .testTarget(name: "FileAndSQLiteStoreTests", dependencies: ["ProviderStorage", "FileAndSQLiteStore", "StoreRaceHelper"],
                    exclude: ["Fixtures"]),
        // Throwaway PostgreSQL and Redis servers on unix sockets in temporary directories, for any test target.
        .target(name: "TestServers", path: "Tests/TestServers"),
        // One behaviour suite run against every backend (TestBackend.available).
        .testTarget(name: "StoreBehaviourTests",
                    dependencies: ["ProviderStorage", "FileAndSQLiteStore", "PostgreSQLAndRedisStore", "ProviderCore", "TestServers"]),
        // The fuzz harness (Tests/fuzz/README.md): a normal build replays saved inputs, `make fuzz` builds it with ASan,
        // libFuzzer and -DFUZZING.
        .executableTarget(name: "oauth1-fuzz", dependencies: ["OAuth1Gateway", "ProviderCore", "ProviderStorage", "PageTemplates"],
                          path: "Tests/fuzz/Harness",
                          swiftSettings: [.enableExperimentalFeature("Extern")]),
        // Unit tests of the gateway and application; the end-to-end ones run the oauth1-fcgi and oauth1-fuzz binaries
        // from the build products directory (`swift build --build-tests` builds them).
        .testTarget(name: "OAuth1GatewayTests", dependencies: ["OAuth1Gateway", "ProviderStorage", "FileAndSQLiteStore", "ProviderCore", "TestServers"],
                    exclude: ["Fixtures"]),
        // The renderer's rules, one by one; the pages it renders are checked against fixtures in OAuth1GatewayTests.
        .testTarget(name: "PageTemplatesTests", dependencies: ["PageTemplates"]),
    ],
    swiftLanguageModes: [.v6]
)
