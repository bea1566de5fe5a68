using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;

namespace Vigie.Core.Data;

public partial class VigieDbContext
{
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertDetection> AlertDetections => Set<AlertDetection>();
    public DbSet<AlertHistoryEntry> AlertHistory => Set<AlertHistoryEntry>();
    public DbSet<AlertCursor> AlertCursors => Set<AlertCursor>();
    public DbSet<AlertSuppression> AlertSuppressions => Set<AlertSuppression>();
    public DbSet<AlertFilter> AlertFilters => Set<AlertFilter>();
}
