import Foundation
import Testing
import TestServers

/// The throwaway servers the backends run on: each starts, answers on its socket, stops and starts again.
@Suite struct TestServerTests {
    @Test func postgreSQLServerAnswersStopsAndRestartsOnTheSameSocket() throws {
        let server = try PostgreSQLServer()
        #expect(server.url(database: "db") == "postgresql://oauth1test@/db?host=\(server.socketDirectory)&port=\(server.port)")
        let database = try server.createUniqueDatabase()
        #expect(try server.psql("select 1", database: database) == "1")
        try server.psql("CREATE TABLE kept (value integer); INSERT INTO kept VALUES (42)", database: database)
        let firstPID = try #require(server.pid)

        try server.stop(mode: .immediate)
        #expect(server.pid == nil)
        #expect(throws: TestServerError.self) { try server.psql("select 1", database: database) }

        try server.start()
        let secondPID = try #require(server.pid)
        #expect(secondPID != firstPID)
        #expect(try server.psql("SELECT value FROM kept", database: database) == "42", "the data directory survives a restart")
        try server.stop(mode: .fast)
        #expect(server.pid == nil)
    }

    @Test func sharedPostgreSQLServerGivesEachCallItsOwnDatabase() throws {
        let server = try PostgreSQLServer.shared
        #expect(try PostgreSQLServer.shared === server)
        let first = try server.createUniqueDatabase()
        let second = try server.createUniqueDatabase()
        #expect(first != second)
        try server.psql("CREATE TABLE mine (value integer)", database: first)
        #expect(try server.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'mine'", database: second) == "0")
    }

    @Test func redisServerAnswersStopsAndRestartsOnTheSameSocket() throws {
        let redis = try RedisServer()
        #expect(redis.url(database: 3) == "unix://\(redis.socketPath)?db=3")
        #expect(try redis.cli("ping") == "PONG")
        #expect(try redis.cli("set", "kept", "1") == "OK")
        let firstPID = try #require(redis.pid)

        redis.stop()
        #expect(redis.pid == nil)
        #expect(throws: TestServerError.self) { try redis.cli("ping") }

        try redis.start()
        #expect(try #require(redis.pid) != firstPID)
        #expect(try redis.cli("ping") == "PONG")
        #expect(try redis.cli("exists", "kept") == "0", "nothing is persisted across a restart")
    }

    @Test func sharedRedisServerHandsOutDistinctDatabases() throws {
        let redis = try RedisServer.shared
        #expect(try RedisServer.shared === redis)
        #expect(redis.claimDatabase() != redis.claimDatabase())
        #expect(try redis.cli("ping") == "PONG")
    }
}

