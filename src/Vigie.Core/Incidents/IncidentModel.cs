using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Vigie.Core.Alerts;

namespace Vigie.Core.Incidents;

/// <summary>How incidents map onto the tables of migration 0301; states and kinds are stored by their API names.</summary>
internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    private static readonly ValueConverter<IncidentStatus, string> Status = new(v => v.ToName(), v => ParseStatus(v));
    private static readonly ValueConverter<IncidentType, string> Type = new(v => v.ToName(), v => ParseType(v));
    private static readonly ValueConverter<AlertSeverity, string> Severity = new(v => v.ToName(), v => ParseSeverity(v));

    public void Configure(EntityTypeBuilder<Incident> e)
    {
        e.ToTable("incidents");
        e.Property(x => x.Status).HasConversion(Status);
        e.Property(x => x.Type).HasConversion(Type);
        e.Property(x => x.Severity).HasConversion(Severity);
        e.HasMany(x => x.Tasks).WithOne().HasForeignKey(t => t.IncidentId);
        e.HasMany(x => x.Observables).WithOne().HasForeignKey(o => o.IncidentId);
        e.HasMany(x => x.Timeline).WithOne().HasForeignKey(t => t.IncidentId);
        e.HasMany(x => x.Comments).WithOne().HasForeignKey(c => c.IncidentId);
        e.HasMany(x => x.Notifications).WithOne().HasForeignKey(n => n.IncidentId);
        e.HasMany(x => x.Alerts).WithOne().HasForeignKey(a => a.IncidentId);
    }

    private static IncidentStatus ParseStatus(string v) =>
        IncidentStatuses.TryParse(v, out var s) ? s : throw new InvalidOperationException($"Unknown incident status '{v}' in the store.");

    private static IncidentType ParseType(string v) =>
        IncidentTypes.TryParse(v, out var t) ? t : throw new InvalidOperationException($"Unknown incident type '{v}' in the store.");

    private static AlertSeverity ParseSeverity(string v) =>
        AlertSeverities.TryParse(v, out var s) ? s : throw new InvalidOperationException($"Unknown incident severity '{v}' in the store.");
}

internal sealed class IncidentTaskConfiguration : IEntityTypeConfiguration<IncidentTask>
{
    public void Configure(EntityTypeBuilder<IncidentTask> e) => e.ToTable("incident_tasks");
}

internal sealed class IncidentObservableConfiguration : IEntityTypeConfiguration<IncidentObservable>
{
    public void Configure(EntityTypeBuilder<IncidentObservable> e)
    {
        e.ToTable("incident_observables");
        e.HasIndex(x => new { x.IncidentId, x.Kind, x.Value }).IsUnique();
    }
}

internal sealed class IncidentTimelineConfiguration : IEntityTypeConfiguration<IncidentTimelineEntry>
{
    public void Configure(EntityTypeBuilder<IncidentTimelineEntry> e) => e.ToTable("incident_timeline");
}

internal sealed class IncidentCommentConfiguration : IEntityTypeConfiguration<IncidentComment>
{
    public void Configure(EntityTypeBuilder<IncidentComment> e) => e.ToTable("incident_comments");
}

internal sealed class IncidentNotificationConfiguration : IEntityTypeConfiguration<IncidentNotification>
{
    public void Configure(EntityTypeBuilder<IncidentNotification> e) => e.ToTable("incident_notifications");
}

internal sealed class IncidentEvidenceConfiguration : IEntityTypeConfiguration<IncidentEvidence>
{
    public void Configure(EntityTypeBuilder<IncidentEvidence> e)
    {
        e.ToTable("incident_evidence");
        e.HasMany(x => x.Custody).WithOne().HasForeignKey(c => c.EvidenceId);
    }
}

internal sealed class EvidenceCustodyConfiguration : IEntityTypeConfiguration<EvidenceCustodyEntry>
{
    public void Configure(EntityTypeBuilder<EvidenceCustodyEntry> e) => e.ToTable("evidence_custody");
}

internal sealed class PlaybookOverrideConfiguration : IEntityTypeConfiguration<PlaybookOverride>
{
    public void Configure(EntityTypeBuilder<PlaybookOverride> e)
    {
        e.ToTable("playbooks");
        e.HasKey(x => x.Id);
    }
}
