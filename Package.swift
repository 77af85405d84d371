// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "oauth1-fcgi",
    products: [
        .library(name: "ProviderCore", targets: ["ProviderCore"]),
        .library(name: "FileAndSQLiteStore", targets: ["FileAndSQLiteStore"]),
        .executable(name: "oauth1-fcgi", targets: ["oauth1-fcgi"]),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi",
                       providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "ProviderCore", dependencies: ["COpenSSL"]),
        .target(name: "FileAndSQLiteStore", dependencies: ["ProviderCore", "CSQLite", "COpenSSL"]),
        .executableTarget(name: "oauth1-fcgi",
                          dependencies: ["FileAndSQLiteStore", "ProviderCore", "CFastCGI"]),
        .testTarget(name: "ProviderCoreTests", dependencies: ["ProviderCore"],
                    exclude: ["Fixtures"]),
        .executableTarget(name: "StoreRaceHelper", dependencies: ["FileAndSQLiteStore"], path: "Tests/StoreRaceHelper"),
        .testTarget(name: "FileAndSQLiteStoreTests", dependencies: ["FileAndSQLiteStore", "StoreRaceHelper"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "oauth1-fcgiTests", dependencies: ["oauth1-fcgi"]),
    ],
    swiftLanguageModes: [.v6]
)
