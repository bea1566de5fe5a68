-- Establishments, users, roles, collectors, security events.
CREATE TABLE establishments (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    parent_id TEXT NULL REFERENCES establishments(id),
    time_zone TEXT NOT NULL,
    retention_days INTEGER NOT NULL DEFAULT 400,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ix_establishments_code ON establishments(code);

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NULL,
    source TEXT NOT NULL,
    password_hash TEXT NULL,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    profession TEXT NULL,
    practitioner_id TEXT NULL,
    patient_id TEXT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NULL,
    totp_secret_protected TEXT NULL,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    recovery_code_hashes TEXT NULL,
    last_totp_step INTEGER NOT NULL DEFAULT 0,
    security_stamp TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'fr',
    created_at TEXT NOT NULL,
    last_sign_in_at TEXT NULL
);
CREATE UNIQUE INDEX ix_users_username ON users(username);
CREATE INDEX ix_users_establishment_id ON users(establishment_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE collectors (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    key_hash TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT NULL,
    last_seen_at TEXT NULL
);
CREATE UNIQUE INDEX ix_collectors_name ON collectors(name);
CREATE UNIQUE INDEX ix_collectors_key_hash ON collectors(key_hash);

CREATE TABLE security_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    type INTEGER NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT NULL,
    target TEXT NULL,
    establishment_id TEXT NULL,
    source_address TEXT NULL,
    details TEXT NULL,
    forwarded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_security_events_time ON security_events(time);
CREATE INDEX ix_security_events_pending ON security_events(forwarded, id);
