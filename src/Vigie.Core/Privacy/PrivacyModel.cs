using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigie.Core.Privacy;

internal sealed class PrivacyAccessConfiguration : IEntityTypeConfiguration<PrivacyAccess>
{
    public void Configure(EntityTypeBuilder<PrivacyAccess> e)
    {
        e.ToTable("privacy_accesses");
        e.HasIndex(x => new { x.UserName, x.Time });
        e.HasIndex(x => new { x.PatientPseudonym, x.Time });
    }
}
