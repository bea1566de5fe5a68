using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

public sealed class IngestApiTests
{
    private static object Event(string marker, int n, string user = "alice", string? ip = null) => new Dictionary<string, object?>
    {
        ["@timestamp"] = DateTime.UtcNow.AddMinutes(-n).ToString("O"),
        ["event.action"] = "test-action",
        ["event.category"] = new[] { "authentication" },
        ["labels.run"] = marker,
        ["labels.seq"] = n,
        ["user.name"] = user,
        ["source.ip"] = ip ?? $"10.0.0.{n % 250}",
        ["message"] = $"event number {n} of run {marker}",
    };

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Accepted_events_are_searchable_as_soon_as_the_reply_comes_and_bad_lines_are_reported(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var body = CollectionHost.Lines(Event("r1", 1)) + "\n{\"broken\": \n" + CollectionHost.Lines(Event("r1", 2)) + "\n\n[1,2]\n";
        var response = await c.IngestAsync(c.KeyA, body);
        var reply = await response.ReadAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.GetProperty("accepted").GetInt32().ShouldBe(2);
        var rejected = reply.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Select(r => r.GetProperty("line").GetInt32()).ShouldBe([2, 5]);
        rejected[0].GetProperty("error").GetString()!.ShouldStartWith("malformed JSON");
        rejected[1].GetProperty("error").GetString()!.ShouldContain("not an event");

        var found = await CollectionHost.SearchAsync(c.Admin, "labels.run:r1");
        found.GetProperty("total").GetInt64().ShouldBe(2);
        var first = found.GetProperty("events")[0];
        first.GetProperty("organization.id").GetString().ShouldBe("CHU-A");
        first.GetProperty("agent.name").GetString().ShouldBe("fw-a");
        first.GetProperty("_establishment").GetString().ShouldBe("CHU-A");
        // The bad lines are kept, with their reason.
        var errors = await CollectionHost.SearchAsync(c.Admin, "event.kind:pipeline_error AND agent.name:fw-a");
        errors.GetProperty("total").GetInt64().ShouldBe(2);
        errors.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event.original").GetString()).ShouldContain("{\"broken\": ");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_retried_batch_with_the_same_idempotency_key_is_stored_once(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var body = CollectionHost.Lines(Event("idem", 1), Event("idem", 2), Event("idem", 3));
        var first = await (await c.IngestAsync(c.KeyA, body, "batch-0001")).ReadAsync();
        var again = await c.IngestAsync(c.KeyA, body, "batch-0001");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        var second = await again.ReadAsync();
        first.GetProperty("accepted").GetInt32().ShouldBe(3);
        second.GetProperty("accepted").GetInt32().ShouldBe(3);
        second.GetProperty("duplicate").GetBoolean().ShouldBeTrue();
        (await CollectionHost.SearchAsync(c.Admin, "labels.run:idem")).GetProperty("total").GetInt64().ShouldBe(3);
        // The same key from another collector is another batch.
        await c.IngestAsync(c.KeyB, body, "batch-0001");
        (await CollectionHost.SearchAsync(c.Admin, "labels.run:idem")).GetProperty("total").GetInt64().ShouldBe(6);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Gzip_bodies_are_accepted_and_bad_keys_are_refused(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var raw = Encoding.UTF8.GetBytes(CollectionHost.Lines(Enumerable.Range(0, 50).Select(i => Event("gz", i)).ToArray()));
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(raw);
        using var client = c.CollectorClient(c.KeyA);
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        var response = await client.PostAsync("/api/v1/ingest", content);
        (await response.ReadAsync()).GetProperty("accepted").GetInt32().ShouldBe(50);

        var notGzip = new ByteArrayContent(raw);
        notGzip.Headers.ContentEncoding.Add("gzip");
        (await client.PostAsync("/api/v1/ingest", notGzip)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await c.IngestAsync("vgk_not-a-real-key", "{}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var anonymous = new HttpClient { BaseAddress = c.Host.Address };
        (await anonymous.PostAsync("/api/v1/ingest", new StringContent("{}"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // A user's token is not a collector's key.
        (await c.Admin.PostAsync("/api/v1/ingest", new StringContent("{}"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await c.Host.WithServicesAsync(sp => sp.GetRequiredService<CollectorRegistry>().RevokeAsync("fw-a", new Actor("test"), AccessScope.Everything));
        (await c.IngestAsync(c.KeyA, "{}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Searches_are_scoped_to_the_callers_establishments(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        await c.IngestAsync(c.KeyA, CollectionHost.Lines(Event("scope", 1)));
        await c.IngestAsync(c.KeyB, CollectionHost.Lines(Event("scope", 2), Event("scope", 3)));
        using var a = await c.Host.SignedInAsync("rssi.a");
        using var b = await c.Host.SignedInAsync("rssi.b");
        (await CollectionHost.SearchAsync(a, "labels.run:scope")).GetProperty("total").GetInt64().ShouldBe(1);
        (await CollectionHost.SearchAsync(b, "labels.run:scope")).GetProperty("total").GetInt64().ShouldBe(2);
        (await CollectionHost.SearchAsync(c.Admin, "labels.run:scope")).GetProperty("total").GetInt64().ShouldBe(3);
        var histogram = await (await b.GetAsync("/api/v1/events/histogram?q=labels.run:scope&from=now-1d&interval=1h")).ReadAsync();
        histogram.GetProperty("total").GetInt64().ShouldBe(2);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task The_query_language_finds_what_it_says(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var events = new List<object>();
        for (var i = 1; i <= 12; i++)
            events.Add(Event("lang", i, user: i % 3 == 0 ? "bob" : "alice", ip: i <= 4 ? "192.168.1.7" : null));
        events.Add(new Dictionary<string, object?> { ["@timestamp"] = "2026-01-15T10:00:00Z", ["labels.run"] = "lang", ["user.name"] = "carol", ["source.port"] = 443, ["process.args"] = new[] { "ssh", "-v" }, ["message"] = "Failed password for carol" });
        (await (await c.IngestAsync(c.KeyA, CollectionHost.Lines([.. events]))).ReadAsync()).GetProperty("accepted").GetInt32().ShouldBe(13);

        async Task<long> Count(string q) => (await CollectionHost.SearchAsync(c.Admin, "labels.run:lang AND (" + q + ")")).GetProperty("total").GetInt64();
        (await Count("user.name:bob")).ShouldBe(4);
        (await Count("user.name:b*")).ShouldBe(4);
        (await Count("user.name:?ob")).ShouldBe(4);
        (await Count("NOT user.name:alice")).ShouldBe(5);
        (await Count("-user.name:alice AND -user.name:bob")).ShouldBe(1);
        (await Count("user.name:(bob OR carol)")).ShouldBe(5);
        (await Count("source.ip:192.168.1.7")).ShouldBe(4);
        (await Count("labels.seq:[3 TO 5]")).ShouldBe(3);
        (await Count("labels.seq:{3 TO 5]")).ShouldBe(2);
        (await Count("labels.seq:>10")).ShouldBe(2);
        (await Count("labels.seq:10")).ShouldBe(1);
        (await Count("source.port:443")).ShouldBe(1);
        (await Count("event.category:authentication")).ShouldBe(12);
        (await Count("process.args:ssh")).ShouldBe(1);
        (await Count("_exists_:source.port")).ShouldBe(1);
        (await Count("NOT _exists_:source.port")).ShouldBe(12);
        (await Count("\"failed password\"")).ShouldBe(1);
        (await Count("message:\"event number 7 of run lang\"")).ShouldBe(1);
        (await Count("@timestamp:[2026-01-15 TO 2026-01-15]")).ShouldBe(1);
        (await Count("@timestamp:<2026-01-16")).ShouldBe(1);
        (await Count("@timestamp:>=now-1h")).ShouldBe(12);

        // Pages follow each other without repeating or skipping.
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await CollectionHost.SearchAsync(c.Admin, "labels.run:lang", "&limit=5" + (cursor is null ? "" : "&cursor=" + cursor));
            page.GetProperty("total").GetInt64().ShouldBe(13);
            seen.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("_id").GetInt64()));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        seen.Count.ShouldBe(13);
        seen.Distinct().Count().ShouldBe(13);

        var histogram = await (await c.Admin.GetAsync("/api/v1/events/histogram?q=labels.run:lang&from=now-1d&interval=1h")).ReadAsync();
        histogram.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()).ShouldBe(12);
        histogram.GetProperty("interval").GetString().ShouldBe("1h");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_query_with_a_syntax_error_is_a_400_naming_the_position(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var response = await c.Admin.GetAsync("/api/v1/events?q=" + Uri.EscapeDataString("user.name:alice AND (source.ip:1.2.3.4"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadAsync()).GetProperty("detail").GetString().ShouldBe("query syntax error at position 21: '(' is never closed");
        (await c.Admin.GetAsync("/api/v1/events?from=yesterday")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await c.Admin.GetAsync("/api/v1/events?cursor=zzz")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await c.Admin.GetAsync("/api/v1/events/histogram?interval=3x")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Failed_sign_ins_reach_the_event_store_as_vigie_security_events(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        (await c.Host.RequestTokenAsync("rssi.a", "wrong-password")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        long total = 0;
        for (var i = 0; i < 50 && total == 0; i++)
        {
            await Task.Delay(200);
            total = (await CollectionHost.SearchAsync(c.Admin, "event.dataset:vigie.security AND event.action:sign-in-failed AND user.name:rssi.a")).GetProperty("total").GetInt64();
        }
        total.ShouldBe(1);
        var e = (await CollectionHost.SearchAsync(c.Admin, "event.action:sign-in-failed")).GetProperty("events")[0];
        e.GetProperty("event.outcome").GetString().ShouldBe("failure");
        e.GetProperty("event.code").GetString().ShouldBe("1001");
        e.GetProperty("organization.id").GetString().ShouldBe("REG-A");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Under_overload_ingest_answers_503_with_retry_after_and_stores_every_accepted_event(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider, new Dictionary<string, string?> { ["ingest_queue_events"] = "1000" });
        var body = CollectionHost.Lines(Enumerable.Range(0, 900).Select(i => Event("load", i)).ToArray());
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => c.IngestAsync(c.KeyA, body)));
        long accepted = 0;
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted += (await response.ReadAsync()).GetProperty("accepted").GetInt32();
                continue;
            }
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter.ShouldNotBeNull();
        }
        accepted.ShouldBeGreaterThan(0);
        (await CollectionHost.SearchAsync(c.Admin, "labels.run:load")).GetProperty("total").GetInt64().ShouldBe(accepted);
        var stats = await (await c.Admin.GetAsync("/api/v1/ingest/stats")).ReadAsync();
        stats.GetProperty("refused_batches").GetInt64().ShouldBe(responses.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable));
        stats.GetProperty("queue_capacity").GetInt64().ShouldBe(1000);
    }
}
