@testable import PostgreSQLAndRedisStore
import Testing

/// Loading a client library: a missing library or function is an error that names the Debian package to install.
@Suite struct ClientLibraryTests {
    @Test func missingLibraryNamesThePackage() {
        #expect {
            _ = try ClientLibrary(fileNames: ["libabsent-oauth1-test.so.7", "libabsent-oauth1-test.so"], package: "libabsent7",
                                  purpose: "Absent")
        } throws: { error in
            let text = String(describing: error)
            return error is ClientLibraryUnavailableError && text.hasPrefix("Absent needs libabsent-oauth1-test.so.7 or libabsent-oauth1-test.so")
                && text.hasSuffix("install the Debian package libabsent7")
        }
    }

    @Test func missingFunctionNamesThePackage() throws {
        let library = try ClientLibrary(fileNames: ["libpq.so.5"], package: "libpq5", purpose: "PostgreSQL")
        #expect {
            let _: @convention(c) () -> Void = try library.function("PQabsentFunction")
        } throws: { error in
            String(describing: error) == "libpq.so.5 has no function PQabsentFunction; install a current version of the Debian package libpq5"
        }
    }

    @Test func bothLibrariesLoad() throws {
        _ = try LibPQ.load()
        _ = try LibHiredis.load()
    }
}
