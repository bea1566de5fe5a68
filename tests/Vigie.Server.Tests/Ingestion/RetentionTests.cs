using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Server.Ingestion;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

public sealed class RetentionTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Events_older_than_their_establishments_retention_are_deleted_never_before_six_months(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var (a, b) = await c.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            var chuA = await db.Establishments.SingleAsync(e => e.Code == "CHU-A");
            var hospB = await db.Establishments.SingleAsync(e => e.Code == "HOSP-B");
            chuA.RetentionDays = 30; // below the directive's six months: 183 days apply
            hospB.RetentionDays = 400;
            await db.SaveChangesAsync();
            return (chuA.Id, hospB.Id);
        });
        var now = DateTime.UtcNow;
        var store = c.Host.Services.GetRequiredService<IEventStore>();
        EventToStore At(Guid establishment, int daysAgo, string tag)
        {
            var doc = new EventDocument();
            doc["labels.retention"] = tag;
            doc.Timestamp = now.AddDays(-daysAgo);
            doc[EventFields.Timestamp] = doc.Timestamp.ToString("O");
            return new EventToStore(doc.Timestamp, establishment, doc);
        }
        await store.AppendAsync([new EventBatch([
            At(a, 10, "a-recent"), At(a, 100, "a-kept-by-directive"), At(a, 200, "a-expired"),
            At(b, 300, "b-kept"), At(b, 500, "b-expired"),
        ])], default);

        var retention = c.Host.Services.GetServices<IHostedService>().OfType<RetentionService>().Single();
        (await retention.RunOnceAsync(now, default)).ShouldBe(2);
        var left = await store.SearchAsync(new EventSearch(null, null, null, AccessScope.Everything, 100), default);
        left.Events.Select(e => EventDocument.Parse(e.Json).GetText("labels.retention")).Where(t => t is not null).Order()
            .ShouldBe(["a-kept-by-directive", "a-recent", "b-kept"]);
    }
}
