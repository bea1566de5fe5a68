using System.Diagnostics;
using System.Globalization;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Events.Query;
using Vigie.Core.Ingestion;
using Vigie.Storage;
using Vigie.Storage.Events;

// Search latency over a large event store: fills a store once with synthetic ECS events spread over 30 days
// (10 establishments, 5,000 users, 50,000 source addresses, sign-ins, firewall, process and web events), then
// times the searches analysts run most and prints p50/p95 per query.
// Usage: SearchBench --data DIR [--store URL] [--events 10000000] [--runs 20]
var options = Args(args);
var events = long.Parse(options.GetValueOrDefault("events", "10000000"), CultureInfo.InvariantCulture);
var runs = int.Parse(options.GetValueOrDefault("runs", "20"), CultureInfo.InvariantCulture);
var location = StoreLocation.Parse(options.GetValueOrDefault("store"), options.GetValueOrDefault("data", "/tmp/vigie-search-bench"));
await new SchemaMigrator(location).MigrateAsync();
var store = EventStores.Create(location);
var establishments = Enumerable.Range(0, 10).Select(i => new Guid(i + 1, 0, 0, new byte[8])).ToArray();
var now = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);

long existing;
await using (var connection = new SchemaMigrator(location).OpenConnection())
await using (var count = connection.CreateCommand())
{
    count.CommandText = "SELECT COUNT(*) FROM events";
    existing = Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}
if (existing < events)
{
    // A fill that was interrupted goes on where it stopped.
    Console.Error.WriteLine($"filling {location.Describe()} with {events - existing:N0} more events (it holds {existing:N0})");
    var clock = Stopwatch.StartNew();
    var random = new Random(7 + (int)(existing % 1000));
    const int batchSize = 20_000;
    for (long done = existing; done < events; done += batchSize)
    {
        var batch = new List<EventToStore>(batchSize);
        for (var i = 0; i < batchSize && done + i < events; i++)
        {
            var n = done + i;
            // Time runs forward across the fill, so the store is written in time order as it would be live.
            var time = now.AddDays(-30).AddTicks((long)(TimeSpan.FromDays(30).Ticks * (n / (double)events)));
            batch.Add(Synthetic(random, time, establishments[random.Next(establishments.Length)]));
        }
        await store.AppendAsync([new EventBatch(batch)], default);
        if ((done / batchSize) % 25 == 0)
            Console.Error.WriteLine($"  {done + batch.Count:N0} events, {(done + batch.Count) / clock.Elapsed.TotalSeconds:N0}/s");
    }
    Console.Error.WriteLine($"filled in {clock.Elapsed.TotalSeconds:N0} s ({(events - existing) / clock.Elapsed.TotalSeconds:N0} events/s)");
}

var scope = AccessScope.Everything;
var queries = new (string Name, Func<int, Task> Run)[]
{
    ("one user over 30 days", i => Search($"user.name:user-{(i * 37) % 5000:D4}", now.AddDays(-30), now)),
    ("one source address", i => Search($"source.ip:10.{(i * 11) % 50}.{(i * 7) % 250}.{(i * 13) % 40}", null, null)),
    ("a rule's matches (failed sign-ins of root, 7 days)", _ => Search("event.action:ssh_login AND event.outcome:failure AND user.name:root", now.AddDays(-7), now)),
    ("free field: process.name over 1 day", i => Search($"process.name:proc-{i % 200}.exe", now.AddDays(-1), now)),
    ("histogram, 30 days by day, one establishment", i => Histogram(i)),
};
Console.WriteLine($"store: {location.Describe()}, events: {events:N0}, runs per query: {runs}");
Console.WriteLine($"{"query",-52} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
foreach (var (name, run) in queries)
{
    await run(0);
    var times = new List<double>();
    for (var i = 1; i <= runs; i++)
    {
        var t = Stopwatch.StartNew();
        await run(i);
        times.Add(t.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"{name,-52} {times[times.Count / 2],8:N1} {times[(int)Math.Ceiling(times.Count * 0.95) - 1],8:N1} {times[^1],8:N1}");
}
return;

async Task Search(string q, DateTime? from, DateTime? to) =>
    await store.SearchAsync(new EventSearch(EventQueryParser.Parse(q), from, to, scope, 100), default);

async Task Histogram(int i) =>
    await store.HistogramAsync(new EventSearch(null, now.AddDays(-30), now, AccessScope.Of([establishments[i % establishments.Length]])), TimeSpan.FromDays(1), default);

static EventToStore Synthetic(Random random, DateTime time, Guid establishment)
{
    var e = new EventDocument(24);
    e.Timestamp = time;
    e[EventFields.Timestamp] = EventTime.Format(time);
    e[EventFields.Kind] = "event";
    var user = $"user-{random.Next(5000):D4}";
    var ip = $"10.{random.Next(50)}.{random.Next(250)}.{random.Next(40)}";
    var host = $"srv-{random.Next(400):D3}";
    switch (random.Next(4))
    {
        case 0:
            e[EventFields.Dataset] = "system.auth";
            e[EventFields.Action] = "ssh_login";
            e[EventFields.Outcome] = random.Next(5) == 0 ? "failure" : "success";
            e[EventFields.UserName] = random.Next(50) == 0 ? "root" : user;
            e[EventFields.SourceIp] = ip;
            e["source.port"] = (long)random.Next(1024, 65535);
            e[EventFields.Message] = $"{e.GetText(EventFields.Outcome)} password for {e.GetText(EventFields.UserName)} from {ip}";
            break;
        case 1:
            e[EventFields.Dataset] = "cef";
            e[EventFields.Action] = random.Next(4) == 0 ? "deny" : "accept";
            e[EventFields.SourceIp] = ip;
            e[EventFields.DestinationIp] = $"198.51.100.{random.Next(255)}";
            e["destination.port"] = (long)random.Next(1, 1024);
            e["observer.product"] = "FortiGate";
            break;
        case 2:
            e[EventFields.Dataset] = "windows.sysmon_operational";
            e[EventFields.UserName] = user;
            e["process.name"] = $"proc-{random.Next(200)}.exe";
            e["process.command_line"] = $"C:\\Windows\\proc-{random.Next(200)}.exe /arg {random.Next(100000)}";
            break;
        default:
            e[EventFields.Dataset] = "nginx.access";
            e[EventFields.SourceIp] = ip;
            e["url.path"] = $"/fhir/Patient/{random.Next(100000)}";
            e["http.response.status_code"] = (long)(random.Next(10) == 0 ? 403 : 200);
            break;
    }
    e[EventFields.HostName] = host;
    e[EventFields.Organization] = establishment.ToString()[..8];
    return new EventToStore(time, establishment, e);
}

static Dictionary<string, string> Args(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
        result[args[i].TrimStart('-')] = args[i + 1];
    return result;
}
