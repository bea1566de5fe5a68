using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigie.Core.Audit;

/// <summary>
/// One entry of the audit ledger: an access to the record (permitted or denied), an identity merge or a break of
/// the glass, with the decision, its reasons and the privacy facts detection needs. Entries are chained:
/// <see cref="Hash"/> = SHA-256(<see cref="PrevHash"/> ‖ canonical content), see <see cref="LedgerCanonical"/>.
/// Nothing here is a patient's name or clinical content.
/// </summary>
public sealed class LedgerEntry
{
    public long Seq { get; set; }
    /// <summary>Microseconds since 1970-01-01 UTC.</summary>
    public long TimeUs { get; set; }
    public string? RequestId { get; set; }
    public string? ClientAddress { get; set; }
    public string? UserId { get; set; }
    public string? UserName { get; set; }
    /// <summary>The user's roles, ','-separated.</summary>
    public string? UserRoles { get; set; }
    public string? UserEstablishment { get; set; }
    public string? UserProfession { get; set; }
    /// <summary>The FHIR id of the patient concerned.</summary>
    public string? PatientId { get; set; }
    /// <summary>The national health identifier, or a pseudonym (<c>pseudo:…</c>) when the identity is not shared.</summary>
    public string? PatientRef { get; set; }
    public string? PatientEstablishment { get; set; }
    /// <summary>read, vread, search, history, create, update, delete, transaction, batch, merge, break-glass, capabilities.</summary>
    public required string Action { get; set; }
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    /// <summary>The names of the search parameters used (never their values, which may be names).</summary>
    public string? Query { get; set; }
    /// <summary>The HTTP status returned (or 0 for command-line actions).</summary>
    public int Status { get; set; }
    /// <summary>permit, deny or break-the-glass-required.</summary>
    public required string Decision { get; set; }
    /// <summary>The decision's reasons, '; '-separated.</summary>
    public string? Reasons { get; set; }
    public string? Purpose { get; set; }
    public bool BreakGlass { get; set; }
    public string? Justification { get; set; }
    /// <summary>encounter, episode-of-care, care-team, consent, none (or null when no patient is concerned).</summary>
    public string? CareRelationship { get; set; }
    /// <summary>Privacy facts as bits, see <see cref="PrivacyFlags"/>.</summary>
    public int PrivacyFlags { get; set; }
    public string? PolicyVersion { get; set; }
    public required byte[] PrevHash { get; set; }
    public required byte[] Hash { get; set; }
    /// <summary>Set by the ingestion pipeline once forwarded to detection; not part of the hash.</summary>
    public bool Forwarded { get; set; }

    public DateTime Time => DateTime.UnixEpoch.AddTicks(TimeUs * 10);
}

/// <summary>A signed statement of the ledger's head at a point: sequence, hash, ECDSA P-256 signature.</summary>
public sealed class LedgerCheckpoint
{
    public long Seq { get; set; }
    public required byte[] Hash { get; set; }
    /// <summary>The previous checkpoint's sequence (0 for the first): checkpoints form a chain too.</summary>
    public long PreviousSeq { get; set; }
    public long SignedAtUs { get; set; }
    public required string KeyId { get; set; }
    /// <summary>ECDSA P-256 signature (IEEE P1363) of <see cref="LedgerCanonical.CheckpointPayload"/>.</summary>
    public required byte[] Signature { get; set; }
}

[Flags]
public enum PrivacyFlags
{
    None = 0,
    SameFamilyName = 1,
    SameAddress = 2,
    PatientVip = 4,
    PatientEmployee = 8,
    PatientDeceased = 16,
    SameEstablishment = 32,
    SelfAccess = 64,
}

internal sealed class LedgerConfiguration : IEntityTypeConfiguration<LedgerEntry>, IEntityTypeConfiguration<LedgerCheckpoint>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> e)
    {
        e.ToTable("audit_ledger");
        e.HasKey(x => x.Seq);
        e.Property(x => x.Seq).ValueGeneratedNever();
        e.Ignore(x => x.Time);
    }

    public void Configure(EntityTypeBuilder<LedgerCheckpoint> e)
    {
        e.ToTable("audit_checkpoints");
        e.HasKey(x => x.Seq);
        e.Property(x => x.Seq).ValueGeneratedNever();
    }
}
