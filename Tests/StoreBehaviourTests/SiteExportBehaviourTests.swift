import ProviderCore
import ProviderStorage
import Testing

/// A site's export holds what a running site needs and nothing short-lived; a backend that imports gets the same site back.
@Suite struct SiteExportBehaviourTests {
    @Test(arguments: TestBackend.available)
    func exportHoldsTheLiveSiteAndImportsIntoAFreshBackendAsARoundTrip(_ backend: TestBackend) throws {
        let clock = TestClock()
        let seed = try seeded(backend, clock: clock)
        let stores = seed.stores
        let carol = try stores.users.externalUser(username: "carol")
        let jira = try stores.clients.register(name: "Jira", description: "link", ownerUserID: seed.user.id, callbackURIs: ["oob"],
                                               rsaPublicKeyPEM: try rsaCertificatePEM(), allowsTwoLegged: true, requiresBodyHash: true)
        let now = clock.now()
        let live = TokenCredential(token: "live", secret: "live-secret", clientIdentifier: jira.identifier, userID: String(seed.user.id),
                                   scopes: ["read", "write"], createdAt: now - 100, expiresAt: now + 3600)
        try stores.tokenCredentials.save(live)
        try stores.tokenCredentials.recordUse(token: "live", at: now - 10)
        for token in [TokenCredential(token: "revoked", secret: "s", clientIdentifier: "printer", userID: String(carol.id), createdAt: now - 50),
                      TokenCredential(token: "expired", secret: "s", clientIdentifier: "printer", userID: String(carol.id), createdAt: now - 50,
                                      expiresAt: now)] {
            try stores.tokenCredentials.save(token)
        }
        #expect(try stores.tokenCredentials.revoke(token: "revoked"))
        try stores.temporaryCredentials.save(TemporaryCredential(token: "temporary", secret: "s", clientIdentifier: "printer", callback: "oob",
                                                                 expiresAt: now + 600))
        _ = try stores.sessions.create(userID: seed.user.id, lifetime: 3600)

        let exporter = try #require(stores.backend as? any SiteExporting, "every backend exports its site")
        let export = try exporter.exportSite(now: now)
        #expect(export.users.map(\.record) == [seed.user, carol])
        #expect(export.users[0].passwordHash.hasPrefix("scrypt$4$1$1$"))
        #expect(fastHasher.verify("correct horse", against: export.users[0].passwordHash))
        #expect(export.users[1].passwordHash == "external")
        #expect(export.clients.sorted { $0.identifier < $1.identifier } == (try stores.clients.all()).sorted { $0.identifier < $1.identifier })
        #expect(export.clients.contains(jira))
        #expect(export.tokenCredentials == [try #require(try stores.tokenCredentials.tokenCredential(token: "live"))],
                "revoked and expired tokens stay behind")
        #expect(export.tokenCredentials.first?.lastUsedAt == now - 10)
        #expect(export.sessionSigningKey == (try stores.backend.sessionSigningKey()))

        let fresh = try openStores(backend, clock: clock)
        guard let importer = fresh.stores.backend as? any SiteImporting else { return }
        #expect(try importer.isEmpty())
        try importer.importSite(export)
        #expect(try !importer.isEmpty())
        let copy = fresh.stores
        #expect(try (copy.backend as? any SiteExporting)?.exportSite(now: now) == export, "the import is a round trip")
        #expect(try copy.users.authenticate(username: "alice", password: "correct horse") == seed.user)
        #expect(try copy.users.externalUser(username: "carol") == carol)
        #expect(try copy.clients.client(identifier: jira.identifier)?.rsaPublicKey?.bits == 2048)
        #expect(try copy.tokenCredentials.tokenCredential(token: "live") == export.tokenCredentials.first)
        #expect(try copy.tokenCredentials.tokenCredential(token: "revoked") == nil)
        #expect(try copy.temporaryCredentials.temporaryCredential(token: "temporary") == nil, "short-lived state stays behind")
        #expect(try copy.backend.sessionSigningKey() == export.sessionSigningKey)
        let next = try copy.users.create(username: "dave", password: "dave's password")
        #expect(next.id > carol.id, "new ids continue after the imported ones")
        #expect(throws: (any Error).self, "a database that is not empty is refused") { try importer.importSite(export) }
    }
}
