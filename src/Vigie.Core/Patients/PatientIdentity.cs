using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigie.Core.Patients;

/// <summary>
/// The master patient index's entry for one Patient resource: the national health identifier Vigie issued,
/// how well the identity was verified, and the facts privacy monitoring needs, as keyed hashes (never names).
/// </summary>
public sealed class PatientIdentity
{
    public required string PatientId { get; set; }
    public required string NationalId { get; set; }
    public IdentityTrust Trust { get; set; } = IdentityTrust.Provisional;
    public Guid? EstablishmentId { get; set; }
    public bool Vip { get; set; }
    public bool Employee { get; set; }
    public bool Deceased { get; set; }
    /// <summary>Blind indexes (hex, ';'-separated) of the family names, to compare with a user's without storing either.</summary>
    public string? FamilyHashes { get; set; }
    public string? AddressHashes { get; set; }
    /// <summary>Blind indexes of the blocking keys duplicate detection compares (birth date, family name sound).</summary>
    public string? BlockingKeys { get; set; }
    /// <summary>When this identity was merged into another, the surviving Patient's id.</summary>
    public string? MergedInto { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class PatientIdentityConfiguration : IEntityTypeConfiguration<PatientIdentity>
{
    public void Configure(EntityTypeBuilder<PatientIdentity> e)
    {
        e.ToTable("patient_identities");
        e.HasKey(x => x.PatientId);
        e.HasIndex(x => x.NationalId).IsUnique();
        e.Property(x => x.Trust).HasConversion(v => v.ToCode(), v => IdentityTrusts.Parse(v));
    }
}
