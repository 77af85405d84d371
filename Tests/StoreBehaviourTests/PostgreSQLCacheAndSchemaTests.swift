import Foundation
import PostgreSQLAndRedisStore
import ProviderCore
import ProviderStorage
import Testing
import TestServers

/// PostgreSQL only: how a serving host's caches learn of another host's change (a notification, with no round trip per
/// request), and how the schema is created and upgraded when several hosts start at once.
@Suite struct PostgreSQLCacheAndSchemaTests {
    /// Polls `condition` until it holds or `seconds` have passed; returns whether it held.
    func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(2_000)
        }
        return try condition()
    }

    /// A seeded PostgreSQL site with alice's token, and a second store set that trusts its caches for an hour unless
    /// notified, and has cached the token and the client.
    func notifiedPair() throws -> (seed: Seeded, other: OpenedStores) {
        let seed = try seeded(.postgresql)
        try seed.stores.tokenCredentials.save(TokenCredential(token: "tok", secret: "tok-secret", clientIdentifier: "printer",
                                                              userID: String(seed.user.id), createdAt: 1_700_000_000))
        let other = try openStores(seed.site, clock: TestClock(), cacheCheckInterval: 3_600_000)
        let second = other.stores
        #expect(try second.backend.lookups.lookUp { try second.tokenCredentials.tokenCredential(token: "tok")?.isRevoked } == false)
        #expect(try second.backend.lookups.lookUp { try second.clients.client(identifier: "printer")?.isDisabled } == false)
        return (seed, other)
    }

    @Test func aRevocationReachesAHostThatTrustsItsCacheForAnHourThroughTheNotification() throws {
        let (seed, other) = try notifiedPair()
        let second = other.stores
        #expect(try seed.stores.tokenCredentials.revoke(token: "tok"))
        #expect(try eventually {
            try second.backend.lookups.lookUp { try second.tokenCredentials.tokenCredential(token: "tok")?.isRevoked } == true
        })
        var record = try #require(try seed.stores.clients.record(identifier: "printer"))
        record.isDisabled = true
        #expect(try seed.stores.clients.update(record))
        #expect(try eventually {
            try second.backend.lookups.lookUp { try second.clients.client(identifier: "printer")?.isDisabled } == true
        })
    }

    @Test func aChangeMadeWithoutTheProviderStillReachesTheCache() throws {
        // An operator's SQL fires the same triggers as the provider's own statements.
        let (seed, other) = try notifiedPair()
        let server = try PostgreSQLServer.shared
        let database = try #require(seed.site.databaseURL.flatMap { URLComponents(string: $0)?.path.dropFirst() })
        try server.psql("UPDATE token_credentials SET revoked_at = 1 WHERE token = 'tok'", database: String(database))
        #expect(try eventually {
            try other.stores.backend.lookups.lookUp { try other.stores.tokenCredentials.tokenCredential(token: "tok")?.isRevoked } == true
        })
    }

    @Test func aConnectionTheServerEndedIsReplacedAtTheNextReadWhichSeesWhatChangedMeanwhile() throws {
        let (seed, other) = try notifiedPair()
        let server = try PostgreSQLServer.shared
        let database = String(try #require(seed.site.databaseURL.flatMap { URLComponents(string: $0)?.path.dropFirst() }))
        // End the second set's session (waiting until its server process is gone), then change the token while it has
        // no connection to be notified on: as after a restart of PostgreSQL.
        try server.psql("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()",
                        database: database)
        try server.psql("UPDATE token_credentials SET scopes = 'write' WHERE token = 'tok'", database: database)
        let scopes = try other.stores.backend.lookups.lookUp { try other.stores.tokenCredentials.tokenCredential(token: "tok")?.scopes }
        #expect(scopes == ["write"], "a new connection, opened without a failed request, starts with empty caches")
        #expect(try seed.stores.tokenCredentials.revoke(token: "tok"), "the first set reconnects as well")
    }

    @Test func severalHostsMigratingAFreshDatabaseAtOnceCreateTheSchemaOnce() throws {
        let server = try PostgreSQLServer.shared
        let database = try server.createUniqueDatabase(prefix: "migrate")
        let url = server.url(database: database)
        // Migrating reads no secret, so the key file is never opened.
        let keyFile = "/nonexistent/secrets.key"
        let versions = concurrently(6) { _ in try PostgreSQLStores(url: url, secretsKeyFile: keyFile, hasher: fastHasher).migrate() }
        let reached = try versions.map { try $0.get() }
        #expect(Set(reached).count == 1 && reached[0] >= 2, "every host reaches the same, current version: \(reached)")
        let recorded = try server.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations", database: database)
        #expect(recorded == (1...reached[0]).map(String.init).joined(separator: ","), "each migration ran once")

        let schema = { try server.psql("""
            SELECT string_agg(name, ',' ORDER BY name) FROM (
                SELECT 'table ' || tablename AS name FROM pg_tables WHERE schemaname = 'public'
                UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
                UNION ALL SELECT 'function ' || proname || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public') AS objects
            """, database: database) }
        let before = try schema()
        let rows = try server.psql("SELECT count(*) FROM schema_migrations", database: database)
        #expect(try PostgreSQLStores(url: url, secretsKeyFile: keyFile, hasher: fastHasher).migrate() == reached[0])
        #expect(try schema() == before, "migrating again changes nothing")
        #expect(try server.psql("SELECT count(*) FROM schema_migrations", database: database) == rows)
    }

    @Test func aDatabaseOfTheFirstSchemaVersionIsUpgradedAndThenNotifies() throws {
        let seed = try seeded(.postgresql)
        let server = try PostgreSQLServer.shared
        let database = String(try #require(seed.site.databaseURL.flatMap { URLComponents(string: $0)?.path.dropFirst() }))
        // Put the database back to version 1: its trigger function bumped the version and sent no notification.
        try server.psql("""
            CREATE OR REPLACE FUNCTION oauth1_bump_cache_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$;
            DELETE FROM schema_migrations WHERE version > 1;
            """, database: database)
        #expect(try server.psql("SELECT max(version) FROM schema_migrations", database: database) == "1")

        let upgraded = try openStores(seed.site, clock: TestClock(), cacheCheckInterval: 3_600_000)
        #expect(try upgraded.stores.backend.schemaVersion() >= 2, "the first connection of a host upgrades the schema")
        try seed.stores.tokenCredentials.save(TokenCredential(token: "tok", secret: "s", clientIdentifier: "printer",
                                                              userID: String(seed.user.id), createdAt: 1_700_000_000))
        let read = { try upgraded.stores.backend.lookups.lookUp { try upgraded.stores.tokenCredentials.tokenCredential(token: "tok")?.isRevoked } }
        #expect(try read() == false)
        #expect(try seed.stores.tokenCredentials.revoke(token: "tok"))
        #expect(try eventually { try read() == true }, "the upgraded trigger notifies")
    }
}
