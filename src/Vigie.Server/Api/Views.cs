using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Time;
using EstablishmentEntity = Vigie.Core.Establishments.Establishment;

namespace Vigie.Server.Api;

/// <summary>An establishment as the API shows it; times in its own time zone.</summary>
internal sealed record EstablishmentView(string Code, string Name, string Type, string? Parent, string TimeZone, int RetentionDays, string CreatedAt)
{
    public static EstablishmentView From(EstablishmentEntity e, IReadOnlyDictionary<Guid, EstablishmentEntity> all) =>
        new(e.Code, e.Name, e.Type.ToName(), e.ParentId is { } p && all.TryGetValue(p, out var parent) ? parent.Code : null,
            e.TimeZone, e.RetentionDays, LocalTime.Format(e.CreatedAt, e.TimeZone));
}

internal sealed record UserView(
    string Username, string? DisplayName, IReadOnlyList<string> Roles, string? Establishment, string? Profession,
    string Source, bool Disabled, bool Mfa, string? PractitionerId, string? PatientId, string? ExpiresAt, string? LastSignInAt, string CreatedAt)
{
    public static UserView From(User u, IReadOnlyDictionary<Guid, EstablishmentEntity> all)
    {
        var zone = all.TryGetValue(u.EstablishmentId, out var e) ? e.TimeZone : EstablishmentEntity.DefaultTimeZone;
        return new(u.Username, u.DisplayName, u.Roles.Select(r => r.Role.ToName()).Order().ToList(), e?.Code, u.Profession,
            u.Source == UserSource.Directory ? "directory" : "local", u.Disabled, u.TotpEnabled, u.PractitionerId, u.PatientId,
            u.ExpiresAt is { } x ? LocalTime.Format(x, zone) : null,
            u.LastSignInAt is { } s ? LocalTime.Format(s, zone) : null, LocalTime.Format(u.CreatedAt, zone));
    }
}

internal sealed record CollectorView(string Name, string? Establishment, string KeyPrefix, string CreatedAt, string? RevokedAt, string? LastSeenAt, bool Active)
{
    public static CollectorView From(Collector c, IReadOnlyDictionary<Guid, EstablishmentEntity> all)
    {
        var zone = all.TryGetValue(c.EstablishmentId, out var e) ? e.TimeZone : EstablishmentEntity.DefaultTimeZone;
        return new(c.Name, e?.Code, c.KeyPrefix, LocalTime.Format(c.CreatedAt, zone),
            c.RevokedAt is { } r ? LocalTime.Format(r, zone) : null, c.LastSeenAt is { } l ? LocalTime.Format(l, zone) : null, c.RevokedAt is null);
    }
}
