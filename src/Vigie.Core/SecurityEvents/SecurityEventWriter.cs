using System.Text.Json;
using Vigie.Core.Data;

namespace Vigie.Core.SecurityEvents;

/// <summary>Adds typed security events to the unit of work of the change they describe.</summary>
public sealed class SecurityEventWriter(VigieDbContext db)
{
    public SecurityEvent Add(SecurityEventType type, Actor actor, string? target = null,
        Guid? establishmentId = null, object? details = null)
    {
        var e = new SecurityEvent
        {
            Type = type,
            Actor = actor.Name,
            ActorId = actor.UserId,
            Target = target,
            EstablishmentId = establishmentId ?? actor.EstablishmentId,
            SourceAddress = actor.Address,
            Details = details is null ? null : JsonSerializer.Serialize(details),
        };
        db.SecurityEvents.Add(e);
        return e;
    }
}
