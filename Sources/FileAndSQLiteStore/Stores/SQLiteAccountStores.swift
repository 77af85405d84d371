import ProviderStorage

/// User accounts in SQLite, with scrypt password hashes.
public typealias SQLiteUserStore = SQLUserStore<SQLiteDatabase>

/// Registered clients in SQLite, cached per process until any process commits to the database (`SnapshotCache`).
public typealias SQLiteClientStore = SQLClientStore<SQLiteDatabase>

/// Token credentials in SQLite, cached per process until any process commits to the database (`SnapshotCache`), so a
/// revocation takes effect with its commit.
public typealias SQLiteTokenCredentialStore = SQLTokenCredentialStore<SQLiteDatabase>

/// Temporary credentials in SQLite; authorize and consume are single guarded statements inside immediate transactions,
/// so they are atomic across processes.
public typealias SQLiteTemporaryCredentialStore = SQLTemporaryCredentialStore<SQLiteDatabase>

/// Browser sessions in SQLite, shared by every worker.
public typealias SQLiteSessionStore = SQLSessionStore<SQLiteDatabase>

/// Nonces in SQLite: `nonces.sqlite` (`Schema.nonces`), or `oauth1.sqlite`, whose old `nonces` table has the same
/// columns, to purge what an older binary left there. Purging `nonces.sqlite` scans the table, which has no expiry index.
public typealias SQLiteNonceStore = SQLNonceStore<SQLiteDatabase>
