using System.Text.Json;
using Vigie.Core.Alerts;
using Vigie.Sigma.Events;

namespace Vigie.Core.Privacy;

/// <summary>
/// One access to the patient record as the records gateway reports it (an audit-ledger entry as an ECS event,
/// <c>event.dataset: vigie.records</c>): who, which patient, what, when, from where, and the privacy facts the
/// gateway enriched it with. See docs/PRIVACY.md for the fields.
/// </summary>
public sealed class RecordAccess
{
    public const string Dataset = "vigie.records";

    private RecordAccess(JsonElement root, IReadOnlyDictionary<string, string> fields, DateTime time, string? eventRef)
    {
        Root = root;
        Fields = fields;
        Time = time;
        EventRef = eventRef;
        Event = new JsonSigmaEvent(root);
    }

    /// <summary>The event itself (a standalone copy: it needs no document kept open).</summary>
    public JsonElement Root { get; }

    /// <summary>The event's fields by dotted name, values as text.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    public ISigmaEvent Event { get; }

    /// <summary>When the access happened (UTC), from <c>@timestamp</c>.</summary>
    public DateTime Time { get; }

    /// <summary>Where the event is stored (event store id, ledger sequence), or a hash of the event.</summary>
    public string? EventRef { get; }

    public string? User => Field("user.name");
    public string? PatientId => Field("vigie.patient.id");
    public string? Organization => Field("organization.id");
    public string? SourceAddress => Field("source.ip");
    public string? Action => Field("event.action");
    public string? Decision => Field("vigie.access.decision");
    public string? Purpose => Field("vigie.access.purpose");
    public string? CareRelationship => Field("vigie.privacy.care_relationship");
    public bool BreakGlass => IsTrue("vigie.access.break_glass");

    public string? Field(string name) => Fields.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public bool IsTrue(string name) => AlertFields.IsTrue(Field(name));

    /// <summary>
    /// A privacy fact of the gateway by its short name (<c>vip</c>, <c>employee</c>, <c>deceased</c>, <c>self</c>,
    /// <c>same_family_name</c>, <c>same_address</c>), under the audit ledger's name (<c>vigie.privacy.patient_vip</c>,
    /// <c>vigie.privacy.self_access</c>) or the short one (<c>vigie.privacy.vip</c>).
    /// </summary>
    public bool Flag(string name) => IsTrue("vigie.privacy." + name) || name switch
    {
        "vip" => IsTrue("vigie.privacy.patient_vip"),
        "employee" => IsTrue("vigie.privacy.patient_employee"),
        "deceased" => IsTrue("vigie.privacy.patient_deceased"),
        "self" => IsTrue("vigie.privacy.self_access"),
        _ => false,
    };

    /// <summary>Whether the access reached a patient's data (a read of a record, not a search or a refusal).</summary>
    public bool IsRecordRead => Action is "read" or "vread" or "history" && Decision is null or "permit" && PatientId is not null;

    /// <summary>Reads one event; throws <see cref="VigieException"/> naming what is missing.</summary>
    public static RecordAccess FromJson(JsonElement root, string? eventRef = null)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw VigieException.Invalid("a record access event is a JSON object");
        var fields = JsonEventFields.Flatten(root);
        var timeText = fields.GetValueOrDefault("@timestamp") ?? fields.GetValueOrDefault("timestamp");
        var time = JsonEventFields.ParseTime(timeText) ?? throw VigieException.Invalid("the event has no '@timestamp' (ISO 8601)");
        if (!fields.TryGetValue("user.name", out var user) || user.Length == 0)
            throw VigieException.Invalid("the event has no 'user.name'");
        return new RecordAccess(root.Clone(), fields, time, eventRef ?? fields.GetValueOrDefault("event.id"));
    }

    /// <summary>An access of the privacy index, as an event again (patient as its pseudonym), for relearning the baselines.</summary>
    public static RecordAccess FromIndex(PrivacyAccess row)
    {
        var fields = new Dictionary<string, object?>
        {
            ["@timestamp"] = row.Time.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            ["event.dataset"] = Dataset,
            ["event.action"] = row.Action,
            ["user.name"] = row.UserName,
            ["organization.id"] = row.Organization,
            ["source.ip"] = row.SourceAddress,
            ["vigie.patient.id"] = row.PatientPseudonym,
            ["vigie.access.decision"] = row.Decision,
        };
        return Parse(JsonSerializer.Serialize(fields), row.EventRef);
    }

    public static RecordAccess Parse(string json, string? eventRef = null)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return FromJson(doc.RootElement, eventRef);
        }
        catch (JsonException e)
        {
            throw VigieException.Invalid($"not valid JSON ({e.Message})");
        }
    }
}
