import Foundation
import Testing

/// Every committed fuzz seed and crash reproducer (Tests/fuzz/corpus, Tests/fuzz/regressions) goes through its entry point without a failure.
@Suite struct FuzzCorpusReplayTests {
    @Test func everySeedAndRegressionInputReplaysCleanly() throws {
        let fuzz = ProcessRunner.repository.appendingPathComponent("Tests/fuzz").path
        let result = try ProcessRunner.run(ProcessRunner.productsDirectory.appendingPathComponent("oauth1-fuzz").path,
                                           ["--tree", fuzz + "/corpus", fuzz + "/regressions"],
                                           environment: ["SWIFT_BACKTRACE": "enable=no"], timeout: 120)
        let lastInput = result.stderr.split(separator: "\n").last.map(String.init) ?? "none"
        #expect(result.status == 0, "the replay stopped at: \(lastInput)\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.hasPrefix("replayed "), "\(result.stdout)")
    }
}
