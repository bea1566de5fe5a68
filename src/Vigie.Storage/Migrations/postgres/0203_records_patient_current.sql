-- One patient's current resources of a type (Observation?patient=…&_count=10) counted and paged from the index, as
-- on SQLite (see the SQLite migration of the same number): `deleted` joins the index, so the count and the newest-
-- first page skip deleted versions without reading the table. It serves every query the index it replaces served.
CREATE INDEX ix_fhir_resources_patient_current ON fhir_resources(patient_id, resource_type, deleted, last_updated, id);
DROP INDEX ix_fhir_resources_patient_updated;
