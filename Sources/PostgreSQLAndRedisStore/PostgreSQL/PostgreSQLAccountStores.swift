import ProviderStorage

/// User accounts in PostgreSQL, with scrypt password hashes.
public typealias PostgreSQLUserStore = SQLUserStore<PostgreSQLDatabase>

/// Registered clients in PostgreSQL, cached per process while the database's cache version is unchanged
/// (`VersionedCache`), so a disabled client or a new secret takes effect on every host at its next request.
public typealias PostgreSQLClientStore = SQLClientStore<PostgreSQLDatabase>

/// Token credentials in PostgreSQL, cached per process while the database's cache version is unchanged
/// (`VersionedCache`); a revocation bumps it, a recorded use does not (it happens on every host all the time).
public typealias PostgreSQLTokenCredentialStore = SQLTokenCredentialStore<PostgreSQLDatabase>

/// Temporary credentials in PostgreSQL, when Redis does not hold them.
public typealias PostgreSQLTemporaryCredentialStore = SQLTemporaryCredentialStore<PostgreSQLDatabase>

/// Browser sessions in PostgreSQL, shared by every host.
public typealias PostgreSQLSessionStore = SQLSessionStore<PostgreSQLDatabase>

/// Nonces in PostgreSQL, when Redis does not hold them: one round trip per signed request.
public typealias PostgreSQLNonceStore = SQLNonceStore<PostgreSQLDatabase>
