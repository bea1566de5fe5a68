using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Events;

namespace Vigie.Core.Audit;

/// <summary>
/// The ledger as an outbox for detection: entries not yet forwarded, rendered as ECS events (docs/LEDGER.md lists
/// the fields), and marked once the pipeline has taken them. The ledger's own tables are the only thing touched.
/// </summary>
public sealed class LedgerEvents(VigieDbContext db)
{
    public const string Dataset = "vigie.records";

    /// <summary>The oldest entries not yet forwarded, in sequence order.</summary>
    public Task<List<LedgerEntry>> PendingAsync(int max, CancellationToken ct = default) =>
        db.AuditLedger.AsNoTracking().Where(e => !e.Forwarded).OrderBy(e => e.Seq).Take(max).ToListAsync(ct);

    /// <summary>Marks entries up to and including <paramref name="seq"/> as forwarded (the flag is outside the hash).</summary>
    public Task<int> MarkForwardedAsync(long seq, CancellationToken ct = default) =>
        db.AuditLedger.Where(e => !e.Forwarded && e.Seq <= seq).ExecuteUpdateAsync(u => u.SetProperty(e => e.Forwarded, true), ct);

    /// <summary>
    /// One entry as the event the outbox forwards, built directly: writing ECS JSON and parsing it again cost about as
    /// much as storing the event (the test suite keeps that JSON rendering to check this one field for field).
    /// </summary>
    public static EventDocument ToEvent(LedgerEntry e)
    {
        var flags = (PrivacyFlags)e.PrivacyFlags;
        var d = new EventDocument(40) { Timestamp = e.Time };
        d["@timestamp"] = e.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        d["event.dataset"] = Dataset;
        d["event.kind"] = "event";
        d["event.category"] = e.Action is "break-glass" or "merge" or "link" or "identity-verify"
            ? new List<object?>(2) { "database", "iam" }
            : new List<object?>(1) { "database" };
        d["event.action"] = e.Action;
        d["event.outcome"] = e.Decision == "permit" && e.Status < 400 ? "success" : "failure";
        // Numbers as the parser gives them (EventDocument.FromJson yields doubles), so matching sees no difference.
        d["event.sequence"] = (double)e.Seq;
        d["http.response.status_code"] = (double)e.Status;
        if (e.RequestId is not null)
            d["http.request.id"] = e.RequestId;
        if (e.UserName is not null || e.UserId is not null)
        {
            if (e.UserName is not null)
                d["user.name"] = e.UserName;
            if (e.UserId is not null)
                d["user.id"] = e.UserId;
            d["user.roles"] = Split(e.UserRoles, ",");
        }
        if (e.UserEstablishment is not null)
            d["organization.id"] = e.UserEstablishment;
        if (e.ClientAddress is not null)
            d["source.ip"] = e.ClientAddress;
        if (e.UserProfession is not null)
            d["vigie.user.profession"] = e.UserProfession;
        if (e.PatientRef is not null)
            d["vigie.patient.id"] = e.PatientRef;
        if (e.PatientId is not null)
            d["vigie.patient.resource_id"] = e.PatientId;
        if ((e.PatientId is not null || e.PatientRef is not null) && e.PatientEstablishment is not null)
            d["vigie.patient.establishment"] = e.PatientEstablishment;
        if (e.ResourceType is not null)
        {
            d["vigie.resource.type"] = e.ResourceType;
            if (e.ResourceId is not null)
                d["vigie.resource.id"] = e.ResourceId;
        }
        if (e.Query is not null)
            d["vigie.search.parameters"] = e.Query;
        d["vigie.access.decision"] = e.Decision;
        d["vigie.access.reasons"] = Split(e.Reasons, "; ");
        if (e.Purpose is not null)
            d["vigie.access.purpose"] = e.Purpose;
        d["vigie.access.break_glass"] = e.BreakGlass;
        if (e.Justification is not null)
            d["vigie.access.justification"] = e.Justification;
        if (e.PolicyVersion is not null)
            d["vigie.access.policy"] = e.PolicyVersion;
        if (e.CareRelationship is not null)
            d["vigie.privacy.care_relationship"] = e.CareRelationship;
        d["vigie.privacy.same_family_name"] = flags.HasFlag(PrivacyFlags.SameFamilyName);
        d["vigie.privacy.same_address"] = flags.HasFlag(PrivacyFlags.SameAddress);
        d["vigie.privacy.patient_vip"] = flags.HasFlag(PrivacyFlags.PatientVip);
        d["vigie.privacy.patient_employee"] = flags.HasFlag(PrivacyFlags.PatientEmployee);
        d["vigie.privacy.patient_deceased"] = flags.HasFlag(PrivacyFlags.PatientDeceased);
        d["vigie.privacy.same_establishment"] = flags.HasFlag(PrivacyFlags.SameEstablishment);
        d["vigie.privacy.self_access"] = flags.HasFlag(PrivacyFlags.SelfAccess);
        return d;
    }

    private static List<object?> Split(string? text, string separator)
    {
        var parts = (text ?? "").Split(separator, StringSplitOptions.RemoveEmptyEntries);
        var list = new List<object?>(parts.Length);
        foreach (var part in parts)
            list.Add(part);
        return list;
    }
}
