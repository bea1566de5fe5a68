using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Vigie.Core.Data;
using Vigie.Core.Patients;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

/// <summary>
/// Reads and writes FHIR resources: versions, encryption at rest, the blind search index, care relationships and
/// the master patient index, all in the caller's unit of work (the caller saves and commits).
/// </summary>
public sealed class FhirResourceStore(VigieDbContext db, RecordKeyring keys, PatientIndex patients, AccessFactsCache facts, TimeProvider clock,
    ICurrentResourceReader? current = null)
{
    public sealed record Written(StoredResource Row, byte[] Json, bool Created);

    public VigieDbContext Db => db;

    public static string Associated(string type, string id, int version) => $"{type}/{id}/{version}";

    public Task<StoredResource?> FindAsync(string type, string id, CancellationToken ct = default) =>
        db.FhirResources.FindAsync([type, id], ct).AsTask();

    // Compiled once per model (one per store provider): translating the LINQ expression on every read cost about 15 %
    // of a FHIR read's CPU (measured, bench/fhir/run.sh).
    private static readonly ConcurrentDictionary<IModel, Func<VigieDbContext, string, string, CancellationToken, Task<StoredResource?>>> FindCurrent = new();

    /// <summary>
    /// The current version, read outside this unit of work (through the store's own reader when it has one): for a
    /// plain read, never inside a transaction that may have changed the resource.
    /// </summary>
    public Task<StoredResource?> FindCurrentAsync(string type, string id, CancellationToken ct = default) =>
        current is not null ? current.FindAsync(type, id, ct) : FindReadOnlyAsync(type, id, ct);

    public Task<StoredResource?> FindReadOnlyAsync(string type, string id, CancellationToken ct = default) =>
        FindCurrent.GetOrAdd(db.Model, static _ => EF.CompileAsyncQuery((VigieDbContext db, string type, string id, CancellationToken ct) =>
            db.FhirResources.AsNoTracking().SingleOrDefault(r => r.ResourceType == type && r.Id == id)))(db, type, id, ct);

    public Task<ResourceVersion?> FindVersionAsync(string type, string id, int version, CancellationToken ct = default) =>
        db.FhirResourceVersions.AsNoTracking().SingleOrDefaultAsync(r => r.ResourceType == type && r.Id == id && r.VersionId == version, ct);

    public Task<List<ResourceVersion>> HistoryAsync(string type, string id, int count, CancellationToken ct = default) =>
        db.FhirResourceVersions.AsNoTracking().Where(r => r.ResourceType == type && r.Id == id)
            .OrderByDescending(r => r.VersionId).Take(count).ToListAsync(ct);

    public async ValueTask<byte[]> ContentAsync(string type, string id, int version, byte[]? content, CancellationToken ct = default)
    {
        if (content is null)
            return [];
        return await keys.DecryptAsync(content, Associated(type, id, version), ct);
    }

    public ValueTask<byte[]> ContentAsync(StoredResource r, CancellationToken ct = default) => ContentAsync(r.ResourceType, r.Id, r.VersionId, r.Content, ct);

    public ValueTask<byte[]> ContentAsync(ResourceVersion r, CancellationToken ct = default) => ContentAsync(r.ResourceType, r.Id, r.VersionId, r.Content, ct);

    /// <summary>Creates a resource with a new id (or <paramref name="id"/> when importing).</summary>
    public async Task<Written> CreateAsync(JsonObject resource, Guid? establishmentId, string? id = null, CancellationToken ct = default)
    {
        var type = resource["resourceType"]!.GetValue<string>();
        id ??= Guid.NewGuid().ToString();
        if (await FindAsync(type, id, ct) is { } existing)
            return await WriteAsync(type, id, resource, existing, establishmentId, ct);
        return await WriteAsync(type, id, resource, null, establishmentId, ct);
    }

    /// <summary>Updates a resource, or creates it with the given id; <paramref name="ifMatch"/> is the version expected.</summary>
    public async Task<Written> UpdateAsync(string type, string id, JsonObject resource, int? ifMatch, Guid? establishmentId, CancellationToken ct = default)
    {
        var existing = await FindAsync(type, id, ct);
        if (ifMatch is { } expected && (existing is null || existing.VersionId != expected))
            throw new FhirException(412, "conflict", $"{type}/{id} is at version {existing?.VersionId.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, not {expected} (If-Match)");
        return await WriteAsync(type, id, resource, existing, establishmentId, ct);
    }

    public async Task<StoredResource?> DeleteAsync(string type, string id, CancellationToken ct = default)
    {
        var existing = await FindAsync(type, id, ct);
        if (existing is null || existing.Deleted)
            return existing;
        var now = Now();
        existing.VersionId++;
        existing.LastUpdated = now;
        existing.Deleted = true;
        existing.Content = null;
        db.FhirResourceVersions.Add(new ResourceVersion
        {
            ResourceType = type, Id = id, VersionId = existing.VersionId, LastUpdated = now, Deleted = true,
            PatientId = existing.PatientId, Confidentiality = existing.Confidentiality, Sensitivity = existing.Sensitivity,
            KeyId = existing.KeyId, Content = null, Method = "delete",
        });
        await db.FhirSearchIndex.Where(i => i.ResourceType == type && i.ResourceId == id).ExecuteDeleteAsync(ct);
        await db.CareRelationships.Where(c => c.SourceType == type && c.SourceId == id).ExecuteDeleteAsync(ct);
        facts.Invalidate(existing.PatientId);
        return existing;
    }

    private DateTime Now()
    {
        // Microsecond precision: what PostgreSQL keeps, so that versions compare equal on both stores.
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
    }

    private async Task<Written> WriteAsync(string type, string id, JsonObject resource, StoredResource? existing, Guid? establishmentId, CancellationToken ct)
    {
        await keys.EnsureLoadedAsync(ct);
        var now = Now();
        var version = (existing?.VersionId ?? 0) + 1;
        resource["id"] = id;
        var meta = resource["meta"] as JsonObject ?? new JsonObject();
        resource.Remove("meta");
        meta["versionId"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        meta["lastUpdated"] = FhirJson.Instant(now);
        // id and meta first, as FHIR servers write them; the rest keeps its order.
        var ordered = new JsonObject { ["resourceType"] = type, ["id"] = id, ["meta"] = meta };
        foreach (var (name, value) in resource.ToList())
        {
            if (name is "resourceType" or "id")
                continue;
            resource.Remove(name);
            ordered[name] = value;
        }
        if (type == "Patient")
            await patients.AssignNationalIdAsync(ordered, id, ct);

        var json = FhirJson.Serialize(ordered);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var labels = ResourceLabels.Of(root);
        var patientId = PatientOf(type, id, root);
        var content = keys.Encrypt(json, Associated(type, id, version));
        var owner = existing?.EstablishmentId ?? establishmentId;

        var row = existing ?? new StoredResource { ResourceType = type, Id = id };
        row.VersionId = version;
        row.LastUpdated = now;
        row.Deleted = false;
        row.PatientId = patientId;
        row.EstablishmentId = owner;
        row.Confidentiality = labels.Confidentiality;
        row.Sensitivity = labels.Sensitivity;
        row.KeyId = keys.ActiveKeyId;
        row.Content = content;
        if (existing is null)
            db.FhirResources.Add(row);
        db.FhirResourceVersions.Add(new ResourceVersion
        {
            ResourceType = type, Id = id, VersionId = version, LastUpdated = now, Deleted = false, PatientId = patientId,
            Confidentiality = labels.Confidentiality, Sensitivity = labels.Sensitivity, KeyId = row.KeyId, Content = content,
            Method = existing is null ? "create" : "update",
        });

        if (existing is not null)
        {
            await db.FhirSearchIndex.Where(i => i.ResourceType == type && i.ResourceId == id).ExecuteDeleteAsync(ct);
            await db.CareRelationships.Where(c => c.SourceType == type && c.SourceId == id).ExecuteDeleteAsync(ct);
        }
        Index(type, id, root);
        if (type is "Encounter" or "EpisodeOfCare" or "CareTeam" && patientId is not null)
            AddCareRelationships(type, id, patientId, root, owner);
        if (type == "Patient")
            await patients.OnPatientWrittenAsync(id, root, owner, labels, ct);
        if (type is "Patient" or "Encounter" or "EpisodeOfCare" or "CareTeam" or "Consent")
        {
            facts.Invalidate(patientId);
            facts.Invalidate(existing?.PatientId);
        }
        return new Written(row, json, existing is null);
    }

    /// <summary>The patient whose record a resource belongs to: its <c>patient</c> search parameter's target.</summary>
    public static string? PatientOf(string type, string id, JsonElement root)
    {
        if (type == "Patient")
            return id;
        if (!FhirSearchParameters.TryGet(type, "patient", out var parameter))
            return null;
        foreach (var reference in FhirSearchValues.References(root, parameter))
        {
            if (FhirReference.TryParse(reference, out var r) && r.Kind == FhirReferenceKind.Relative && r.ResourceType == "Patient")
                return r.Id;
        }
        return null;
    }

    private void Index(string type, string id, JsonElement root)
    {
        foreach (var parameter in FhirSearchParameters.For(type))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            switch (parameter.Type)
            {
                case FhirSearchParameterType.Token:
                    foreach (var token in FhirSearchValues.Tokens(root, parameter))
                    {
                        AddToken(type, id, parameter.Name, TokenKey(null, token.Code), seen);
                        if (token.System is not null)
                            AddToken(type, id, parameter.Name, TokenKey(token.System, token.Code), seen);
                    }
                    break;
                case FhirSearchParameterType.String:
                    foreach (var word in FhirSearchValues.Words(root, parameter))
                    {
                        for (var length = Math.Min(2, word.Length); length <= word.Length; length++)
                            AddToken(type, id, parameter.Name, word[..length], seen);
                    }
                    break;
                case FhirSearchParameterType.Reference:
                    foreach (var reference in FhirSearchValues.References(root, parameter))
                    {
                        if (FhirReference.TryParse(reference, out var r) && r.Kind == FhirReferenceKind.Relative)
                            AddToken(type, id, parameter.Name, $"{r.ResourceType}/{r.Id}", seen);
                    }
                    break;
                case FhirSearchParameterType.Date:
                    foreach (var date in FhirSearchValues.Dates(root, parameter))
                    {
                        db.FhirSearchIndex.Add(new SearchIndexEntry
                        {
                            ResourceType = type, ResourceId = id, Param = parameter.Name,
                            Low = FhirJson.Micros(date.Low), High = FhirJson.Micros(date.High),
                        });
                    }
                    break;
            }
        }
    }

    public static string TokenKey(string? system, string code) => system is null ? code : $"{system}|{code}";

    public byte[] IndexToken(string type, string param, string value) => keys.BlindIndex($"{type}.{param}", value);

    private void AddToken(string type, string id, string param, string value, HashSet<string> seen)
    {
        if (!seen.Add(value))
            return;
        db.FhirSearchIndex.Add(new SearchIndexEntry { ResourceType = type, ResourceId = id, Param = param, Token = IndexToken(type, param, value) });
    }

    private static readonly HashSet<string> ActiveStatuses = new(StringComparer.Ordinal)
    {
        "planned", "arrived", "triaged", "in-progress", "onleave", "active", "waitlist", "proposed",
    };

    private void AddCareRelationships(string type, string id, string patientId, JsonElement root, Guid? establishment)
    {
        var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "unknown";
        if (status is "entered-in-error" or "cancelled")
            return;
        DateTime? start = null, end = null;
        if (root.TryGetProperty("period", out var period) && period.ValueKind == JsonValueKind.Object)
        {
            if (period.TryGetProperty("start", out var ps) && FhirDate.TryParse(ps.GetString(), out var d1))
                start = d1.Low;
            if (period.TryGetProperty("end", out var pe) && FhirDate.TryParse(pe.GetString(), out var d2))
                end = d2.High;
        }
        var active = ActiveStatuses.Contains(status);
        var paths = type switch
        {
            "Encounter" => new[] { "participant.individual" },
            "EpisodeOfCare" => ["careManager", "team"],
            _ => ["participant.member"],
        };
        var practitioners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var reference in FhirSearchValues.References(root, new FhirSearchParameter("care", FhirSearchParameterType.Reference, [path])))
            {
                if (FhirReference.TryParse(reference, out var r) && r.Kind == FhirReferenceKind.Relative && r.ResourceType == "Practitioner")
                    practitioners.Add(r.Id!);
            }
        }
        // The establishment link: the unit that wrote the episode (the user's unit relationship).
        db.CareRelationships.Add(new CareRelationship
        {
            PatientId = patientId, EstablishmentId = establishment, SourceType = type, SourceId = id, Active = active, StartAt = start, EndAt = end,
        });
        foreach (var practitioner in practitioners)
        {
            db.CareRelationships.Add(new CareRelationship
            {
                PatientId = patientId, PractitionerId = practitioner, SourceType = type, SourceId = id, Active = active, StartAt = start, EndAt = end,
            });
        }
    }

    /// <summary>The relative references of a resource whose targets exist neither in the store nor in <paramref name="pending"/>.</summary>
    public async Task<List<string>> MissingReferencesAsync(JsonNode resource, IReadOnlySet<string>? pending, CancellationToken ct = default)
    {
        var missing = new List<string>();
        var contained = new HashSet<string>(StringComparer.Ordinal);
        if (resource["contained"] is JsonArray containedArray)
        {
            foreach (var c in containedArray)
            {
                if (c?["id"] is JsonValue v && v.TryGetValue<string>(out var cid))
                    contained.Add(cid);
            }
        }
        foreach (var (text, _) in FhirJson.References(resource))
        {
            if (!FhirReference.TryParse(text, out var r))
                continue;
            if (r.Kind == FhirReferenceKind.Contained)
            {
                if (r.Id!.Length > 0 && !contained.Contains(r.Id))
                    missing.Add(text);
                continue;
            }
            if (r.Kind != FhirReferenceKind.Relative)
                continue;
            var key = $"{r.ResourceType}/{r.Id}";
            if (pending is not null && pending.Contains(key))
                continue;
            var row = db.FhirResources.Local.FirstOrDefault(x => x.ResourceType == r.ResourceType && x.Id == r.Id)
                ?? await db.FhirResources.AsNoTracking().SingleOrDefaultAsync(x => x.ResourceType == r.ResourceType && x.Id == r.Id, ct);
            if (row is null || row.Deleted)
                missing.Add(text);
        }
        return missing;
    }
}
