using System.Text.Json;
using Vigie.Core.Audit;

namespace Vigie.Records.Tests.Support;

/// <summary>
/// A ledger entry written as nested ECS JSON, field by field: the independent rendering that
/// <see cref="LedgerEvents.ToEvent"/>, which builds the forwarded event directly, is checked against.
/// </summary>
internal static class LedgerEcsJson
{
    /// <summary>One entry as an ECS event (one JSON object, dotted field names nested).</summary>
    public static byte[] ToEcs(LedgerEntry e)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            var flags = (PrivacyFlags)e.PrivacyFlags;
            w.WriteStartObject();
            w.WriteString("@timestamp", e.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteStartObject("event");
            w.WriteString("dataset", LedgerEvents.Dataset);
            w.WriteString("kind", "event");
            w.WriteStartArray("category");
            w.WriteStringValue("database");
            if (e.Action is "break-glass" or "merge" or "link" or "identity-verify")
                w.WriteStringValue("iam");
            w.WriteEndArray();
            w.WriteString("action", e.Action);
            w.WriteString("outcome", e.Decision == "permit" && e.Status < 400 ? "success" : "failure");
            w.WriteNumber("sequence", e.Seq);
            w.WriteEndObject();
            w.WriteStartObject("http");
            w.WriteStartObject("response");
            w.WriteNumber("status_code", e.Status);
            w.WriteEndObject();
            One(w, "request", "id", e.RequestId);
            w.WriteEndObject();
            if (e.UserName is not null || e.UserId is not null)
            {
                w.WriteStartObject("user");
                if (e.UserName is not null)
                    w.WriteString("name", e.UserName);
                if (e.UserId is not null)
                    w.WriteString("id", e.UserId);
                w.WriteStartArray("roles");
                foreach (var role in (e.UserRoles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                    w.WriteStringValue(role);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            One(w, "organization", "id", e.UserEstablishment);
            One(w, "source", "ip", e.ClientAddress);
            w.WriteStartObject("vigie");
            One(w, "user", "profession", e.UserProfession);
            if (e.PatientId is not null || e.PatientRef is not null)
            {
                w.WriteStartObject("patient");
                if (e.PatientRef is not null)
                    w.WriteString("id", e.PatientRef);
                if (e.PatientId is not null)
                    w.WriteString("resource_id", e.PatientId);
                if (e.PatientEstablishment is not null)
                    w.WriteString("establishment", e.PatientEstablishment);
                w.WriteEndObject();
            }
            if (e.ResourceType is not null)
            {
                w.WriteStartObject("resource");
                w.WriteString("type", e.ResourceType);
                if (e.ResourceId is not null)
                    w.WriteString("id", e.ResourceId);
                w.WriteEndObject();
            }
            One(w, "search", "parameters", e.Query);
            w.WriteStartObject("access");
            w.WriteString("decision", e.Decision);
            w.WriteStartArray("reasons");
            foreach (var reason in (e.Reasons ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries))
                w.WriteStringValue(reason);
            w.WriteEndArray();
            if (e.Purpose is not null)
                w.WriteString("purpose", e.Purpose);
            w.WriteBoolean("break_glass", e.BreakGlass);
            if (e.Justification is not null)
                w.WriteString("justification", e.Justification);
            if (e.PolicyVersion is not null)
                w.WriteString("policy", e.PolicyVersion);
            w.WriteEndObject();
            w.WriteStartObject("privacy");
            if (e.CareRelationship is not null)
                w.WriteString("care_relationship", e.CareRelationship);
            w.WriteBoolean("same_family_name", flags.HasFlag(PrivacyFlags.SameFamilyName));
            w.WriteBoolean("same_address", flags.HasFlag(PrivacyFlags.SameAddress));
            w.WriteBoolean("patient_vip", flags.HasFlag(PrivacyFlags.PatientVip));
            w.WriteBoolean("patient_employee", flags.HasFlag(PrivacyFlags.PatientEmployee));
            w.WriteBoolean("patient_deceased", flags.HasFlag(PrivacyFlags.PatientDeceased));
            w.WriteBoolean("same_establishment", flags.HasFlag(PrivacyFlags.SameEstablishment));
            w.WriteBoolean("self_access", flags.HasFlag(PrivacyFlags.SelfAccess));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>An object of one string field, written only when the value is present.</summary>
    private static void One(Utf8JsonWriter w, string name, string field, string? value)
    {
        if (value is null)
            return;
        w.WriteStartObject(name);
        w.WriteString(field, value);
        w.WriteEndObject();
    }
}
