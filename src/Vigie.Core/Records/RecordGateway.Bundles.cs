using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

public sealed partial class RecordGateway
{
    /// <summary>One entry of a transaction, after ids are assigned and references rewritten.</summary>
    public sealed record TransactionEntry(int Index, string Method, string Type, string Id, JsonObject? Resource, string? FullUrl, bool Skipped);

    /// <summary><c>POST /fhir</c>: a transaction (all or nothing) or a batch (each entry on its own).</summary>
    public async Task<FhirResult> BundleAsync(AccessSubject s, FhirRequestContext c, byte[] body, CancellationToken ct = default)
    {
        try
        {
            await LoadKeysAsync(ct);
            var bundle = ParseResource(body, "Bundle");
            var type = bundle["type"]?.GetValue<string>();
            if (type == "batch")
                return await BatchAsync(s, c, bundle, ct);
            if (type != "transaction")
                throw FhirException.Invalid($"Bundle.type '{type}' cannot be processed; POST a transaction or a batch");
            var entries = await PrepareTransactionAsync(bundle, ct);
            // Decide every entry first: a transaction with one refused entry is refused whole.
            var decisions = new AccessDecision?[entries.Count];
            foreach (var e in entries.Where(e => e.Method == "POST" && e.Type == "Patient"))
                decider.Registering.Add(e.Id);
            var refused = new List<string>();
            foreach (var e in entries)
            {
                if (e.Skipped)
                    continue;
                var interaction = e.Method switch { "POST" => "create", "PUT" => "update", _ => "delete" };
                string? patient;
                string label = "N";
                string? sensitivity = null;
                if (e.Resource is not null)
                {
                    using var doc = JsonDocument.Parse(FhirJson.Serialize(e.Resource));
                    var labels = ResourceLabels.Of(doc.RootElement);
                    (label, sensitivity) = (labels.Confidentiality, labels.Sensitivity);
                    patient = e.Type == "Patient" ? (e.Method == "POST" ? null : e.Id) : FhirResourceStore.PatientOf(e.Type, e.Id, doc.RootElement);
                }
                else
                {
                    patient = (await store.FindReadOnlyAsync(e.Type, e.Id, ct))?.PatientId;
                }
                var decision = await decider.DecideAsync(s, new AccessRequest(interaction, e.Type, patient, label, sensitivity, c.Purpose, c.Justification), ct);
                decisions[e.Index] = decision;
                if (!decision.Permitted)
                    refused.Add($"Bundle.entry[{e.Index}] ({e.Method} {e.Type}): {string.Join("; ", decision.Reasons)}");
            }
            if (refused.Count > 0)
            {
                foreach (var e in entries.Where(e => decisions[e.Index] is { Permitted: false }))
                    await Append(s, c, e.Method == "POST" ? "create" : e.Method == "PUT" ? "update" : "delete", e.Type, e.Id, null, 403, decisions[e.Index], "transaction refused");
                var outcome = OperationOutcomes.Write(refused.Select(r => new OperationOutcomes.Issue("error", "forbidden", r)),
                    new Dictionary<string, string> { ["urn:vigie:access-decision"] = "deny" });
                return new FhirResult(403, outcome);
            }
            foreach (var e in entries.Where(e => !e.Skipped))
            {
                var decision = decisions[e.Index]!;
                var patientId = e.Type == "Patient" ? e.Id : e.Resource is null ? null : PatientOfNode(e.Type, e.Resource);
                await Append(s, c, e.Method == "POST" ? "create" : e.Method == "PUT" ? "update" : "delete", e.Type, e.Id, null,
                    e.Method == "POST" ? 201 : e.Method == "PUT" ? 200 : 204, decision, "in a transaction", patientId);
            }
            var results = await CommitTransactionAsync(entries, s.EstablishmentId, ct);
            await Append(s, c, "transaction", null, null, $"entries={entries.Count.ToString(CultureInfo.InvariantCulture)}", 200, null, null);
            return new FhirResult(200, TransactionResponse(c, entries, results));
        }
        catch (FhirException e)
        {
            db.ChangeTracker.Clear();
            await Append(s, c, "transaction", null, null, null, e.Status, null, e.Message);
            return Error(e.Status, e.Code, e.Message, e.Details);
        }
    }

