namespace Vigie.Core.Establishments;

/// <summary>A node of the health system: the national centre, a region, or an establishment under it.</summary>
public sealed class Establishment
{
    public const string DefaultTimeZone = "Africa/Casablanca";

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Code { get; set; }
    public required string Name { get; set; }
    public EstablishmentType Type { get; set; }
    public Guid? ParentId { get; set; }
    /// <summary>IANA time-zone id used to show times to this establishment's people.</summary>
    public string TimeZone { get; set; } = DefaultTimeZone;
    /// <summary>Days events of this establishment are kept.</summary>
    public int RetentionDays { get; set; } = 400;
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}
