using Microsoft.EntityFrameworkCore;
using Vigie.Core.Detection;

namespace Vigie.Core.Data;

public partial class VigieDbContext
{
    public DbSet<Detection.Detection> Detections => Set<Detection.Detection>();
    public DbSet<DetectionRule> DetectionRules => Set<DetectionRule>();
}
