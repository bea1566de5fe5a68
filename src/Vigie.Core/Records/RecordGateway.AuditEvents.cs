using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Audit;
using Vigie.Core.Establishments;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

public sealed partial class RecordGateway
{
    private static readonly string[] AuditEventParameters = ["patient", "date", "action", "outcome", "agent", "_count", "_offset", "_format", "_sort", "_total"];

    private async Task<AccessScope> ScopeAsync(AccessSubject s, CancellationToken ct)
    {
        var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
        return s.EstablishmentId is { } id ? AccessScope.Subtree(id, all) : AccessScope.Nothing;
    }

    private IQueryable<LedgerEntry> Visible(IQueryable<LedgerEntry> q, AccessSubject s, AccessScope scope, IReadOnlyDictionary<Guid, string> codes)
    {
        if (s.Roles.Contains(Identity.Roles.Patient) && !s.Roles.Contains(Identity.Roles.Dpo))
            return q.Where(e => e.PatientId == s.OwnPatientId);
        if (scope.IsEverything)
            return q;
        var visible = scope.Ids!.Where(codes.ContainsKey).Select(id => codes[id]).ToList();
        return q.Where(e => (e.UserEstablishment != null && visible.Contains(e.UserEstablishment)) || (e.PatientEstablishment != null && visible.Contains(e.PatientEstablishment)));
    }

    private async Task<FhirResult> ReadAuditEventAsync(AccessSubject s, FhirRequestContext c, string id, CancellationToken ct)
    {
        if (!long.TryParse(id, CultureInfo.InvariantCulture, out var seq))
            return await Finish(s, c, "read", "AuditEvent", id, null, Error(404, "not-found", $"AuditEvent/{id} does not exist"), null, ct);
        var entry = await db.AuditLedger.AsNoTracking().SingleOrDefaultAsync(e => e.Seq == seq, ct);
        var codes = await EstablishmentCodesAsync();
        var scope = await ScopeAsync(s, ct);
        var visible = entry is not null && await Visible(db.AuditLedger.AsNoTracking().Where(e => e.Seq == seq), s, scope, codes).AnyAsync(ct);
        // An entry the caller may not see is decided, and this read recorded, without its patient: the ledger entry of
        // the read becomes an event of the caller's establishment, which must not learn whose record entry n was about.
        var decision = await decider.DecideAsync(s, new AccessRequest("read", "AuditEvent", visible ? entry!.PatientId : null, "N", null, c.Purpose, c.Justification), ct);
        if (!decision.Permitted)
            return await Finish(s, c, "read", "AuditEvent", id, null, Refusal(decision), decision, ct);
        if (entry is null || !visible)
            return await Finish(s, c, "read", "AuditEvent", id, null, Error(404, "not-found", $"AuditEvent/{id} does not exist"), decision, ct);
        var names = await EstablishmentNamesAsync(ct);
        return await Finish(s, c, "read", "AuditEvent", id, null,
            Json(200, AuditEventRenderer.Render(entry, entry.UserEstablishment is { } code && names.TryGetValue(code, out var n) ? n : null)), decision, ct);
    }

