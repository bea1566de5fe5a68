using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Ingestion;

namespace Vigie.Core.Audit;

/// <summary>
/// The audit ledger as an outbox of the event stream: every record access, decided and enriched at the
/// source (docs/LEDGER.md), becomes an event of dataset <c>vigie.records</c> for detection and privacy
/// monitoring, attributed to the accessing user's establishment.
/// </summary>
public sealed class LedgerOutbox(IServiceScopeFactory scopes) : IEventOutbox
{
    public string Name => "audit_ledger";

    public async Task<IReadOnlyList<OutboxEntry>> ReadPendingAsync(int max, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        var pending = await new LedgerEvents(db).PendingAsync(max, ct);
        if (pending.Count == 0)
            return [];
        var codes = await db.Establishments.AsNoTracking().ToDictionaryAsync(e => e.Code, e => e.Id, ct);
        var entries = new List<OutboxEntry>(pending.Count);
        foreach (var entry in pending)
        {
            Guid? establishment = entry.UserEstablishment is { } code && codes.TryGetValue(code, out var id) ? id : null;
            entries.Add(new OutboxEntry(entry.Seq, establishment, LedgerEvents.ToEvent(entry)));
        }
        return entries;
    }

    public async Task MarkForwardedAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        // A mark lost in a power cut forwards the entries again, under the same idempotency keys.
        await using var relaxed = await DerivedWrites.RelaxAsync(db, ct);
        // Entries are read and forwarded in sequence order, so marking up to the highest forwarded is exact.
        await new LedgerEvents(db).MarkForwardedAsync(ids.Max(), ct);
    }
}
