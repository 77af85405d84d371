import Foundation
import OAuth1Gateway
import ProviderCore
import ProviderStorage
import Testing

/// `oauth1-fcgi user passwd` and `user sessions --revoke`: a new password, and every browser session of the user ended.
@Suite struct PasswordCommandTests {
    final class Site {
        let directory: String
        let data: ProviderData
        init() {
            var template = Array((NSTemporaryDirectory() + "/oauth1-passwd-XXXXXX").utf8CString)
            directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            data = ProviderData(dataDirectory: directory + "/data")
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func stores() throws -> ProviderStores { try ProviderStores.open(StorageConfiguration(dataDirectory: directory + "/data")) }
    }

    @Test func passwdSetsTheNewPasswordAndEndsEverySession() throws {
        let site = Site()
        try site.data.addUser("alice", password: "old-password-1")
        let stores = try site.stores()
        let alice = try #require(try stores.users.user(username: "alice"))
        let sessions = try (0..<2).map { _ in try stores.sessions.create(userID: alice.id, lifetime: 3600).identifier }

        let result = try site.data.cli(["user", "passwd", "--username", "alice", "--password-stdin"], stdin: "new-password-2\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ended every session"))
        let reopened = try site.stores()
        #expect(try reopened.users.authenticate(username: "alice", password: "new-password-2")?.id == alice.id)
        #expect(try reopened.users.authenticate(username: "alice", password: "old-password-1") == nil)
        for session in sessions { #expect(try reopened.sessions.session(identifier: session) == nil) }
    }

    @Test func sessionsRevokeEndsThemAndRefusesWithoutTheFlagOrForAnUnknownUser() throws {
        let site = Site()
        try site.data.addUser("bob", password: "bob-password-1")
        let stores = try site.stores()
        let bob = try #require(try stores.users.user(username: "bob"))
        let session = try stores.sessions.create(userID: bob.id, lifetime: 3600).identifier

        let withoutFlag = try site.data.cli(["user", "sessions", "--username", "bob"])
        #expect(withoutFlag.status != 0 && withoutFlag.stderr.contains("pass --revoke"), "\(withoutFlag.stderr)")
        #expect(try site.stores().sessions.session(identifier: session) != nil, "nothing happens without --revoke")

        let unknown = try site.data.cli(["user", "sessions", "--username", "nobody", "--revoke"])
        #expect(unknown.status != 0 && unknown.stderr.contains("there is no user nobody"), "\(unknown.stderr)")
        let noPassword = try site.data.cli(["user", "passwd", "--username", "bob"])
        #expect(noPassword.status != 0 && noPassword.stderr.contains("--password-stdin"), "\(noPassword.stderr)")

        let revoked = try site.data.cli(["user", "sessions", "--username", "bob", "--revoke"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try site.stores().sessions.session(identifier: session) == nil)
        #expect(try site.stores().users.authenticate(username: "bob", password: "bob-password-1") != nil, "the password stays")
    }
}