    private async Task<FhirResult> SearchAuditEventsAsync(AccessSubject s, FhirRequestContext c, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken ct)
    {
        var problems = parameters.Where(p => !AuditEventParameters.Contains(p.Key)).Select(p => $"{p.Key}: unknown search parameter for AuditEvent; supported: {string.Join(", ", AuditEventParameters)}").ToList();
        string? patient = null;
        int count = FhirSearchQuery.DefaultCount, offset = 0;
        var countAll = true;
        var q = db.AuditLedger.AsNoTracking().AsQueryable();
        foreach (var (name, value) in parameters)
        {
            switch (name)
            {
                case "patient":
                    patient = value.StartsWith("Patient/", StringComparison.Ordinal) ? value[8..] : value;
                    if (!FhirPrimitives.IsId(patient))
                        problems.Add($"patient: '{value}' is not a Patient id");
                    break;
                case "date":
                    if (!DatePrefix.TryParse(value, out var prefix, out var date))
                    {
                        problems.Add($"date: '{value}' is not a date with an optional prefix");
                        break;
                    }
                    long low = FhirJson.Micros(date.Low), high = FhirJson.Micros(date.High);
                    q = prefix switch
                    {
                        "gt" => q.Where(e => e.TimeUs >= high),
                        "ge" => q.Where(e => e.TimeUs >= low),
                        "lt" => q.Where(e => e.TimeUs < low),
                        "le" => q.Where(e => e.TimeUs < high),
                        _ => q.Where(e => e.TimeUs >= low && e.TimeUs < high),
                    };
                    break;
                case "action":
                    var action = value;
                    q = q.Where(e => e.Action == action);
                    break;
                case "outcome":
                    q = value == "0" ? q.Where(e => e.Decision == "permit" && e.Status < 400) : q.Where(e => e.Decision != "permit" || e.Status >= 400);
                    break;
                case "agent":
                    var user = value;
                    q = q.Where(e => e.UserName == user);
                    break;
                case "_count":
                    if (!int.TryParse(value, CultureInfo.InvariantCulture, out count) || count is < 0 or > FhirSearchQuery.MaxCount)
                        problems.Add($"_count: '{value}' must be a number from 0 to {FhirSearchQuery.MaxCount}");
                    break;
                case "_offset":
                    if (!int.TryParse(value, CultureInfo.InvariantCulture, out offset) || offset < 0)
                        problems.Add($"_offset: '{value}' must be a non-negative number");
                    break;
                case "_total":
                    countAll = FhirSearchQuery.CountsAll(value, problems);
                    break;
            }
        }
        if (problems.Count > 0)
            throw FhirException.Invalid($"the search of AuditEvent has {problems.Count} invalid parameter(s)", problems);
        var decision = await decider.DecideAsync(s, new AccessRequest("search", "AuditEvent", patient, "N", null, c.Purpose, c.Justification), ct);
        var names = string.Join(',', parameters.Select(p => p.Key).Where(k => !FhirSearchQuery.ControlParameters.Contains(k)).Distinct());
        if (!decision.Permitted)
            return await Finish(s, c, "search", "AuditEvent", null, names, Refusal(decision), decision, ct);
        if (patient is not null)
            q = q.Where(e => e.PatientId == patient);
        q = Visible(q, s, await ScopeAsync(s, ct), await EstablishmentCodesAsync());
        int? total = countAll ? await q.CountAsync(ct) : null;
        var asked = FhirSearchQuery.Asked(count, countAll);
        var entries = asked == 0 ? [] : await q.OrderByDescending(e => e.Seq).Skip(offset).Take(asked).ToListAsync(ct);
        var more = FhirSearchQuery.MoreAfter(entries, total, offset, count);
        var establishmentNames = await EstablishmentNamesAsync(ct);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, FhirJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "Bundle");
            w.WriteString("type", "searchset");
            if (total is { } counted)
                w.WriteNumber("total", counted);
            PageLinks(w, $"{c.BaseUrl}/AuditEvent", parameters, offset, count, more, previous: false);
            if (entries.Count > 0)
            {
                w.WriteStartArray("entry");
                foreach (var e in entries)
                {
                    w.WriteStartObject();
                    w.WriteString("fullUrl", $"{c.BaseUrl}/AuditEvent/{e.Seq.ToString(CultureInfo.InvariantCulture)}");
                    w.WritePropertyName("resource");
                    AuditEventRenderer.Write(w, e, e.UserEstablishment is { } code && establishmentNames.TryGetValue(code, out var n) ? n : null);
                    w.WriteStartObject("search");
                    w.WriteString("mode", "match");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return await Finish(s, c, "search", "AuditEvent", null, names, Json(200, stream.ToArray()), decision, ct);
    }

    private async Task<IReadOnlyDictionary<string, string>> EstablishmentNamesAsync(CancellationToken ct) =>
        await db.Establishments.AsNoTracking().ToDictionaryAsync(e => e.Code, e => e.Name, ct);
}
