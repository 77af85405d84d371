import Foundation
import Testing

/// Every test the documents cite as `Suite.function` exists, so moving or renaming a test cannot leave a doc pointing at nothing.
@Suite struct DocumentationReferenceTests {
    @Test func everyCitedTestExists() throws {
        let repository = ProcessRunner.repository
        let documents = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 })
        var sources = ""
        let enumerator = try #require(FileManager.default.enumerator(atPath: repository.appendingPathComponent("Tests").path))
        for case let path as String in enumerator where path.hasSuffix(".swift") {
            sources += try String(contentsOf: repository.appendingPathComponent("Tests/" + path), encoding: .utf8)
        }
        var cited = 0
        for document in documents {
            let text = try String(contentsOf: repository.appendingPathComponent(document), encoding: .utf8)
            for match in text.matches(of: /`([A-Z][A-Za-z]+Tests)\.([a-z][A-Za-z]+)`/) {
                let suite = String(match.1), function = String(match.2)
                if function == "swift" { continue }  // a file name, such as `BaseStringReferenceTests.swift`
                cited += 1
                let suiteExists = sources.contains("struct \(suite)"), functionExists = sources.contains("func \(function)(")
                #expect(suiteExists, "\(document) cites \(suite), which no test file defines")
                #expect(functionExists, "\(document) cites \(suite).\(function), which does not exist")
            }
        }
        #expect(cited >= 10)
    }
}
