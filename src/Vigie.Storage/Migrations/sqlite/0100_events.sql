-- Collection: the event store, idempotent batches, detection cursors, Sigma rules and detections.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    establishment_id TEXT NOT NULL,
    dataset TEXT NULL,
    kind TEXT NULL,
    action TEXT NULL,
    outcome TEXT NULL,
    host_name TEXT NULL,
    user_name TEXT NULL,
    source_ip TEXT NULL,
    destination_ip TEXT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX ix_events_ts ON events(ts);
CREATE INDEX ix_events_establishment_ts ON events(establishment_id, ts);
CREATE INDEX ix_events_dataset_ts ON events(dataset, ts);
CREATE INDEX ix_events_user_name_ts ON events(user_name, ts) WHERE user_name IS NOT NULL;
CREATE INDEX ix_events_source_ip_ts ON events(source_ip, ts) WHERE source_ip IS NOT NULL;
CREATE INDEX ix_events_host_name_ts ON events(host_name, ts) WHERE host_name IS NOT NULL;

CREATE TABLE ingest_batches (
    collector TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    events INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (collector, idempotency_key)
);

CREATE TABLE event_cursors (
    name TEXT NOT NULL PRIMARY KEY,
    last_id INTEGER NOT NULL
);

CREATE TABLE detection_rules (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    logsource TEXT NOT NULL,
    tags TEXT NOT NULL,
    yaml TEXT NOT NULL,
    source_path TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE detections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id TEXT NOT NULL,
    rule_title TEXT NOT NULL,
    level TEXT NOT NULL,
    tags TEXT NOT NULL,
    event_id INTEGER NULL,
    event_time TEXT NOT NULL,
    establishment_id TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    correlation INTEGER NOT NULL DEFAULT 0,
    group_values TEXT NULL,
    event_count INTEGER NULL
);
CREATE UNIQUE INDEX ix_detections_rule_event ON detections(rule_id, event_id);
CREATE INDEX ix_detections_event_time ON detections(event_time);
CREATE INDEX ix_detections_establishment_time ON detections(establishment_id, event_time);
CREATE INDEX ix_detections_rule_time ON detections(rule_id, event_time);
