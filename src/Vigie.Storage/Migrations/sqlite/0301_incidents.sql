-- Incidents: cases with tasks, observables, timeline, comments, notifications, evidence with chain of custody; playbooks.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NULL,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    tlp TEXT NOT NULL,
    pap TEXT NOT NULL,
    establishment_id TEXT NOT NULL REFERENCES establishments(id),
    assignee_id TEXT NULL REFERENCES users(id),
    playbook TEXT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    first_activity_at TEXT NULL,
    detected_at TEXT NULL,
    contained_at TEXT NULL,
    closed_at TEXT NULL,
    closing_reason TEXT NULL,
    merged_into_id INTEGER NULL REFERENCES incidents(id),
    qualified_at TEXT NULL,
    qualified_by TEXT NULL,
    qualification_json TEXT NULL,
    personal_data INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_incidents_establishment_id ON incidents(establishment_id, id);
CREATE INDEX ix_incidents_status ON incidents(status, id);

CREATE TABLE incident_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    phase TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NULL,
    status TEXT NOT NULL,
    done_by TEXT NULL,
    done_at TEXT NULL,
    note TEXT NULL,
    playbook TEXT NULL
);
CREATE INDEX ix_incident_tasks_incident_id ON incident_tasks(incident_id, position);

CREATE TABLE incident_observables (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    sightings INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ix_incident_observables_incident_id_kind_value ON incident_observables(incident_id, kind, value);
CREATE INDEX ix_incident_observables_value ON incident_observables(kind, value);

CREATE TABLE incident_timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT NULL,
    text TEXT NOT NULL
);
CREATE INDEX ix_incident_timeline_incident_id ON incident_timeline(incident_id, time);

CREATE TABLE incident_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT NULL,
    text TEXT NOT NULL
);
CREATE INDEX ix_incident_comments_incident_id ON incident_comments(incident_id, id);

CREATE TABLE incident_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    regulation TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    reference TEXT NULL
);
CREATE INDEX ix_incident_notifications_incident_id ON incident_notifications(incident_id);

CREATE TABLE incident_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX ix_incident_evidence_incident_id ON incident_evidence(incident_id);

CREATE TABLE evidence_custody (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    evidence_id INTEGER NOT NULL REFERENCES incident_evidence(id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT NULL,
    actor_address TEXT NULL,
    action TEXT NOT NULL,
    detail TEXT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX ix_evidence_custody_evidence_id ON evidence_custody(evidence_id, id);

CREATE TABLE playbooks (
    id TEXT NOT NULL PRIMARY KEY,
    yaml TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
