-- One patient's resources of a type, newest first (Observation?patient=…&_count=10): read in the order of this
-- index instead of walking every patient's resources of that type by date (the planner's choice with the indexes of
-- 0200, measured on the demo's Synthea store). It also serves everything ix_fhir_resources_patient served.
CREATE INDEX ix_fhir_resources_patient_updated ON fhir_resources(patient_id, resource_type, last_updated, id);
DROP INDEX ix_fhir_resources_patient;
