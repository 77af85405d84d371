import CSQLite
import ProviderCore

/// Facts about the storage layer; the SQLite and file-cache stores arrive with their own issue.
public enum StoreVersion {
    /// The version of the SQLite library linked into this binary.
    public static var sqliteLibraryVersion: String { String(cString: sqlite3_libversion()) }
}