    private static string? PatientOfNode(string type, JsonObject resource)
    {
        using var doc = JsonDocument.Parse(FhirJson.Serialize(resource));
        return FhirResourceStore.PatientOf(type, "", doc.RootElement);
    }

    /// <summary>Assigns ids, resolves urn:uuid, conditional references and ifNoneExist, and checks every reference resolves.</summary>
    public async Task<List<TransactionEntry>> PrepareTransactionAsync(JsonObject bundle, CancellationToken ct)
    {
        var entries = new List<TransactionEntry>();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var raw = bundle["entry"] as JsonArray ?? [];
        var identifiers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var problems = new List<string>();
        for (var i = 0; i < raw.Count; i++)
        {
            var entry = raw[i]!.AsObject();
            var request = entry["request"] as JsonObject;
            var method = request?["method"]?.GetValue<string>();
            var url = request?["url"]?.GetValue<string>() ?? "";
            var resource = entry["resource"] as JsonObject;
            var fullUrl = entry["fullUrl"]?.GetValue<string>();
            if (method is null)
            {
                problems.Add($"Bundle.entry[{i}].request: a transaction entry needs request.method and request.url");
                continue;
            }
            string type, id;
            var skipped = false;
            switch (method)
            {
                case "POST":
                    type = resource?["resourceType"]?.GetValue<string>() ?? url.Split('?')[0];
                    if (resource is null || url.Split('?')[0] != type)
                    {
                        problems.Add($"Bundle.entry[{i}]: POST needs a resource whose type matches request.url '{url}'");
                        continue;
                    }
                    id = Guid.NewGuid().ToString();
                    if (request!["ifNoneExist"]?.GetValue<string>() is { } condition)
                    {
                        var found = await ConditionalMatchesAsync(type, condition, identifiers, ct);
                        if (found.Count > 1)
                        {
                            problems.Add($"Bundle.entry[{i}].request.ifNoneExist: '{condition}' matches {found.Count} resources");
                            continue;
                        }
                        if (found.Count == 1)
                        {
                            id = found[0];
                            skipped = true;
                        }
                    }
                    break;
                case "PUT" or "DELETE":
                    var parts = url.Split('/');
                    if (parts.Length != 2 || !FhirPrimitives.IsId(parts[1]) || !IsServed(parts[0]))
                    {
                        problems.Add($"Bundle.entry[{i}].request.url: '{url}' must be Type/id for {method}");
                        continue;
                    }
                    (type, id) = (parts[0], parts[1]);
                    if (method == "PUT" && (resource is null || resource["resourceType"]?.GetValue<string>() != type))
                    {
                        problems.Add($"Bundle.entry[{i}]: PUT {url} needs a {type} resource");
                        continue;
                    }
                    break;
                default:
                    problems.Add($"Bundle.entry[{i}].request.method: {method} is not supported in a transaction (POST, PUT, DELETE)");
                    continue;
            }
            if (!IsServed(type) || type == "AuditEvent")
            {
                problems.Add($"Bundle.entry[{i}]: resource type '{type}' is not supported");
                continue;
            }
            if (fullUrl is not null)
                map[fullUrl] = $"{type}/{id}";
            if (resource is not null)
            {
                foreach (var identifier in resource["identifier"] as JsonArray ?? [])
                {
                    if (identifier?["value"]?.GetValue<string>() is { } value)
                    {
                        var key = $"{type}|{identifier["system"]?.GetValue<string>()}|{value}";
                        if (!identifiers.TryGetValue(key, out var list))
                            identifiers[key] = list = [];
                        list.Add(id);
                    }
                }
            }
            entries.Add(new TransactionEntry(i, method, type, id, resource is null ? null : (JsonObject)resource.DeepClone(), fullUrl, skipped));
        }
        if (problems.Count > 0)
            throw FhirException.Invalid($"the transaction has {problems.Count} invalid entr{(problems.Count == 1 ? "y" : "ies")}", problems);

        var pending = entries.Where(e => e.Method != "DELETE").Select(e => $"{e.Type}/{e.Id}").ToHashSet(StringComparer.Ordinal);
        foreach (var e in entries.Where(e => e.Resource is not null))
        {
            foreach (var (text, set) in FhirJson.References(e.Resource).ToList())
            {
                if (map.TryGetValue(text, out var target))
                {
                    set(target);
                }
                else if (FhirReference.TryParse(text, out var r) && r.Kind == FhirReferenceKind.Conditional)
                {
                    var found = await ConditionalMatchesAsync(r.ResourceType!, text[(text.IndexOf('?', StringComparison.Ordinal) + 1)..], identifiers, ct);
                    if (found.Count == 1)
                        set($"{r.ResourceType}/{found[0]}");
                    else
                        problems.Add($"Bundle.entry[{e.Index}] ({e.Type}): conditional reference '{text}' matches {found.Count} resources");
                }
                else if (r.Kind == FhirReferenceKind.Urn)
                {
                    problems.Add($"Bundle.entry[{e.Index}] ({e.Type}): reference '{text}' names no entry of the bundle");
                }
            }
            foreach (var missing in await store.MissingReferencesAsync(e.Resource!, pending, ct))
                problems.Add($"Bundle.entry[{e.Index}] ({e.Type}): reference '{missing}' does not resolve");
        }
        if (problems.Count > 0)
            throw FhirException.Invalid($"the transaction has {problems.Count} unresolved reference(s)", problems.Take(50).ToList());
        return entries;
    }

