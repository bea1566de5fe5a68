using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigie.Core.Records;

/// <summary>
/// The current version of a FHIR resource. Its content is encrypted (AES-256-GCM, <see cref="RecordKeyring"/>);
/// only what access decisions and paging need stays in clear: type, id, version, time, the patient it belongs to,
/// the establishment that wrote it, and its confidentiality and sensitivity labels.
/// </summary>
public sealed class StoredResource
{
    public required string ResourceType { get; set; }
    public required string Id { get; set; }
    public int VersionId { get; set; }
    public DateTime LastUpdated { get; set; }
    public bool Deleted { get; set; }
    /// <summary>The FHIR id of the patient whose record holds this resource (the Patient's own id for a Patient).</summary>
    public string? PatientId { get; set; }
    public Guid? EstablishmentId { get; set; }
    /// <summary>N (normal), R (restricted) or V (very restricted).</summary>
    public string Confidentiality { get; set; } = "N";
    /// <summary>Sensitivity classes (HIV, PSY, SUD …), separated by ','; null when none.</summary>
    public string? Sensitivity { get; set; }
    public int KeyId { get; set; }
    /// <summary>Encrypted JSON; null once deleted.</summary>
    public byte[]? Content { get; set; }
}

/// <summary>Every version of every resource, for vread and history.</summary>
public sealed class ResourceVersion
{
    public required string ResourceType { get; set; }
    public required string Id { get; set; }
    public int VersionId { get; set; }
    public DateTime LastUpdated { get; set; }
    public bool Deleted { get; set; }
    public string? PatientId { get; set; }
    public string Confidentiality { get; set; } = "N";
    public string? Sensitivity { get; set; }
    public int KeyId { get; set; }
    public byte[]? Content { get; set; }
    /// <summary>create, update or delete.</summary>
    public string Method { get; set; } = "create";
}

/// <summary>One searchable value: a keyed blind index of a token, word or reference, or a date range in clear.</summary>
public sealed class SearchIndexEntry
{
    public long Id { get; set; }
    public required string ResourceType { get; set; }
    public required string ResourceId { get; set; }
    public required string Param { get; set; }
    public byte[]? Token { get; set; }
    /// <summary>Date range start, microseconds since 1970 UTC.</summary>
    public long? Low { get; set; }
    public long? High { get; set; }
}

internal sealed class StoredResourceConfiguration : IEntityTypeConfiguration<StoredResource>, IEntityTypeConfiguration<ResourceVersion>, IEntityTypeConfiguration<SearchIndexEntry>
{
    public void Configure(EntityTypeBuilder<StoredResource> e)
    {
        e.ToTable("fhir_resources");
        e.HasKey(x => new { x.ResourceType, x.Id });
    }

    public void Configure(EntityTypeBuilder<ResourceVersion> e)
    {
        e.ToTable("fhir_resource_versions");
        e.HasKey(x => new { x.ResourceType, x.Id, x.VersionId });
    }

    public void Configure(EntityTypeBuilder<SearchIndexEntry> e)
    {
        e.ToTable("fhir_search_index");
    }
}
