using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Vigie.Core.Alerts;

/// <summary>How alerts map onto the tables of migration 0300; states are stored by their API names.</summary>
internal static class AlertConversions
{
    public static readonly ValueConverter<AlertStatus, string> Status = new(v => v.ToName(), v => ParseStatus(v));
    public static readonly ValueConverter<AlertSeverity, string> Severity = new(v => v.ToName(), v => ParseSeverity(v));
    public static readonly ValueConverter<AlertCategory, string> Category = new(v => v.ToName(), v => ParseCategory(v));
    public static readonly ValueConverter<AlertResolution, string> Resolution = new(v => v.ToName(), v => ParseResolution(v));

    private static AlertStatus ParseStatus(string v) =>
        AlertStatuses.TryParse(v, out var s) ? s : throw new InvalidOperationException($"Unknown alert status '{v}' in the store.");

    private static AlertSeverity ParseSeverity(string v) =>
        AlertSeverities.TryParse(v, out var s) ? s : throw new InvalidOperationException($"Unknown alert severity '{v}' in the store.");

    private static AlertCategory ParseCategory(string v) =>
        AlertCategories.TryParse(v, out var c) ? c : throw new InvalidOperationException($"Unknown alert category '{v}' in the store.");

    private static AlertResolution ParseResolution(string v) =>
        AlertResolutions.TryParse(v, out var r) ? r : throw new InvalidOperationException($"Unknown alert resolution '{v}' in the store.");
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> e)
    {
        e.ToTable("alerts");
        e.Property(x => x.Status).HasConversion(AlertConversions.Status);
        e.Property(x => x.Severity).HasConversion(AlertConversions.Severity);
        e.Property(x => x.Category).HasConversion(AlertConversions.Category);
        e.Property(x => x.Resolution).HasConversion(AlertConversions.Resolution);
        e.HasIndex(x => new { x.GroupKey, x.Status });
        e.HasMany(x => x.Detections).WithOne().HasForeignKey(d => d.AlertId);
        e.HasMany(x => x.History).WithOne().HasForeignKey(h => h.AlertId);
        e.Ignore(x => x.TechniqueIds);
        e.Ignore(x => x.TagList);
    }
}

internal sealed class AlertDetectionConfiguration : IEntityTypeConfiguration<AlertDetection>
{
    public void Configure(EntityTypeBuilder<AlertDetection> e)
    {
        e.ToTable("alert_detections");
        e.HasIndex(x => new { x.Source, x.DetectionId }).IsUnique();
    }
}

internal sealed class AlertHistoryConfiguration : IEntityTypeConfiguration<AlertHistoryEntry>
{
    public void Configure(EntityTypeBuilder<AlertHistoryEntry> e)
    {
        e.ToTable("alert_history");
        e.Property(x => x.FromStatus).HasConversion(AlertConversions.Status);
        e.Property(x => x.ToStatus).HasConversion(AlertConversions.Status);
    }
}

internal sealed class AlertCursorConfiguration : IEntityTypeConfiguration<AlertCursor>
{
    public void Configure(EntityTypeBuilder<AlertCursor> e)
    {
        e.ToTable("alert_cursors");
        e.HasKey(x => x.Source);
    }
}

internal sealed class AlertSuppressionConfiguration : IEntityTypeConfiguration<AlertSuppression>
{
    public void Configure(EntityTypeBuilder<AlertSuppression> e) => e.ToTable("alert_suppressions");
}

internal sealed class AlertFilterConfiguration : IEntityTypeConfiguration<AlertFilter>
{
    public void Configure(EntityTypeBuilder<AlertFilter> e)
    {
        e.ToTable("alert_filters");
        e.Ignore(x => x.Rules);
    }
}