    /// <summary>Resolves <c>identifier=system|value</c> against the bundle's own entries, then the store's blind index.</summary>
    private async Task<List<string>> ConditionalMatchesAsync(string type, string condition, Dictionary<string, List<string>> bundleIdentifiers, CancellationToken ct)
    {
        var pairs = condition.Split('&').Select(p => p.Split('=', 2)).ToList();
        if (pairs.Count != 1 || pairs[0].Length != 2 || pairs[0][0] != "identifier")
            throw FhirException.Invalid($"conditional '{type}?{condition}': only identifier=system|value is supported");
        var value = Uri.UnescapeDataString(pairs[0][1]);
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        var key = bar >= 0 ? $"{type}|{value[..bar]}|{value[(bar + 1)..]}" : null;
        if (key is not null && bundleIdentifiers.TryGetValue(key, out var local))
            return local.Distinct().ToList();
        var query = FhirSearchQuery.Parse(type, [new("identifier", value)]);
        var page = await search.RunAsync(query with { Count = 2, CountAll = false }, ct);
        return page.Rows.Select(r => r.Id).ToList();
    }

    /// <summary>Writes a prepared transaction in one database transaction: deletes, then creates, then updates.</summary>
    public async Task<List<FhirResourceStore.Written?>> CommitTransactionAsync(List<TransactionEntry> entries, Guid? establishmentId, CancellationToken ct)
    {
        await keys.EnsureLoadedAsync(ct);
        var results = new FhirResourceStore.Written?[entries.Count];
        await StoreTransaction.RunAsync(db, token => WriteEntriesAsync(entries, results, establishmentId, token), ct);
        return [.. results];
    }

