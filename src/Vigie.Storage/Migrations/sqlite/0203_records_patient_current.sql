-- One patient's current resources of a type (Observation?patient=…&_count=10) counted and paged from the index alone.
-- Without `deleted` in ix_fhir_resources_patient_updated, counting a patient's 184 Observations read 184 table rows
-- (their pages read again from the file after every commit of another connection): sqlite3BtreeTableMoveto and
-- the kernel's file reads were the largest part of a search's CPU (bench/fhir/run.sh, perf). This index serves
-- every query the one it replaces served (the same leading columns).
CREATE INDEX ix_fhir_resources_patient_current ON fhir_resources(patient_id, resource_type, deleted, last_updated, id);
DROP INDEX ix_fhir_resources_patient_updated;
