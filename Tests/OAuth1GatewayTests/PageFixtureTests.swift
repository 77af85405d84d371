@testable import OAuth1Gateway
import Foundation
import Testing

/// Every shipped page, rendered with the contexts of PageFixtureCases, must equal its golden output in Fixtures/pages
/// byte for byte. After a deliberate change to a template or the renderer, rewrite the fixtures with
/// `OAUTH1_REGENERATE_PAGE_FIXTURES=1 swift test --filter PageFixtureTests` and review the diff (Fixtures/README.md).
@Suite struct PageFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pages")

    /// The page as Pages renders it for the case.
    static func rendered(_ fixture: PageFixtureCases.Case) throws -> String {
        let response = Pages(overrideDirectory: nil, siteName: PageFixtureCases.siteName).render(fixture.page, fixture.values)
        #expect(response.status == 200, "\(fixture.fileName) did not render")
        return String(decoding: response.body, as: UTF8.self)
    }

    @Test(arguments: PageFixtureCases.all.map(\.fileName))
    func pageMatchesItsFixture(_ fileName: String) throws {
        let fixture = try #require(PageFixtureCases.all.first { $0.fileName == fileName })
        let html = try Self.rendered(fixture)
        let path = Self.directory.appendingPathComponent(fileName).path
        if ProcessInfo.processInfo.environment["OAUTH1_REGENERATE_PAGE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        let expected = try #require(FileManager.default.contents(atPath: path), "no fixture \(fileName)")
        #expect(Array(html.utf8) == Array(expected), "\(fileName) differs from its fixture")
    }

    @Test func everyShippedPageHasAFixtureAndEveryFixtureACase() throws {
        let pages = Set(Pages.shipped.keys).subtracting(["header", "footer"])
        #expect(Set(PageFixtureCases.all.map(\.page)) == pages)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".html") }
        #expect(Set(files) == Set(PageFixtureCases.all.map(\.fileName)))
    }
}
