-- Schema version 1 of oauth1-fcgi, exactly as its first migration creates it (copied from Schema.swift when version 2 was added).
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    callback_uris TEXT NOT NULL DEFAULT '',
    rsa_public_key TEXT,
    two_legged INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE temporary_credentials (
    token TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    callback TEXT NOT NULL,
    requested_scopes TEXT NOT NULL DEFAULT '',
    granted_scopes TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    verifier TEXT,
    expires_at INTEGER NOT NULL
);
CREATE INDEX temporary_credentials_expiry ON temporary_credentials(expires_at);
CREATE TABLE token_credentials (
    token TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scopes TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER,
    expires_at INTEGER
);
CREATE INDEX token_credentials_user ON token_credentials(user_id);
CREATE INDEX token_credentials_client ON token_credentials(client_id);
CREATE TABLE nonces (
    client_id TEXT NOT NULL,
    token TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, token, timestamp, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_expiry ON nonces(expires_at);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A database as schema version 1 left it, with one of everything, for the migration test.
INSERT INTO users (id, username, password_hash, created_at) VALUES (1, 'legacy-user', 'scrypt$10$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 1600000000);
INSERT INTO clients (client_id, secret, name, description, owner_user_id, callback_uris, rsa_public_key, two_legged, created_at, disabled)
  VALUES ('legacy-client', 'legacy-secret', 'Legacy Client', 'made by schema v1', 1, 'https://legacy.example.com/cb', NULL, 1, 1600000000, 0);
INSERT INTO token_credentials (token, secret, client_id, user_id, scopes, created_at, last_used_at, revoked_at, expires_at)
  VALUES ('legacy-token', 'legacy-token-secret', 'legacy-client', 1, 'read', 1600000000, NULL, NULL, NULL);
INSERT INTO nonces (client_id, token, timestamp, nonce, expires_at) VALUES ('legacy-client', 'legacy-token', 1600000000, 'legacy-nonce', 1600000600);
INSERT INTO meta (key, value) VALUES ('last_purge', '1600000000');
PRAGMA user_version = 1;
