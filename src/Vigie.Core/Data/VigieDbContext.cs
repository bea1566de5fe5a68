using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Data;

/// <summary>
/// Vigie's state, one model for SQLite and PostgreSQL. The schema itself is created by the
/// SQL migrations of Vigie.Storage (one set per provider); this model maps onto it.
/// Each feature adds its sets in a partial file beside this one (<c>VigieDbContext.Feature.cs</c>) and its
/// mappings as <see cref="IEntityTypeConfiguration{TEntity}"/> classes in its own folder.
/// </summary>
public partial class VigieDbContext(DbContextOptions<VigieDbContext> options) : DbContext(options)
{
    public DbSet<Establishment> Establishments => Set<Establishment>();
    public DbSet<User> Users => Set<User>();
    public DbSet<UserRole> UserRoles => Set<UserRole>();
    public DbSet<Collector> Collectors => Set<Collector>();
    public DbSet<SecurityEvent> SecurityEvents => Set<SecurityEvent>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Establishment>(e =>
        {
            e.ToTable("establishments");
            e.HasIndex(x => x.Code).IsUnique();
            e.Property(x => x.Type).HasConversion(new ValueConverter<EstablishmentType, string>(
                v => v.ToName(), v => ParseEstablishmentType(v)));
        });
        b.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasIndex(x => x.Username).IsUnique();
            e.Property(x => x.Source).HasConversion(new ValueConverter<UserSource, string>(
                v => v == UserSource.Directory ? "directory" : "local",
                v => v == "directory" ? UserSource.Directory : UserSource.Local));
            e.HasMany(x => x.Roles).WithOne().HasForeignKey(r => r.UserId);
        });
        b.Entity<UserRole>(e =>
        {
            e.ToTable("user_roles");
            e.HasKey(x => new { x.UserId, x.Role });
            e.Property(x => x.Role).HasConversion(new ValueConverter<Role, string>(
                v => v.ToName(), v => ParseRole(v)));
        });
        b.Entity<Collector>(e =>
        {
            e.ToTable("collectors");
            e.HasIndex(x => x.Name).IsUnique();
            e.HasIndex(x => x.KeyHash).IsUnique();
        });
        b.Entity<SecurityEvent>(e =>
        {
            e.ToTable("security_events");
            e.Property(x => x.Type).HasConversion<int>();
        });

        b.ApplyConfigurationsFromAssembly(typeof(VigieDbContext).Assembly);
        ApplySnakeCaseAndUtc(b);
    }

    private static EstablishmentType ParseEstablishmentType(string v) =>
        EstablishmentTypes.TryParse(v, out var t) ? t : throw new InvalidOperationException($"Unknown establishment type '{v}' in the store.");

    private static Role ParseRole(string v) =>
        Roles.TryParse(v, out var r) ? r : throw new InvalidOperationException($"Unknown role '{v}' in the store.");

    private static readonly ValueConverter<DateTime, DateTime> Utc =
        new(v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private static readonly ValueConverter<DateTime?, DateTime?> NullableUtc =
        new(v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
            v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));

    /// <summary>Tables and columns are snake_case on both providers; every DateTime is UTC.</summary>
    protected static void ApplySnakeCaseAndUtc(ModelBuilder b)
    {
        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
                if (property.ClrType == typeof(DateTime))
                    property.SetValueConverter(Utc);
                else if (property.ClrType == typeof(DateTime?))
                    property.SetValueConverter(NullableUtc);
            }
            foreach (var key in entity.GetKeys())
                key.SetName(SnakeCase(key.GetName() ?? "pk"));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(SnakeCase(index.GetDatabaseName() ?? "ix"));
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName(SnakeCase(fk.GetConstraintName() ?? "fk"));
        }
    }

    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1]))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
