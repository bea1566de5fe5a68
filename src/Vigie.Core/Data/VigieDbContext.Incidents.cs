using Microsoft.EntityFrameworkCore;
using Vigie.Core.Incidents;

namespace Vigie.Core.Data;

public partial class VigieDbContext
{
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentTask> IncidentTasks => Set<IncidentTask>();
    public DbSet<IncidentObservable> IncidentObservables => Set<IncidentObservable>();
    public DbSet<IncidentTimelineEntry> IncidentTimeline => Set<IncidentTimelineEntry>();
    public DbSet<IncidentComment> IncidentComments => Set<IncidentComment>();
    public DbSet<IncidentNotification> IncidentNotifications => Set<IncidentNotification>();
    public DbSet<IncidentEvidence> IncidentEvidence => Set<IncidentEvidence>();
    public DbSet<EvidenceCustodyEntry> EvidenceCustody => Set<EvidenceCustodyEntry>();
    public DbSet<PlaybookOverride> PlaybookOverrides => Set<PlaybookOverride>();
}
