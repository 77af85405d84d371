import Foundation
import Testing

/// The executable builds, links ProviderCore, OpenSSL and SQLite, and runs.
@Suite struct ExecutableTests {
    static var binary: URL {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("oauth1-fcgi")
    }

    @Test func binaryStartsAndReportsItsLibraries() throws {
        let process = Process()
        process.executableURL = Self.binary
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(text.contains("SQLite 3."))
    }
}
