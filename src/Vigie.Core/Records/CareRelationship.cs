using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigie.Core.Records;

/// <summary>
/// A link between a patient and a practitioner or an establishment, kept from the Encounter, EpisodeOfCare and
/// CareTeam resources that state it (recomputed whenever one of them is written).
/// </summary>
public sealed class CareRelationship
{
    public long Id { get; set; }
    public required string PatientId { get; set; }
    public string? PractitionerId { get; set; }
    public Guid? EstablishmentId { get; set; }
    /// <summary>Encounter, EpisodeOfCare or CareTeam.</summary>
    public required string SourceType { get; set; }
    public required string SourceId { get; set; }
    /// <summary>True while the source's status is an active one (in-progress, active …).</summary>
    public bool Active { get; set; }
    public DateTime? StartAt { get; set; }
    public DateTime? EndAt { get; set; }
}

/// <summary>Access granted by breaking the glass: one user, one patient, until it expires.</summary>
public sealed class BreakGlassGrant
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public required string PatientId { get; set; }
    public DateTime GrantedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public required string Justification { get; set; }
    public Guid? PatientEstablishmentId { get; set; }
}

/// <summary>A data key or blind-index key, wrapped (AES-256-GCM) by the key-encryption key.</summary>
public sealed class RecordKey
{
    public int Id { get; set; }
    /// <summary>data or index.</summary>
    public required string Purpose { get; set; }
    public required byte[] Wrapped { get; set; }
    /// <summary>Fingerprint of the key-encryption key that wrapped it.</summary>
    public required string KekId { get; set; }
    public bool Active { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class CareRelationshipConfiguration : IEntityTypeConfiguration<CareRelationship>, IEntityTypeConfiguration<BreakGlassGrant>, IEntityTypeConfiguration<RecordKey>
{
    public void Configure(EntityTypeBuilder<CareRelationship> e) => e.ToTable("care_relationships");

    public void Configure(EntityTypeBuilder<BreakGlassGrant> e) => e.ToTable("break_glass_grants");

    public void Configure(EntityTypeBuilder<RecordKey> e)
    {
        e.ToTable("record_keys");
        e.Property(x => x.Id).ValueGeneratedNever();
    }
}