    private async Task WriteEntriesAsync(List<TransactionEntry> entries, FhirResourceStore.Written?[] results, Guid? establishmentId, CancellationToken ct)
    {
        var order = entries.Select((e, i) => (e, i)).OrderBy(x => x.e.Method switch { "DELETE" => 0, "POST" => 1, _ => 2 }).ToList();
        foreach (var (e, i) in order)
        {
            if (e.Skipped)
                continue;
            switch (e.Method)
            {
                case "DELETE":
                    await store.DeleteAsync(e.Type, e.Id, ct);
                    break;
                case "POST":
                    results[i] = await store.CreateAsync(e.Resource!, establishmentId, e.Id, ct);
                    break;
                default:
                    results[i] = await store.UpdateAsync(e.Type, e.Id, e.Resource!, null, establishmentId, ct);
                    break;
            }
        }
        await db.SaveChangesAsync(ct);
    }

    private static byte[] TransactionResponse(FhirRequestContext c, List<TransactionEntry> entries, List<FhirResourceStore.Written?> results)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, FhirJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "Bundle");
            w.WriteString("type", "transaction-response");
            w.WriteStartArray("entry");
            for (var i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                var written = results[i];
                w.WriteStartObject();
                w.WriteString("fullUrl", $"{c.BaseUrl}/{e.Type}/{e.Id}");
                w.WriteStartObject("response");
                w.WriteString("status", e.Skipped ? "200 OK" : e.Method switch { "POST" => "201 Created", "DELETE" => "204 No Content", _ => written?.Created == true ? "201 Created" : "200 OK" });
                if (written is not null)
                {
                    w.WriteString("location", $"{e.Type}/{e.Id}/_history/{written.Row.VersionId.ToString(CultureInfo.InvariantCulture)}");
                    w.WriteString("etag", $"W/\"{written.Row.VersionId.ToString(CultureInfo.InvariantCulture)}\"");
                    w.WriteString("lastModified", FhirJson.Instant(written.Row.LastUpdated));
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private async Task<FhirResult> BatchAsync(AccessSubject s, FhirRequestContext c, JsonObject bundle, CancellationToken ct)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, FhirJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "Bundle");
            w.WriteString("type", "batch-response");
            w.WriteStartArray("entry");
            foreach (var node in bundle["entry"] as JsonArray ?? [])
            {
                var entry = node!.AsObject();
                var method = entry["request"]?["method"]?.GetValue<string>() ?? "";
                var url = entry["request"]?["url"]?.GetValue<string>() ?? "";
                var resource = entry["resource"] is JsonObject r ? FhirJson.Serialize(r) : null;
                var path = url.Split('?')[0].Trim('/').Split('/');
                var query = url.Contains('?', StringComparison.Ordinal)
                    ? url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
                        .Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "")).ToList()
                    : [];
                db.ChangeTracker.Clear();
                var result = (method, path.Length) switch
                {
                    ("GET", 1) => await SearchAsync(s, c, path[0], query, ct),
                    ("GET", 2) => await ReadAsync(s, c, path[0], path[1], ct),
                    ("POST", 1) when resource is not null => await CreateAsync(s, c, path[0], resource, ct),
                    ("PUT", 2) when resource is not null => await UpdateAsync(s, c, path[0], path[1], resource, null, ct),
                    ("DELETE", 2) => await DeleteAsync(s, c, path[0], path[1], ct),
                    _ => Error(400, "invalid", $"batch entry '{method} {url}' is not supported"),
                };
                w.WriteStartObject();
                if (result.Body.Length > 0)
                {
                    w.WritePropertyName("resource");
                    w.WriteRawValue(result.Body, skipInputValidation: true);
                }
                w.WriteStartObject("response");
                w.WriteString("status", result.Status.ToString(CultureInfo.InvariantCulture));
                if (result.Location is not null)
                    w.WriteString("location", result.Location);
                if (result.ETag is not null)
                    w.WriteString("etag", result.ETag);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        await Append(s, c, "batch", null, null, null, 200, null, null);
        return new FhirResult(200, stream.ToArray());
    }
}
