using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Patients;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

/// <summary>
/// Every FHIR interaction, as one method each: decide the access, run it, write the ledger entry, answer. Nothing
/// is returned before its ledger entry is committed; a refusal is recorded like a success.
/// </summary>
public sealed partial class RecordGateway(VigieDbContext db, FhirResourceStore store, FhirSearch search, AccessDecider decider,
    LedgerWriter ledger, RecordKeyring keys, IMemoryCache cache, DuplicateFinder duplicates)
{
    public const string NotDecided = "not-decided";

    /// <summary>The resource types the API serves (AuditEvent is read from the ledger).</summary>
    public static IReadOnlyCollection<string> ServedTypes { get; } = FhirSearchParameters.ResourceTypes.Order(StringComparer.Ordinal).ToArray();

    public static bool IsServed(string type) => FhirSearchParameters.For(type).Count > 0;

    private static FhirResult Json(int status, byte[] body, string? location = null, int? version = null, DateTime? modified = null) =>
        new(status, body, location, version is { } v ? $"W/\"{v.ToString(CultureInfo.InvariantCulture)}\"" : null, modified);

    public static FhirResult Error(int status, string code, string message, IEnumerable<string>? details = null) =>
        new(status, OperationOutcomes.Error(code, message, details));

    private static void CheckType(string type)
    {
        if (!IsServed(type))
            throw new FhirException(400, "not-supported", $"resource type '{type}' is not supported; supported: {string.Join(", ", ServedTypes)}");
    }

    private static void CheckId(string id)
    {
        if (!FhirPrimitives.IsId(id))
            throw FhirException.Invalid($"'{id}' is not a resource id (1 to 64 letters, digits, '-' or '.')");
    }

    // ---------- read, vread, history ----------

    public async Task<FhirResult> ReadAsync(AccessSubject s, FhirRequestContext c, string type, string id, CancellationToken ct = default)
    {
        return await Guarded(s, c, "read", type, id, null, async () =>
        {
            if (type == "AuditEvent")
                return await ReadAuditEventAsync(s, c, id, ct);
            var row = await store.FindCurrentAsync(type, id, ct);
            if (row is null)
                return await Finish(s, c, "read", type, id, null, Error(404, "not-found", $"{type}/{id} does not exist"), null, ct);
            var decision = await decider.DecideAsync(s, new AccessRequest("read", type, row.PatientId, row.Confidentiality, row.Sensitivity, c.Purpose, c.Justification), ct);
            if (!decision.Permitted)
                return await Finish(s, c, "read", type, id, null, Refusal(decision), decision, ct);
            if (row.Deleted)
                return await Finish(s, c, "read", type, id, null, Error(410, "deleted", $"{type}/{id} was deleted (version {row.VersionId})"), decision, ct);
            var json = await store.ContentAsync(row, ct);
            json = Disclose(s, type, json, decision);
            return await Finish(s, c, "read", type, id, null, Json(200, json, null, row.VersionId, row.LastUpdated), decision, ct);
        }, ct);
    }

    public async Task<FhirResult> VReadAsync(AccessSubject s, FhirRequestContext c, string type, string id, string versionText, CancellationToken ct = default)
    {
        return await Guarded(s, c, "vread", type, id, null, async () =>
        {
            if (!int.TryParse(versionText, CultureInfo.InvariantCulture, out var version) || version < 1)
                throw FhirException.Invalid($"'{versionText}' is not a version number");
            var row = await store.FindVersionAsync(type, id, version, ct);
            if (row is null)
                return await Finish(s, c, "vread", type, id, null, Error(404, "not-found", $"{type}/{id} has no version {version}"), null, ct);
            var decision = await decider.DecideAsync(s, new AccessRequest("vread", type, row.PatientId, row.Confidentiality, row.Sensitivity, c.Purpose, c.Justification), ct);
            if (!decision.Permitted)
                return await Finish(s, c, "vread", type, id, null, Refusal(decision), decision, ct);
            if (row.Deleted)
                return await Finish(s, c, "vread", type, id, null, Error(410, "deleted", $"version {version} of {type}/{id} is its deletion"), decision, ct);
            var json = Disclose(s, type, await store.ContentAsync(row, ct), decision);
            return await Finish(s, c, "vread", type, id, null, Json(200, json, null, row.VersionId, row.LastUpdated), decision, ct);
        }, ct);
    }

    public async Task<FhirResult> HistoryAsync(AccessSubject s, FhirRequestContext c, string type, string id, int count, CancellationToken ct = default)
    {
        return await Guarded(s, c, "history", type, id, null, async () =>
        {
            var current = await store.FindReadOnlyAsync(type, id, ct);
            if (current is null)
                return await Finish(s, c, "history", type, id, null, Error(404, "not-found", $"{type}/{id} does not exist"), null, ct);
            var decision = await decider.DecideAsync(s, new AccessRequest("history", type, current.PatientId, current.Confidentiality, current.Sensitivity, c.Purpose, c.Justification), ct);
            if (!decision.Permitted)
                return await Finish(s, c, "history", type, id, null, Refusal(decision), decision, ct);
            var versions = await store.HistoryAsync(type, id, Math.Clamp(count, 1, FhirSearchQuery.MaxCount), ct);
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, FhirJson.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("resourceType", "Bundle");
                w.WriteString("type", "history");
                w.WriteNumber("total", current.VersionId);
                w.WriteStartArray("link");
                Link(w, "self", $"{c.BaseUrl}/{type}/{id}/_history");
                w.WriteEndArray();
                w.WriteStartArray("entry");
                foreach (var v in versions)
                {
                    w.WriteStartObject();
                    w.WriteString("fullUrl", $"{c.BaseUrl}/{type}/{id}");
                    if (!v.Deleted)
                    {
                        w.WritePropertyName("resource");
                        w.WriteRawValue(Disclose(s, type, await store.ContentAsync(v, ct), decision), skipInputValidation: true);
                    }
                    w.WriteStartObject("request");
                    w.WriteString("method", v.Method switch { "create" => "POST", "delete" => "DELETE", _ => "PUT" });
                    w.WriteString("url", v.Method == "create" ? type : $"{type}/{id}");
                    w.WriteEndObject();
                    w.WriteStartObject("response");
                    w.WriteString("status", v.Method switch { "create" => "201", "delete" => "204", _ => "200" });
                    w.WriteString("etag", $"W/\"{v.VersionId.ToString(CultureInfo.InvariantCulture)}\"");
                    w.WriteString("lastModified", FhirJson.Instant(v.LastUpdated));
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return await Finish(s, c, "history", type, id, null, Json(200, stream.ToArray()), decision, ct);
        }, ct);
    }

    // ---------- search ----------

    public async Task<FhirResult> SearchAsync(AccessSubject s, FhirRequestContext c, string type, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken ct = default)
    {
        var names = string.Join(',', parameters.Select(p => p.Key).Where(k => !FhirSearchQuery.ControlParameters.Contains(k)).Distinct());
        return await Guarded(s, c, "search", type, null, names, async () =>
        {
            if (type == "AuditEvent")
                return await SearchAuditEventsAsync(s, c, parameters, ct);
            var query = FhirSearchQuery.Parse(type, parameters);
            AccessDecision? patientDecision = null;
            if (query.PatientId is { } patient)
            {
                patientDecision = await decider.DecideAsync(s, new AccessRequest("search", type, patient, "N", null, c.Purpose, c.Justification), ct);
                if (!patientDecision.Permitted)
                    return await Finish(s, c, "search", type, null, query.Names, Refusal(patientDecision), patientDecision, ct);
            }
            else
            {
                // A search across patients: the caller must at least be allowed to search this type.
                var typeDecision = await decider.DecideAsync(s, new AccessRequest("search", type, null, "N", null, c.Purpose, c.Justification), ct);
                if (typeDecision.Effect == AccessEffect.Deny && !AccessDecider.IsCompartmentType(type))
                    return await Finish(s, c, "search", type, null, query.Names, Refusal(typeDecision), typeDecision, ct);
                if (typeDecision.Effect == AccessEffect.Deny && typeDecision.RuleId is "smart-scope" or "no-record-role" or "purpose-not-treatment" or "patient-other-records")
                    return await Finish(s, c, "search", type, null, query.Names, Refusal(typeDecision), typeDecision, ct);
            }
            var page = await search.RunAsync(query, ct);
            var included = new List<(StoredResource Row, byte[] Json)>();
            var decisions = new Dictionary<string, AccessDecision>(StringComparer.Ordinal);
            var withheld = new List<string>();
            // Rows of one patient with the same label and sensitivity get the same decision: decided once per search.
            var decided = new Dictionary<(string?, string, string?), AccessDecision>();
            foreach (var row in page.Rows)
            {
                var facts = (row.PatientId, row.Confidentiality, row.Sensitivity);
                if (!decided.TryGetValue(facts, out var decision))
                {
                    decision = await decider.DecideAsync(s, new AccessRequest("search", type, row.PatientId, row.Confidentiality, row.Sensitivity, c.Purpose, c.Justification), ct);
                    decided[facts] = decision;
                }
                if (!decision.Permitted)
                {
                    withheld.Add(decision.Effect == AccessEffect.BreakTheGlass ? $"{type}/{row.Id}: break-the-glass required" : $"{type}/{row.Id}: denied");
                    continue;
                }
                if (row.PatientId is not null)
                    decisions.TryAdd(row.PatientId, decision);
                included.Add((row, Disclose(s, type, await store.ContentAsync(row, ct), decision)));
            }
            // The grant was created by the patient-level decision (the rows' own decisions find it already there): its
            // ledger entry goes with that patient's.
            if (patientDecision is { GrantCreated: true } && query.PatientId is { } granted && decisions.ContainsKey(granted))
                decisions[granted] = patientDecision;
            var body = SearchBundle(c, type, query, page, included, withheld, parameters);
            var result = Json(200, body);
            // One ledger entry per patient whose data was returned, so privacy monitoring sees each record touched.
            if (decisions.Count == 0)
                return await Finish(s, c, "search", type, null, query.Names, result, patientDecision, ct, withheld.Count > 0 ? $"{withheld.Count} result(s) withheld" : null);
            foreach (var (_, decision) in decisions)
                await Append(s, c, "search", type, null, query.Names, 200, decision, null);
            return result;
        }, ct);
    }

    private static byte[] SearchBundle(FhirRequestContext c, string type, FhirSearchQuery query, FhirSearch.Page page, List<(StoredResource Row, byte[] Json)> included,
        List<string> withheld, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        // Written straight into one buffer sized for the resources it carries. Through a stream, the writer's own buffer
        // grew from 256 bytes by doubling, a page of ten Observations (11 KB) copied at each step, then into the stream.
        var size = 1024;
        foreach (var (_, json) in included)
            size += json.Length + 256;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(size);
        using (var w = new Utf8JsonWriter(buffer, FhirJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "Bundle");
            w.WriteString("type", "searchset");
            if (page.Total is { } total)
                w.WriteNumber("total", total);
            PageLinks(w, $"{c.BaseUrl}/{type}", parameters, query.Offset, query.Count, page.More, previous: true);
            if (included.Count > 0 || withheld.Count > 0)
            {
                w.WriteStartArray("entry");
                foreach (var (row, json) in included)
                {
                    w.WriteStartObject();
                    w.WriteString("fullUrl", $"{c.BaseUrl}/{row.ResourceType}/{row.Id}");
                    w.WritePropertyName("resource");
                    w.WriteRawValue(json, skipInputValidation: true);
                    w.WriteStartObject("search");
                    w.WriteString("mode", "match");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                if (withheld.Count > 0)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("resource");
                    w.WriteRawValue(OperationOutcomes.Write(withheld.Select(x => new OperationOutcomes.Issue("warning", "suppressed", x))), skipInputValidation: true);
                    w.WriteStartObject("search");
                    w.WriteString("mode", "outcome");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A searchset's <c>link</c> array: <c>self</c>, <c>next</c> when another page follows, and <c>previous</c> past the first
    /// page when <paramref name="previous"/>; each the search's own parameters with the page's <c>_offset</c>.
    /// </summary>
    private static void PageLinks(Utf8JsonWriter w, string url, IReadOnlyList<KeyValuePair<string, string>> parameters, int offset, int count, bool more, bool previous)
    {
        var baseQuery = string.Join('&', parameters.Where(p => p.Key != "_offset").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        string Url(int at) => $"{url}?{baseQuery}{(baseQuery.Length > 0 ? "&" : "")}_offset={at.ToString(CultureInfo.InvariantCulture)}";
        w.WriteStartArray("link");
        Link(w, "self", Url(offset));
        if (more)
            Link(w, "next", Url(offset + count));
        if (previous && offset > 0)
            Link(w, "previous", Url(Math.Max(0, offset - Math.Max(count, 1))));
        w.WriteEndArray();
    }

    private static void Link(Utf8JsonWriter w, string relation, string url)
    {
        w.WriteStartObject();
        w.WriteString("relation", relation);
        w.WriteString("url", url);
        w.WriteEndObject();
    }

    // ---------- create, update, delete ----------

    public static JsonObject ParseResource(byte[] body, string? expectedType)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw FhirException.Invalid($"the body is not JSON: {e.Message}");
        }
        using (document)
        {
            var issues = FhirValidator.Validate(document.RootElement, expectedType);
            if (issues.Count > 0)
                throw FhirException.Invalid($"the {expectedType ?? "resource"} is not valid FHIR R4 ({issues.Count} problem(s))", issues.Select(i => i.ToString()).ToList());
            return JsonNode.Parse(body)!.AsObject();
        }
    }

    public async Task<FhirResult> CreateAsync(AccessSubject s, FhirRequestContext c, string type, byte[] body, CancellationToken ct = default)
    {
        return await Guarded(s, c, "create", type, null, null, async () =>
        {
            var resource = ParseResource(body, type);
            using var parsed = JsonDocument.Parse(body);
            var labels = ResourceLabels.Of(parsed.RootElement);
            var patient = type == "Patient" ? null : FhirResourceStore.PatientOf(type, "", parsed.RootElement);
            var missing = await store.MissingReferencesAsync(resource, null, ct);
            if (missing.Count > 0)
                throw FhirException.Invalid($"{missing.Count} reference(s) point to resources that do not exist", missing.Select(m => $"{type}: reference '{m}' does not resolve").ToList());
            var decision = await decider.DecideAsync(s, new AccessRequest("create", type, patient, labels.Confidentiality, labels.Sensitivity, c.Purpose, c.Justification), ct);
            if (!decision.Permitted)
                return await Finish(s, c, "create", type, null, null, Refusal(decision), decision, ct);
            var id = Guid.NewGuid().ToString();
            // Recorded before it runs (a failure is recorded after it, as a second entry): a write is never unrecorded.
            await Append(s, c, "create", type, id, null, 201, decision, null, patientId: type == "Patient" ? id : patient);
            var written = await StoreTransaction.RunAsync(db, async token =>
            {
                var w = await store.CreateAsync(resource, s.EstablishmentId, id, token);
                await db.SaveChangesAsync(token);
                return w;
            }, ct);
            var result = Json(201, written.Json, $"{c.BaseUrl}/{type}/{written.Row.Id}/_history/{written.Row.VersionId.ToString(CultureInfo.InvariantCulture)}", written.Row.VersionId, written.Row.LastUpdated);
            if (type != "Patient")
                return result;
            // Duplicate detection on registration: the registrant is told, and the ledger keeps it. Only candidates
            // registered within the registrant's establishments are named: the header, the ledger entry and the event
            // it becomes are read at the registrant's establishment, and a patient of another establishment is not
            // theirs to learn of (the national centre finds every candidate with `vigie records duplicates`).
            var scope = await ScopeAsync(s, ct);
            var candidates = await duplicates.FindAsync(id, scope, ct);
            if (candidates.Count == 0)
                return result;
            await Append(s, c, "duplicate-check", type, id, null, 201, decision,
                $"possible duplicate of {string.Join(", ", candidates.Select(d => $"Patient/{d.PatientId} ({d.Level}, score {d.Score.ToString(CultureInfo.InvariantCulture)})"))}", patientId: id);
            return result with { PossibleDuplicates = string.Join(", ", candidates.Select(d => $"Patient/{d.PatientId}")) };
        }, ct);
    }

    public async Task<FhirResult> UpdateAsync(AccessSubject s, FhirRequestContext c, string type, string id, byte[] body, string? ifMatch, CancellationToken ct = default)
    {
        return await Guarded(s, c, "update", type, id, null, async () =>
        {
            var resource = ParseResource(body, type);
            if (resource["id"]?.GetValue<string>() is { } bodyId && bodyId != id)
                throw FhirException.Invalid($"the resource's id '{bodyId}' does not match the URL's id '{id}'");
            if (resource["id"] is null)
                throw FhirException.Invalid($"{type}.id is required in an update and must be '{id}'");
            int? expected = null;
            if (!string.IsNullOrEmpty(ifMatch))
            {
                var v = ifMatch.Replace("W/", "", StringComparison.Ordinal).Trim('"');
                expected = int.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : throw FhirException.Invalid($"If-Match '{ifMatch}' is not a version (W/\"3\")");
            }
            using var parsed = JsonDocument.Parse(body);
            var labels = ResourceLabels.Of(parsed.RootElement);
            var existing = await store.FindReadOnlyAsync(type, id, ct);
            var patient = type == "Patient" ? id : FhirResourceStore.PatientOf(type, id, parsed.RootElement);
            var interaction = existing is null ? "create" : "update";
            var missing = await store.MissingReferencesAsync(resource, null, ct);
            if (missing.Count > 0)
                throw FhirException.Invalid($"{missing.Count} reference(s) point to resources that do not exist", missing.Select(m => $"{type}: reference '{m}' does not resolve").ToList());
            var decision = await decider.DecideAsync(s, new AccessRequest(interaction, type, type == "Patient" && existing is null ? null : patient, labels.Confidentiality, labels.Sensitivity, c.Purpose, c.Justification), ct);
            if (decision.Permitted && existing?.PatientId is { } before && before != patient)
                decision = await decider.DecideAsync(s, new AccessRequest("update", type, before, existing.Confidentiality, existing.Sensitivity, c.Purpose, c.Justification), ct);
            if (!decision.Permitted)
                return await Finish(s, c, "update", type, id, null, Refusal(decision), decision, ct);
            if (expected is { } e && existing?.VersionId != e)
                throw new FhirException(412, "conflict", $"{type}/{id} is at version {existing?.VersionId.ToString(CultureInfo.InvariantCulture) ?? "none"}, not {e} (If-Match)");
            var withPatient = type == "Patient" && existing is not null ? decision with { Patient = await decider.PatientContextAsync(id, ct) } : decision;
            await Append(s, c, interaction, type, id, null, existing is null ? 201 : 200, withPatient, null, patientId: patient);
            var written = await StoreTransaction.RunAsync(db, async token =>
            {
                var w = await store.UpdateAsync(type, id, resource, expected, s.EstablishmentId, token);
                await db.SaveChangesAsync(token);
                return w;
            }, ct);
            var status = written.Created ? 201 : 200;
            return Json(status, written.Json, written.Created ? $"{c.BaseUrl}/{type}/{id}/_history/{written.Row.VersionId.ToString(CultureInfo.InvariantCulture)}" : null, written.Row.VersionId, written.Row.LastUpdated);
        }, ct);
    }

    public async Task<FhirResult> DeleteAsync(AccessSubject s, FhirRequestContext c, string type, string id, CancellationToken ct = default)
    {
        return await Guarded(s, c, "delete", type, id, null, async () =>
        {
            var existing = await store.FindReadOnlyAsync(type, id, ct);
            if (existing is null)
                return await Finish(s, c, "delete", type, id, null, Error(404, "not-found", $"{type}/{id} does not exist"), null, ct);
            var decision = await decider.DecideAsync(s, new AccessRequest("delete", type, existing.PatientId, existing.Confidentiality, existing.Sensitivity, c.Purpose, c.Justification), ct);
            if (!decision.Permitted)
                return await Finish(s, c, "delete", type, id, null, Refusal(decision), decision, ct);
            if (existing.Deleted)
                return await Finish(s, c, "delete", type, id, null, new FhirResult(204, []), decision, ct);
            await Append(s, c, "delete", type, id, null, 204, decision, null);
            await StoreTransaction.RunAsync(db, async token =>
            {
                await store.DeleteAsync(type, id, token);
                await db.SaveChangesAsync(token);
            }, ct);
            return new FhirResult(204, []);
        }, ct);
    }

    // ---------- disclosure, refusal, ledger ----------

    /// <summary>Only qualified identities travel across establishments with their national identifier.</summary>
    private static byte[] Disclose(AccessSubject s, string type, byte[] json, AccessDecision decision)
    {
        if (type != "Patient" || decision.Patient is not { } p || p.Trust == IdentityTrust.Qualified ||
            p.EstablishmentId is null || p.EstablishmentId == s.EstablishmentId || s.OwnPatientId == p.PatientId)
            return json;
        var node = JsonNode.Parse(json)!.AsObject();
        if (node["identifier"] is JsonArray identifiers)
        {
            foreach (var identifier in identifiers.ToList())
            {
                if (identifier?["system"]?.GetValue<string>() == NationalHealthId.System)
                    identifiers.Remove(identifier);
            }
            if (identifiers.Count == 0)
                node.Remove("identifier");
        }
        return FhirJson.Serialize(node);
    }

    public static FhirResult Refusal(AccessDecision decision)
    {
        var status = 403;
        var btg = decision.Effect == AccessEffect.BreakTheGlass;
        var issues = decision.Reasons.Select(r => new OperationOutcomes.Issue("error", "forbidden", r)).ToList();
        var body = OperationOutcomes.Write(issues, new Dictionary<string, string>
        {
            ["urn:vigie:access-decision"] = decision.Effect.ToCode(),
            ["urn:vigie:break-the-glass-possible"] = btg ? "true" : "false",
            ["urn:vigie:access-policy"] = $"{decision.PolicyVersion}#{decision.RuleId}",
        });
        return new FhirResult(status, body);
    }

    /// <summary>What a client is told when the node cannot open the record keys; the operator is told why at start-up.</summary>
    public const string KeysUnavailable = "patient records are not available on this node: its key-encryption key is missing or does not open the record keys";

    /// <summary>
    /// Loads the record keys. Without its key-encryption key, or with another one than the keys were wrapped with, the
    /// node's configuration is at fault, not the request: 503, and nothing of the key's whereabouts in the answer.
    /// </summary>
    private async Task LoadKeysAsync(CancellationToken ct)
    {
        try
        {
            await keys.EnsureLoadedAsync(ct);
        }
        catch (VigieException)
        {
            throw new FhirException(503, "exception", KeysUnavailable);
        }
    }

    private async Task<FhirResult> Guarded(AccessSubject s, FhirRequestContext c, string action, string type, string? id, string? query, Func<Task<FhirResult>> work, CancellationToken ct)
    {
        try
        {
            CheckType(type);
            if (id is not null)
                CheckId(id);
            await LoadKeysAsync(ct);
            return await work();
        }
        catch (FhirException e)
        {
            db.ChangeTracker.Clear();
            var result = Error(e.Status, e.Code, e.Message, e.Details);
            await Append(s, c, action, IsServed(type) ? type : null, id is not null && FhirPrimitives.IsId(id) ? id : null, query, e.Status, null, e.Message);
            return result;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            await Append(s, c, action, type, id, query, 409, null, "concurrent change");
            return Error(409, "conflict", $"{type}{(id is null ? "" : "/" + id)} was changed by another request at the same time; retry");
        }
    }

    private async Task<FhirResult> Finish(AccessSubject s, FhirRequestContext c, string action, string type, string? id, string? query, FhirResult result,
        AccessDecision? decision, CancellationToken ct, string? note = null)
    {
        await Append(s, c, action, type, id, query, result.Status, decision, note);
        return result;
    }

    public async Task Append(AccessSubject s, FhirRequestContext c, string action, string? type, string? id, string? query, int status, AccessDecision? decision, string? note,
        string? patientId = null)
    {
        var establishments = await EstablishmentCodesAsync();
        var patient = decision?.Patient;
        var reasons = decision?.Reasons ?? [];
        if (note is not null)
            reasons = [.. reasons, note];
        var entry = new LedgerEntry
        {
            RequestId = c.RequestId,
            ClientAddress = c.ClientAddress,
            UserId = s.UserId == Guid.Empty ? null : s.UserId.ToString(),
            UserName = s.UserName,
            UserRoles = string.Join(',', s.Roles),
            UserEstablishment = s.EstablishmentId is { } ue && establishments.TryGetValue(ue, out var uc) ? uc : null,
            UserProfession = s.Profession,
            PatientId = patient?.PatientId ?? patientId,
            PatientRef = patient is null ? null : PatientReference(patient),
            PatientEstablishment = patient?.EstablishmentId is { } pe && establishments.TryGetValue(pe, out var pc) ? pc : null,
            Action = action,
            ResourceType = type,
            ResourceId = id,
            Query = query is { Length: > 0 } ? query : null,
            Status = status,
            Decision = decision?.Effect.ToCode() ?? NotDecided,
            Reasons = reasons.Count == 0 ? null : string.Join("; ", reasons),
            Purpose = c.Purpose,
            BreakGlass = decision?.BreakGlass ?? false,
            Justification = decision?.BreakGlass == true || c.Purpose == PurposeOfUse.BreakTheGlass ? c.Justification : null,
            CareRelationship = decision?.CareRelationship,
            PrivacyFlags = decision?.PrivacyFlags ?? 0,
            PolicyVersion = decision is null ? null : $"{decision.PolicyVersion}#{decision.RuleId}",
            PrevHash = [],
            Hash = [],
        };
        // Reads change nothing in the record: their entries may be answered once queued (ledger_acknowledge=queued),
        // except under break-the-glass, whose every access waits for its entry.
        await ledger.AppendAsync(entry, mayQueue: decision?.BreakGlass != true && action is "read" or "vread" or "history" or "search");
        if (decision?.GrantCreated == true)
        {
            await ledger.AppendAsync(new LedgerEntry
            {
                RequestId = c.RequestId, ClientAddress = c.ClientAddress, UserId = entry.UserId, UserName = s.UserName, UserRoles = entry.UserRoles,
                UserEstablishment = entry.UserEstablishment, UserProfession = s.Profession, PatientId = entry.PatientId, PatientRef = entry.PatientRef,
                PatientEstablishment = entry.PatientEstablishment, Action = "break-glass", Status = status, Decision = "permit",
                Reasons = $"break-the-glass granted for {decider.Policy.BreakGlassHours} hours; the data protection officer and the patient's establishment are alerted",
                Purpose = PurposeOfUse.BreakTheGlass, BreakGlass = true, Justification = c.Justification, CareRelationship = entry.CareRelationship,
                PrivacyFlags = entry.PrivacyFlags, PolicyVersion = entry.PolicyVersion, PrevHash = [], Hash = [],
            });
        }
    }

    /// <summary>The national identifier when the identity is qualified; otherwise a keyed pseudonym of it.</summary>
    public string PatientReference(PatientContext patient) =>
        patient.NationalId is null ? $"pseudo:{keys.BlindIndexHex("ledger.pseudonym", patient.PatientId)}" :
        patient.Trust == IdentityTrust.Qualified ? patient.NationalId : $"pseudo:{keys.BlindIndexHex("ledger.pseudonym", patient.NationalId)}";

    public async Task<IReadOnlyDictionary<Guid, string>> EstablishmentCodesAsync()
    {
        if (cache.TryGetValue("records-establishment-codes", out IReadOnlyDictionary<Guid, string>? codes) && codes is not null)
            return codes;
        codes = await db.Establishments.AsNoTracking().ToDictionaryAsync(e => e.Id, e => e.Code);
        cache.Set("records-establishment-codes", codes, TimeSpan.FromSeconds(60));
        return codes;
    }
}
