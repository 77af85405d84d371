import FileAndSQLiteStore
import ProviderStorage
import Testing

/// The store layer's link to SQLite; the stores themselves and their tests arrive with the storage issue.
@Suite struct SQLiteLibraryTests {
    /// WAL, `RETURNING` and `INSERT ... ON CONFLICT DO NOTHING` need SQLite 3.35 or later.
    @Test func linkedSQLiteIsRecentEnough() throws {
        let parts = SQLiteDatabase.libraryVersion.split(separator: ".").compactMap { Int($0) }
        try #require(parts.count >= 2)
        #expect(parts[0] > 3 || (parts[0] == 3 && parts[1] >= 35))
    }
}
