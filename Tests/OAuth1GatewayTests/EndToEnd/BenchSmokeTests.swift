import Foundation
import Testing

/// A few-second run of `make bench` (bench/run.py --smoke) against the binary under test: every target answers with
/// only 2xx, and the ratio lines are printed. Speed itself is judged by `make bench`, never here.
@Suite(.serialized) struct BenchSmokeTests {
    @Test func benchSmokeRunsCleanly() throws {
        let result = try ProcessRunner.run("/usr/bin/python3", [
            ProcessRunner.repository.appendingPathComponent("bench/run.py").path, "--smoke", "--binary", ProcessRunner.binary, "--json", "",
        ], timeout: 240)
        #expect(result.status == 0, "\(result.stdout.suffix(3000))\n\(result.stderr.suffix(3000))")
        #expect(result.stdout.contains(/(?m)^ratio protected\/floor: [0-9]+\.[0-9]{2}$/), "\(result.stdout.suffix(2000))")
        #expect(result.stdout.contains(/(?m)^ratio rsa\/floor: [0-9]+\.[0-9]{2}$/))
    }
}
