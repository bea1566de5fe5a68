-- The outboxes' pending entries (the ledger's and the security events' not yet forwarded), found through a partial
-- index that holds only them. EF writes the condition as `NOT forwarded`, which SQLite cannot look up in an index on
-- (forwarded, seq): each forwarding pass scanned the whole ledger from its first entry, every second even when
-- idle, so the cost of a pass grew with the ledger (36,000 entries read to forward 500 after a 10 s benchmark).
CREATE INDEX ix_audit_ledger_unforwarded ON audit_ledger(seq) WHERE NOT forwarded;
DROP INDEX ix_audit_ledger_pending;
CREATE INDEX ix_security_events_unforwarded ON security_events(id) WHERE NOT forwarded;
DROP INDEX ix_security_events_pending;
