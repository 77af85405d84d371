import Foundation
import Testing

/// A headless Chromium loads the sign-in, consent, verifier, developer portal and connected-applications pages through
/// real nginx and finds no console error, no CSP violation, no framing allowed, nothing wider than a phone, no unreadable
/// contrast; one screenshot per page is kept in .build/page-screenshots/.
@Suite(.serialized) struct PageCheckTests {
    @Test(arguments: ["light", "dark"])
    func pagesRenderCleanlyInChromium(_ scheme: String) throws {
        let server = try ProviderServer(workers: 2)
        defer { server.stop() }
        try server.addUser("demo", password: "demo-password")
        let client = try server.addClient(name: "Demo client")
        let screenshots = ProcessRunner.repository.appendingPathComponent(".build/page-screenshots/\(scheme)").path
        let result = try ProcessRunner.run("/usr/bin/python3", [
            ProcessRunner.repository.appendingPathComponent("Tests/EndToEnd/clients/page_check.py").path,
            "--base", server.base, "--username", "demo", "--password", "demo-password", "--client-key", client.id,
            "--client-secret", client.secret, "--screenshots", screenshots, "--color-scheme", scheme,
        ], timeout: 180)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let pages = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["pages"] as? [[String: Any]]
        #expect(pages?.count == 7, "\(result.stdout)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: screenshots)) ?? []
        #expect(files.filter { $0.hasSuffix(".png") }.count == 7)
    }
}
