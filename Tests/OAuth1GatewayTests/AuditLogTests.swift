import Foundation
import OAuth1Gateway
import Testing

/// The audit trail's lines: one JSON object each, a token only as a fingerprint.
@Suite struct AuditLogTests {
    @Test func aLineNamesTheEventAndFingerprintsTheToken() throws {
        let token = "tok-" + String(repeating: "x", count: 40)
        let line = AuditLog.line(.tokenRevoked, at: 1_700_000_000, user: "7", client: "printer", address: "192.0.2.1", token: token)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object == ["time": "2023-11-14T22:13:20Z", "event": "token_revoked", "user": "7", "client": "printer",
                           "address": "192.0.2.1", "token_fingerprint": AuditLog.fingerprint(token: token)])
        #expect(AuditLog.fingerprint(token: token).count == 12 && AuditLog.fingerprint(token: token).allSatisfy(\.isHexDigit))
        #expect(!line.contains(token) && !line.contains("\n"))
        #expect(AuditLog.line(.signInFailed, at: 0, address: "a\"b") == #"{"time": "1970-01-01T00:00:00Z", "event": "sign_in_failed", "address": "a\"b"}"#)
    }

    @Test func linesAreAppendedToTheFileTheSettingNames() throws {
        let path = NSTemporaryDirectory() + "/oauth1-audit-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trail = AuditLog(destination: .file(path))
        trail.record(.clientRegistered, at: 1, user: "1", client: "a")
        trail.record(.clientDeleted, at: 2, user: "1", client: "a")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("client_registered") && lines[1].contains("client_deleted"))
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o077 == 0, "the file is the owner's only")
    }
}
