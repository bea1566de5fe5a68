-- Patient-record gateway: FHIR resources (encrypted), search index (blind), care relationships,
-- break-the-glass grants, record keys, master patient index, audit ledger and its checkpoints.
CREATE TABLE record_keys (
    id INTEGER NOT NULL PRIMARY KEY,
    purpose TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    kek_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE fhir_resources (
    resource_type TEXT NOT NULL,
    id TEXT NOT NULL,
    version_id INTEGER NOT NULL,
    last_updated TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    patient_id TEXT NULL,
    establishment_id TEXT NULL,
    confidentiality TEXT NOT NULL,
    sensitivity TEXT NULL,
    key_id INTEGER NOT NULL,
    content BLOB NULL,
    PRIMARY KEY (resource_type, id)
);
CREATE INDEX ix_fhir_resources_patient ON fhir_resources(patient_id, resource_type);
CREATE INDEX ix_fhir_resources_updated ON fhir_resources(resource_type, last_updated);

CREATE TABLE fhir_resource_versions (
    resource_type TEXT NOT NULL,
    id TEXT NOT NULL,
    version_id INTEGER NOT NULL,
    last_updated TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    patient_id TEXT NULL,
    confidentiality TEXT NOT NULL,
    sensitivity TEXT NULL,
    key_id INTEGER NOT NULL,
    content BLOB NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (resource_type, id, version_id)
);

CREATE TABLE fhir_search_index (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    param TEXT NOT NULL,
    token BLOB NULL,
    low INTEGER NULL,
    high INTEGER NULL
);
CREATE INDEX ix_fhir_search_index_token ON fhir_search_index(resource_type, param, token);
CREATE INDEX ix_fhir_search_index_resource ON fhir_search_index(resource_type, resource_id);

CREATE TABLE care_relationships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL,
    practitioner_id TEXT NULL,
    establishment_id TEXT NULL,
    source_type TEXT NOT NULL,
    source_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    start_at TEXT NULL,
    end_at TEXT NULL
);
CREATE INDEX ix_care_relationships_patient ON care_relationships(patient_id);
CREATE INDEX ix_care_relationships_source ON care_relationships(source_type, source_id);

CREATE TABLE break_glass_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    justification TEXT NOT NULL,
    patient_establishment_id TEXT NULL
);
CREATE INDEX ix_break_glass_grants_user ON break_glass_grants(user_id, patient_id);

CREATE TABLE patient_identities (
    patient_id TEXT NOT NULL PRIMARY KEY,
    national_id TEXT NOT NULL,
    trust TEXT NOT NULL,
    establishment_id TEXT NULL,
    vip INTEGER NOT NULL,
    employee INTEGER NOT NULL,
    deceased INTEGER NOT NULL,
    family_hashes TEXT NULL,
    address_hashes TEXT NULL,
    blocking_keys TEXT NULL,
    merged_into TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ix_patient_identities_national_id ON patient_identities(national_id);

CREATE TABLE audit_ledger (
    seq INTEGER NOT NULL PRIMARY KEY,
    time_us INTEGER NOT NULL,
    request_id TEXT NULL,
    client_address TEXT NULL,
    user_id TEXT NULL,
    user_name TEXT NULL,
    user_roles TEXT NULL,
    user_establishment TEXT NULL,
    user_profession TEXT NULL,
    patient_id TEXT NULL,
    patient_ref TEXT NULL,
    patient_establishment TEXT NULL,
    action TEXT NOT NULL,
    resource_type TEXT NULL,
    resource_id TEXT NULL,
    query TEXT NULL,
    status INTEGER NOT NULL,
    decision TEXT NOT NULL,
    reasons TEXT NULL,
    purpose TEXT NULL,
    break_glass INTEGER NOT NULL,
    justification TEXT NULL,
    care_relationship TEXT NULL,
    privacy_flags INTEGER NOT NULL,
    policy_version TEXT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    forwarded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_audit_ledger_patient ON audit_ledger(patient_id, seq);
CREATE INDEX ix_audit_ledger_pending ON audit_ledger(forwarded, seq);

CREATE TABLE audit_checkpoints (
    seq INTEGER NOT NULL PRIMARY KEY,
    hash BLOB NOT NULL,
    previous_seq INTEGER NOT NULL,
    signed_at_us INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    signature BLOB NOT NULL
);
