using Microsoft.EntityFrameworkCore;
using Vigie.Core.Audit;
using Vigie.Core.Patients;
using Vigie.Core.Records;

namespace Vigie.Core.Data;

public partial class VigieDbContext
{
    public DbSet<StoredResource> FhirResources => Set<StoredResource>();
    public DbSet<ResourceVersion> FhirResourceVersions => Set<ResourceVersion>();
    public DbSet<SearchIndexEntry> FhirSearchIndex => Set<SearchIndexEntry>();
    public DbSet<CareRelationship> CareRelationships => Set<CareRelationship>();
    public DbSet<BreakGlassGrant> BreakGlassGrants => Set<BreakGlassGrant>();
    public DbSet<RecordKey> RecordKeys => Set<RecordKey>();
    public DbSet<PatientIdentity> PatientIdentities => Set<PatientIdentity>();
    public DbSet<LedgerEntry> AuditLedger => Set<LedgerEntry>();
    public DbSet<LedgerCheckpoint> AuditCheckpoints => Set<LedgerCheckpoint>();
}
