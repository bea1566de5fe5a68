using Microsoft.EntityFrameworkCore;
using Vigie.Core.Privacy;

namespace Vigie.Core.Data;

public partial class VigieDbContext
{
    public DbSet<PrivacyAccess> PrivacyAccesses => Set<PrivacyAccess>();
}
