using System.Text.Json;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

/// <summary>Who is asking and for what, as a patient's Consent provisions see it.</summary>
public sealed record ConsentQuery(string? PractitionerId, IReadOnlySet<string> OrganizationIds, string Purpose, string ResourceType, string Label, string? Sensitivity, DateTime Now);

/// <summary>
/// Reads a patient's Consent resources (R4, scope patient-privacy) for one access: active consents whose period
/// covers now; a provision applies when its actors, purposes, classes (resource types or sensitivity codes) and
/// security labels all match (an empty list matches anything); a matching nested provision overrides its parent.
/// Any applicable deny wins over any permit.
/// </summary>
public static class ConsentEvaluator
{
    public const string Permit = "permit";
    public const string Deny = "deny";
    public const string None = "none";

    public static string Evaluate(IEnumerable<JsonElement> consents, ConsentQuery query)
    {
        var result = None;
        foreach (var consent in consents)
        {
            if (Str(consent, "status") != "active" || !consent.TryGetProperty("provision", out var provision))
                continue;
            var outcome = Provision(provision, query, inherited: null);
            if (outcome == Deny)
                return Deny;
            if (outcome == Permit)
                result = Permit;
        }
        return result;
    }

    private static string? Provision(JsonElement provision, ConsentQuery q, string? inherited)
    {
        var type = Str(provision, "type") ?? inherited ?? Deny;
        if (provision.TryGetProperty("period", out var period) && !Covers(period, q.Now))
            return null;
        var hasConditions = provision.TryGetProperty("actor", out _) || provision.TryGetProperty("purpose", out _) ||
                            provision.TryGetProperty("class", out _) || provision.TryGetProperty("securityLabel", out _);
        var matches = Matches(provision, q);
        if (provision.TryGetProperty("provision", out var nested) && nested.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in nested.EnumerateArray())
            {
                if (Provision(child, q, Opposite(type)) is { } childOutcome && (matches || !hasConditions))
                    return childOutcome;
            }
        }
        return matches ? type : null;
    }

    private static string Opposite(string type) => type == Deny ? Permit : Deny;

    private static bool Matches(JsonElement p, ConsentQuery q)
    {
        if (p.TryGetProperty("actor", out var actors) && actors.ValueKind == JsonValueKind.Array)
        {
            var any = false;
            foreach (var actor in actors.EnumerateArray())
            {
                if (actor.TryGetProperty("reference", out var r) && r.TryGetProperty("reference", out var text) &&
                    FhirReference.TryParse(text.GetString(), out var reference) && reference.Kind == FhirReferenceKind.Relative &&
                    ((reference.ResourceType == "Practitioner" && reference.Id == q.PractitionerId) ||
                     (reference.ResourceType == "Organization" && q.OrganizationIds.Contains(reference.Id!))))
                    any = true;
            }
            if (!any)
                return false;
        }
        if (p.TryGetProperty("purpose", out var purposes) && purposes.ValueKind == JsonValueKind.Array &&
            !purposes.EnumerateArray().Any(c => Str(c, "code") == q.Purpose))
            return false;
        var sensitivity = q.Sensitivity?.Split(',') ?? [];
        if (p.TryGetProperty("class", out var classes) && classes.ValueKind == JsonValueKind.Array &&
            !classes.EnumerateArray().Any(c => Str(c, "code") is { } code && (code == q.ResourceType || sensitivity.Contains(code))))
            return false;
        if (p.TryGetProperty("securityLabel", out var labels) && labels.ValueKind == JsonValueKind.Array &&
            !labels.EnumerateArray().Any(c => Str(c, "code") is { } code && (code == q.Label || sensitivity.Contains(code))))
            return false;
        return true;
    }

    private static bool Covers(JsonElement period, DateTime now)
    {
        if (period.TryGetProperty("start", out var s) && FhirDate.TryParse(s.GetString(), out var start) && now < start.Low)
            return false;
        if (period.TryGetProperty("end", out var e) && FhirDate.TryParse(e.GetString(), out var end) && now >= end.High)
            return false;
        return true;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
