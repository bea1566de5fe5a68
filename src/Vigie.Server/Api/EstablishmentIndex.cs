using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;

namespace Vigie.Server.Api;

/// <summary>All establishments by id, read once per request: there are hundreds, not millions.</summary>
internal sealed class EstablishmentIndex(VigieDbContext db)
{
    private IReadOnlyDictionary<Guid, Establishment>? _byId;

    public async Task<IReadOnlyDictionary<Guid, Establishment>> GetAsync(CancellationToken ct)
    {
        _byId ??= await db.Establishments.AsNoTracking().ToDictionaryAsync(e => e.Id, ct);
        return _byId;
    }
}
