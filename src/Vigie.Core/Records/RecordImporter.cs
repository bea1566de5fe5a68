using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

/// <summary>
/// <c>vigie records import</c>: FHIR transaction bundles (<c>.json</c>) and bulk-export NDJSON (<c>.ndjson</c>,
/// one resource per line, ids kept) into the store, each file or NDJSON set all or nothing. References are
/// resolved (urn:uuid, conditional <c>Type?identifier=system|value</c>); patients receive their national health
/// identifier. One ledger entry per file records the import.
/// </summary>
public sealed class RecordImporter(VigieDbContext db, RecordGateway gateway, FhirResourceStore store, RecordKeyring keys, LedgerWriter ledger)
{
    public sealed record Report(string File, int Resources, IReadOnlyDictionary<string, int> ByType);

    // Referenced types first, so that a reference always meets its target.
    private static readonly string[] Order =
        ["Organization", "Location", "Practitioner", "PractitionerRole", "Patient", "Encounter", "EpisodeOfCare", "CareTeam", "Condition", "Device", "Medication"];

    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                // In a folder, NDJSON files are taken when named by resource type as bulk exports name them (Patient.000.ndjson), which leaves out their log.ndjson.
                files.AddRange(Directory.EnumerateFiles(path).Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ||
                    (f.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) && RecordGateway.IsServed(Path.GetFileName(f).Split('.')[0]))).Order(StringComparer.Ordinal));
            else if (File.Exists(path))
                files.Add(path);
            else
                throw VigieException.Invalid($"'{path}' does not exist");
        }
        return files;
    }

    public async Task<List<Report>> ImportAsync(IReadOnlyList<string> files, Guid? establishmentId, string actor, CancellationToken ct = default)
    {
        await keys.EnsureLoadedAsync(ct);
        var reports = new List<Report>();
        // Bundles that hold only directory data (hospitals, practitioners) go first: patients' bundles may refer to them.
        var bundles = files.Where(f => !f.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => Path.GetFileName(f).StartsWith("hospital", StringComparison.OrdinalIgnoreCase) ? 0 : Path.GetFileName(f).StartsWith("practitioner", StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            .ThenBy(f => f, StringComparer.Ordinal).ToList();
        var ndjson = files.Where(f => f.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var file in bundles)
            reports.Add(await ImportBundleAsync(file, establishmentId, actor, ct));
        if (ndjson.Count > 0)
            reports.AddRange(await ImportNdjsonAsync(ndjson, establishmentId, actor, ct));
        return reports;
    }

    private async Task<Report> ImportBundleAsync(string file, Guid? establishmentId, string actor, CancellationToken ct)
    {
        JsonObject bundle;
        try
        {
            bundle = RecordGateway.ParseResource(await File.ReadAllBytesAsync(file, ct), null);
        }
        catch (FhirException e)
        {
            throw VigieException.Invalid($"{file}: {e.Message}{(e.Details.Count > 0 ? ": " + string.Join("; ", e.Details.Take(5)) : "")}");
        }
        if (bundle["resourceType"]?.GetValue<string>() != "Bundle")
        {
            // A single resource: import it as a one-entry transaction.
            var type = bundle["resourceType"]!.GetValue<string>();
            bundle = new JsonObject
            {
                ["resourceType"] = "Bundle", ["type"] = "transaction",
                ["entry"] = new JsonArray(new JsonObject
                {
                    ["resource"] = bundle.DeepClone(),
                    ["request"] = bundle["id"] is { } id ? new JsonObject { ["method"] = "PUT", ["url"] = $"{type}/{id}" } : new JsonObject { ["method"] = "POST", ["url"] = type },
                }),
            };
        }
        if (bundle["type"]?.GetValue<string>() is not ("transaction" or "batch" or "collection"))
            throw VigieException.Invalid($"{file}: Bundle.type must be transaction, batch or collection");
        if (bundle["type"]!.GetValue<string>() == "collection")
        {
            foreach (var entry in bundle["entry"] as JsonArray ?? [])
            {
                var r = entry!["resource"]!;
                var type = r["resourceType"]!.GetValue<string>();
                entry.AsObject()["request"] = r["id"] is { } id ? new JsonObject { ["method"] = "PUT", ["url"] = $"{type}/{id}" } : new JsonObject { ["method"] = "POST", ["url"] = type };
            }
        }
        List<RecordGateway.TransactionEntry> entries;
        try
        {
            entries = await gateway.PrepareTransactionAsync(bundle, ct);
            await gateway.CommitTransactionAsync(entries, establishmentId, ct);
        }
        catch (FhirException e)
        {
            db.ChangeTracker.Clear();
            throw VigieException.Invalid($"{file}: {e.Message}{(e.Details.Count > 0 ? ": " + string.Join("; ", e.Details.Take(5)) : "")}");
        }
        var byType = entries.Where(e => !e.Skipped).GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count());
        await RecordAsync(file, actor, byType, ct);
        return new Report(file, byType.Values.Sum(), byType);
    }

    private async Task<List<Report>> ImportNdjsonAsync(List<string> files, Guid? establishmentId, string actor, CancellationToken ct)
    {
        var resources = new List<(string File, int Line, JsonObject Resource, string Type, string Id)>();
        var problems = new List<string>();
        foreach (var file in files)
        {
            var line = 0;
            foreach (var text in await File.ReadAllLinesAsync(file, ct))
            {
                line++;
                if (string.IsNullOrWhiteSpace(text))
                    continue;
                try
                {
                    var resource = RecordGateway.ParseResource(System.Text.Encoding.UTF8.GetBytes(text), null);
                    var type = resource["resourceType"]!.GetValue<string>();
                    var id = resource["id"]?.GetValue<string>();
                    if (!RecordGateway.IsServed(type) || type == "AuditEvent")
                        problems.Add($"{file}:{line}: resource type '{type}' is not supported");
                    else if (id is null)
                        problems.Add($"{file}:{line}: a bulk-export resource needs its id");
                    else
                        resources.Add((file, line, resource, type, id));
                }
                catch (FhirException e)
                {
                    problems.Add($"{file}:{line}: {e.Message}{(e.Details.Count > 0 ? ": " + string.Join("; ", e.Details.Take(3)) : "")}");
                }
                if (problems.Count >= 20)
                    break;
            }
        }
        if (problems.Count > 0)
            throw VigieException.Invalid($"{problems.Count} problem(s), nothing imported: {string.Join(" | ", problems.Take(5))}");

        var pending = resources.Select(r => $"{r.Type}/{r.Id}").ToHashSet(StringComparer.Ordinal);
        var identifiers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in resources)
        {
            foreach (var identifier in r.Resource["identifier"] as JsonArray ?? [])
            {
                if (identifier?["value"]?.GetValue<string>() is { } value)
                    identifiers.TryAdd($"{r.Type}?identifier={identifier["system"]?.GetValue<string>()}|{value}", $"{r.Type}/{r.Id}");
            }
        }
        foreach (var r in resources)
        {
            foreach (var (text, set) in FhirJson.References(r.Resource).ToList())
            {
                if (!FhirReference.TryParse(text, out var reference) || reference.Kind != FhirReferenceKind.Conditional)
                    continue;
                if (identifiers.TryGetValue(Uri.UnescapeDataString(text), out var target))
                {
                    set(target);
                    continue;
                }
                var query = FhirSearchQuery.Parse(reference.ResourceType!, [new("identifier", Uri.UnescapeDataString(text[(text.IndexOf("identifier=", StringComparison.Ordinal) + 11)..]))]);
                var page = await new FhirSearch(db, store, keys).RunAsync(query with { Count = 2, CountAll = false }, ct);
                if (page.Rows.Count == 1)
                    set($"{reference.ResourceType}/{page.Rows[0].Id}");
                else
                    problems.Add($"{r.File}:{r.Line}: conditional reference '{text}' matches {page.Rows.Count} resources");
            }
            foreach (var missing in await store.MissingReferencesAsync(r.Resource, pending, ct))
                problems.Add($"{r.File}:{r.Line}: reference '{missing}' does not resolve");
            if (problems.Count >= 20)
                break;
        }
        if (problems.Count > 0)
            throw VigieException.Invalid($"{problems.Count} unresolved reference(s), nothing imported: {string.Join(" | ", problems.Take(5))}");

        var ordered = resources.OrderBy(r => Array.IndexOf(Order, r.Type) is var i && i >= 0 ? i : Order.Length).ToList();
        await StoreTransaction.RunAsync(db, async token =>
        {
            var n = 0;
            foreach (var r in ordered)
            {
                await store.UpdateAsync(r.Type, r.Id, (System.Text.Json.Nodes.JsonObject)r.Resource.DeepClone(), null, establishmentId, token);
                if (++n % 500 == 0)
                {
                    await db.SaveChangesAsync(token);
                    db.ChangeTracker.Clear();
                }
            }
            await db.SaveChangesAsync(token);
        }, ct);
        db.ChangeTracker.Clear();
        var reports = new List<Report>();
        foreach (var group in resources.GroupBy(r => r.File))
        {
            var byType = group.GroupBy(r => r.Type).ToDictionary(g => g.Key, g => g.Count());
            await RecordAsync(group.Key, actor, byType, ct);
            reports.Add(new Report(group.Key, group.Count(), byType));
        }
        return reports;
    }

    private static async Task<string> FileHashAsync(string file, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct))[..16];
    }

    private async Task RecordAsync(string file, string actor, Dictionary<string, int> byType, CancellationToken ct)
    {
        await ledger.AppendAsync(new LedgerEntry
        {
            UserName = actor,
            Action = "import",
            // The file is named by its content's hash: file names of exports often carry patients' names.
            Query = $"file-sha256={await FileHashAsync(file, ct)};{string.Join(';', byType.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value.ToString(CultureInfo.InvariantCulture)}"))}",
            Status = 0,
            Decision = "permit",
            Reasons = "administrative import from the command line",
            PrevHash = [],
            Hash = [],
        });
    }
}
