using System.Text.Json;
using Vigie.Core.Privacy;

namespace Vigie.Core.Alerts;

/// <summary>
/// Which fields of a detection an alert keeps (what observables and investigations need, nothing more), and
/// whether they make the asset or patient sensitive. A patient identifier is kept only as its pseudonym.
/// </summary>
public static class AlertFields
{
    public const string PatientField = "vigie.patient.id";
    public const string PatientPseudonymField = "vigie.patient.pseudonym";

    private static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "event.action", "event.outcome", "event.dataset", "event.category",
        "user.name", "user.id", "user.domain", "host.name", "host.ip", "host.hostname",
        "source.ip", "source.address", "destination.ip", "destination.address", "destination.domain", "destination.port",
        "url.full", "url.original", "url.domain", "dns.question.name", "email.from.address", "email.sender.address",
        "file.name", "file.path", "file.hash.sha256", "file.hash.sha1", "file.hash.md5",
        "process.executable", "process.command_line", "process.hash.sha256",
        "organization.id", "host.criticality", "vigie.asset.type", "vigie.asset.criticality", "vigie.patient.confidentiality",
        // Windows events as EVTX renders them.
        "Computer", "User", "TargetUserName", "SubjectUserName", "IpAddress", "WorkstationName", "Image", "CommandLine",
        "TargetFilename", "Hashes", "DestinationIp", "SourceIp", "DestinationHostname", "QueryName",
    };

    /// <summary>The kept fields of a detection as a JSON object; the patient identifier replaced by its pseudonym.</summary>
    public static string? Keep(IncomingDetection detection, PatientPseudonyms pseudonyms)
    {
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in detection.Fields)
        {
            if (value.Length == 0)
                continue;
            if (name == PatientField)
                kept[PatientPseudonymField] = PatientPseudonyms.IsPseudonym(value) ? value : pseudonyms.Of(value);
            else if (Kept.Contains(name) || name.StartsWith("vigie.privacy.", StringComparison.Ordinal) || name.StartsWith("vigie.access.", StringComparison.Ordinal))
                kept[name] = value.Length > 2000 ? value[..2000] : value;
        }
        return kept.Count == 0 ? null : JsonSerializer.Serialize(kept);
    }

    public static IReadOnlyDictionary<string, string> Read(string? json) =>
        json is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    /// <summary>
    /// Why the asset or patient is sensitive (a VIP, a colleague, a restricted record, a critical asset, a
    /// medical device), in words; empty when it is not.
    /// </summary>
    public static IReadOnlyList<string> Sensitivity(IncomingDetection detection)
    {
        var reasons = new List<string>();
        if (IsTrue(detection.Field("vigie.privacy.vip")) || IsTrue(detection.Field("vigie.privacy.patient_vip")))
            reasons.Add("the patient is a VIP");
        if ((IsTrue(detection.Field("vigie.privacy.employee")) || IsTrue(detection.Field("vigie.privacy.patient_employee")))
            && !IsTrue(detection.Field("vigie.privacy.self")) && !IsTrue(detection.Field("vigie.privacy.self_access")))
            reasons.Add("the patient is a member of staff");
        if (detection.Field("vigie.patient.confidentiality") is "R" or "V" or "r" or "v")
            reasons.Add("the record is restricted");
        foreach (var field in new[] { "host.criticality", "vigie.asset.criticality" })
        {
            if (detection.Field(field)?.ToLowerInvariant() is "high" or "critical")
                reasons.Add("the asset is critical");
        }
        if (detection.Field("vigie.asset.type")?.ToLowerInvariant() is "medical-device" or "medical_device")
            reasons.Add("the asset is a medical device");
        return reasons.Distinct().ToList();
    }

    public static bool IsTrue(string? value) => value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");
}
