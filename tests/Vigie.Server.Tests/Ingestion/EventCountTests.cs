using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Events.Query;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

public sealed class EventCountTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Events_are_counted_per_establishment_within_the_window_and_the_scope(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var (a, b) = await c.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            return ((await db.Establishments.SingleAsync(e => e.Code == "CHU-A")).Id, (await db.Establishments.SingleAsync(e => e.Code == "HOSP-B")).Id);
        });
        var now = DateTime.UtcNow;
        var store = c.Host.Services.GetRequiredService<IEventStore>();
        EventToStore At(Guid establishment, int hoursAgo)
        {
            var doc = new EventDocument { Timestamp = now.AddHours(-hoursAgo) };
            doc["labels.count"] = "yes";
            doc[EventFields.Timestamp] = doc.Timestamp.ToString("O");
            return new EventToStore(doc.Timestamp, establishment, doc);
        }
        await store.AppendAsync([new EventBatch([At(a, 1), At(a, 2), At(a, 30), At(b, 3), At(b, 50)])], default);
        var ours = EventQueryParser.Parse("labels.count:yes"); // the server's own events are in the store too

        var day = await store.CountByEstablishmentAsync(new EventSearch(ours, now.AddDays(-1), now.AddMinutes(1), AccessScope.Everything), default);
        day.GetValueOrDefault(a).ShouldBe(2);
        day.GetValueOrDefault(b).ShouldBe(1);

        var onlyB = await store.CountByEstablishmentAsync(new EventSearch(ours, null, null, AccessScope.Of([b])), default);
        onlyB.Keys.ShouldBe([b]);
        onlyB[b].ShouldBe(2);

        var none = await store.CountByEstablishmentAsync(new EventSearch(ours, now.AddMinutes(-5), now.AddMinutes(1), AccessScope.Everything), default);
        none.ShouldBeEmpty();
    }
}
