-- Privacy index: every access to a patient's record (patient pseudonymised), for investigations and baselines.
CREATE TABLE privacy_accesses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user_name TEXT NOT NULL,
    patient_pseudonym TEXT NULL,
    organization TEXT NULL,
    establishment_id TEXT NULL REFERENCES establishments(id),
    action TEXT NOT NULL,
    decision TEXT NULL,
    purpose TEXT NULL,
    break_glass INTEGER NOT NULL DEFAULT 0,
    care_relationship TEXT NULL,
    source_address TEXT NULL,
    risk_score INTEGER NULL,
    facts TEXT NULL,
    event_ref TEXT NULL
);
CREATE INDEX ix_privacy_accesses_user_name_time ON privacy_accesses(user_name, time);
CREATE INDEX ix_privacy_accesses_patient_pseudonym_time ON privacy_accesses(patient_pseudonym, time);
CREATE INDEX ix_privacy_accesses_time ON privacy_accesses(time);
