-- Alerts built from detections: grouping, triage history, detection cursors, suppressions and exceptions.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    rule_level TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    establishment_id TEXT NULL REFERENCES establishments(id),
    entity TEXT NULL,
    group_key TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    techniques TEXT NOT NULL,
    tags TEXT NOT NULL,
    sensitive INTEGER NOT NULL DEFAULT 0,
    risk_score INTEGER NULL,
    explanation TEXT NULL,
    assignee_id TEXT NULL REFERENCES users(id),
    resolution TEXT NULL,
    resolution_reason TEXT NULL,
    incident_id INTEGER NULL,
    created_at TEXT NOT NULL,
    acknowledged_at TEXT NULL,
    closed_at TEXT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_alerts_group_key_status ON alerts(group_key, status);
CREATE INDEX ix_alerts_establishment_id ON alerts(establishment_id, id);
CREATE INDEX ix_alerts_status ON alerts(status, id);
CREATE INDEX ix_alerts_rule_id ON alerts(rule_id);
CREATE INDEX ix_alerts_incident_id ON alerts(incident_id);

CREATE TABLE alert_detections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    detection_id TEXT NOT NULL,
    event_ref TEXT NULL,
    time TEXT NOT NULL,
    fields TEXT NULL,
    risk_score INTEGER NULL,
    facts TEXT NULL
);
CREATE UNIQUE INDEX ix_alert_detections_source_detection_id ON alert_detections(source, detection_id);
CREATE INDEX ix_alert_detections_alert_id ON alert_detections(alert_id);

CREATE TABLE alert_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT NULL,
    actor_address TEXT NULL,
    action TEXT NOT NULL,
    from_status TEXT NULL,
    to_status TEXT NULL,
    text TEXT NULL
);
CREATE INDEX ix_alert_history_alert_id ON alert_history(alert_id, id);

CREATE TABLE alert_cursors (
    source TEXT NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE alert_suppressions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id TEXT NOT NULL,
    entity TEXT NULL,
    establishment_id TEXT NULL REFERENCES establishments(id),
    owner TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT NULL,
    revoked_by TEXT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    last_hit_at TEXT NULL
);

CREATE TABLE alert_filters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    yaml TEXT NOT NULL,
    owner TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT NULL,
    revoked_by TEXT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    last_hit_at TEXT NULL
);
