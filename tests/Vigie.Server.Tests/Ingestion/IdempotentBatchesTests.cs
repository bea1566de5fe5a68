using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Establishments;
using Vigie.Core.Events.Query;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>
/// A batch with an idempotency key is stored once, whether its repeat comes in a later call or in the same one (the
/// outbox forwards every ledger entry as a batch of its own, many in one call).
/// </summary>
public sealed class IdempotentBatchesTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_key_admits_its_first_batch_only_within_one_append_and_across_appends(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var establishment = await c.Host.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<VigieDbContext>().Establishments.SingleAsync(e => e.Code == "CHU-A")).Id);
        var store = c.Host.Services.GetRequiredService<IEventStore>();
        var now = DateTime.UtcNow;
        EventBatch Batch(string? key, string collector = "test:idempotent") =>
            CollectionHost.Batch(now, establishment, "labels.idempotent", key ?? "none", collector, key);

        (await store.AppendAsync([Batch("a"), Batch("b"), Batch("a"), Batch(null), Batch("a", "test:other")], default))
            .ShouldBe([true, true, false, true, true]);
        (await store.AppendAsync([Batch("b"), Batch("c"), Batch("a", "test:other")], default)).ShouldBe([false, true, false]);

        var counted = await store.CountByEstablishmentAsync(
            new EventSearch(EventQueryParser.Parse("labels.idempotent:*"), null, null, AccessScope.Everything), default);
        counted[establishment].ShouldBe(5);
    }
}
