using System.Text;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Detection;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Identity;
using Vigie.Core.Ingestion;
using Vigie.Core.SecurityEvents;

namespace Vigie.Server.Ingestion;

/// <summary>
/// What <c>vigie demo</c> adds for collection: the SigmaHQ Linux, network, web and Windows rules, and the attack
/// recordings of Security-Datasets and Suricata's EVE examples as traffic of the CHU de Rabat, moved to the last
/// hours so that they show in today's searches and histograms. Both come from <c>../shared/data</c> when it is
/// there; loading twice adds nothing (rules are upserted, batches carry idempotency keys).
/// </summary>
internal static class CollectionDemo
{
    public const string Collector = "demo-relay";
    public const string Establishment = "CHU-RABAT";
    private static readonly string[] RuleFolders = ["linux", "network", "web", "windows"];

    public static async Task LoadAsync(IServiceProvider services, CancellationToken ct)
    {
        var data = FindSharedData(services.GetRequiredService<IConfiguration>());
        if (data is null)
        {
            Console.WriteLine("Collection: no ../shared/data beside the repository; no Sigma rules or demo traffic loaded (import rules with 'vigie rules import PATH').");
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<VigieDbContext>();
        var folders = RuleFolders.Select(f => Path.Combine(data, "sigma", "rules", f)).Where(Directory.Exists).ToList();
        if (folders.Count > 0 && !await db.DetectionRules.AnyAsync(ct))
        {
            var result = await sp.GetRequiredService<RuleLibrary>().ImportAsync(folders, ct);
            Console.WriteLine($"Collection: {result.Added} SigmaHQ rules imported from {Path.Combine(data, "sigma", "rules")} ({string.Join(", ", RuleFolders)}).");
        }
        var collector = await db.Collectors.AsNoTracking().SingleOrDefaultAsync(c => c.Name == Collector, ct);
        if (collector is null)
        {
            if (!await db.Establishments.AnyAsync(e => e.Code == Establishment, ct))
                return;
            collector = (await sp.GetRequiredService<CollectorRegistry>().AddAsync(Collector, Establishment, new Actor("demo"), AccessScope.Everything, ct)).Collector;
        }
        var sink = services.GetRequiredService<EventSink>();
        var writer = services.GetRequiredService<EventWriter>();
        var code = await sink.CodeOfAsync(collector.EstablishmentId, ct);
        var files = new List<string>();
        var datasets = Path.Combine(data, "security-datasets");
        if (Directory.Exists(datasets))
            files.AddRange(Directory.EnumerateFiles(datasets, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".log", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var eve = Path.Combine(data, "suricata", "eve-json-format.examples.jsonl");
        if (File.Exists(eve))
            files.Add(eve);
        var pending = new List<Task<bool>>();
        long events = 0;
        var now = DateTime.UtcNow;
        foreach (var file in files)
        {
            var context = new IngestContext(collector.EstablishmentId, code, Collector, "file", DateTimeOffset.UtcNow);
            var batch = new List<EventToStore>();
            var n = 0;
            foreach (var line in File.ReadLines(file))
            {
                n++;
                if (line.Trim().Length == 0)
                    continue;
                batch.Add(IngestBatchReader.LooksLikeAudit(line)
                    ? IngestBatchReader.ReadAuditLine(line, context)
                    : new EventToStore(default, collector.EstablishmentId, IngestBatchReader.ReadJsonLine(Encoding.UTF8.GetBytes(line), n, context, out _)));
            }
            if (batch.Count == 0)
                continue;
            // The recordings are from 2020–2023: move each so that its last event is a few minutes ago.
            var latest = batch.Max(e => e.Document.Timestamp);
            var shift = now.AddMinutes(-5 - files.IndexOf(file) * 20) - latest;
            var moved = batch.Select(e =>
            {
                e.Document.Timestamp += shift;
                e.Document[EventFields.Timestamp] = EventTime.Format(e.Document.Timestamp);
                return new EventToStore(e.Document.Timestamp, e.EstablishmentId, e.Document);
            }).ToList();
            pending.Add(await writer.EnqueueAsync(new EventBatch(moved, Collector, "demo:" + Path.GetFileName(file)), ct));
            events += moved.Count;
        }
        var stored = 0;
        foreach (var task in pending)
            stored += await task ? 1 : 0;
        if (stored > 0)
            Console.WriteLine($"Collection: {events} demo events of CHU-RABAT loaded from Security-Datasets and Suricata's examples; detection runs on them at start.");
    }

    private static string? FindSharedData(IConfiguration configuration)
    {
        var candidates = new List<string>();
        if (configuration["demo_data"] is { Length: > 0 } configured)
            candidates.Add(configured);
        candidates.Add(Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data"));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
            {
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data"));
                break;
            }
        }
        return candidates.Select(Path.GetFullPath).FirstOrDefault(Directory.Exists);
    }
}
