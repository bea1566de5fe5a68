using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigie.Core.Records;

namespace Vigie.Core.Audit;

/// <summary>
/// Renders a ledger entry as a FHIR R4 AuditEvent following IHE Basic Audit Log Patterns (BALP): type rest, the
/// restful interaction as subtype, C/R/U/D/E action, outcome 0 (success) or 4 (refused), client, server and user
/// agents, the patient and data entities, the X-Request-Id entity, the purpose of use, and Vigie's decision and
/// reasons in outcomeDesc. The establishment of the user is an agent too, so a patient sees where an access came from.
/// </summary>
public static class AuditEventRenderer
{
    private const string Dcm = "http://dicom.nema.org/resources/ontology/DCM";
    private const string BalpEntity = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType";
    public const string UserSystem = "urn:vigie:user";

    public static byte[] Render(LedgerEntry e, string? userEstablishmentName = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, FhirJson.WriterOptions))
            Write(w, e, userEstablishmentName);
        return stream.ToArray();
    }

    public static void Write(Utf8JsonWriter w, LedgerEntry e, string? userEstablishmentName)
    {
        w.WriteStartObject();
        w.WriteString("resourceType", "AuditEvent");
        w.WriteString("id", e.Seq.ToString(CultureInfo.InvariantCulture));
        w.WriteStartObject("meta");
        w.WriteString("versionId", "1");
        w.WriteString("lastUpdated", FhirJson.Instant(e.Time));
        w.WriteEndObject();

        w.WriteStartObject("type");
        var rest = e.Action is "read" or "vread" or "search" or "history" or "create" or "update" or "delete" or "transaction" or "batch" or "capabilities";
        if (rest)
        {
            w.WriteString("system", "http://terminology.hl7.org/CodeSystem/audit-event-type");
            w.WriteString("code", "rest");
            w.WriteString("display", "Restful Operation");
        }
        else
        {
            w.WriteString("system", "urn:vigie:audit-action");
            w.WriteString("code", e.Action);
        }
        w.WriteEndObject();
        w.WriteStartArray("subtype");
        w.WriteStartObject();
        w.WriteString("system", rest ? "http://hl7.org/fhir/restful-interaction" : "urn:vigie:audit-action");
        w.WriteString("code", e.Action == "search" ? "search-type" : e.Action);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("action", e.Action switch
        {
            "create" or "import" => "C",
            "read" or "vread" or "history" => "R",
            "update" or "merge" => "U",
            "delete" => "D",
            _ => "E",
        });
        w.WriteString("recorded", FhirJson.Instant(e.Time));
        var permitted = e.Decision == "permit" && e.Status is >= 200 and < 400 or 0;
        w.WriteString("outcome", permitted ? "0" : e.Status >= 500 ? "8" : "4");
        var desc = new StringBuilder(e.Decision);
        if (e.Reasons is { Length: > 0 })
            desc.Append(": ").Append(e.Reasons);
        w.WriteString("outcomeDesc", desc.ToString());
        if (e.Purpose is { Length: > 0 })
        {
            w.WriteStartArray("purposeOfEvent");
            WriteConcept(w, PurposeOfUse.System, e.Purpose, e.BreakGlass && e.Justification is not null ? $"break-the-glass: {e.Justification}" : null);
            w.WriteEndArray();
        }

        w.WriteStartArray("agent");
        // The user (information recipient), requestor.
        w.WriteStartObject();
        WriteTypeConcept(w, "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient");
        if (e.UserRoles is { Length: > 0 })
        {
            w.WriteStartArray("role");
            foreach (var role in e.UserRoles.Split(','))
            {
                w.WriteStartObject();
                w.WriteString("text", role);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("who");
        w.WriteStartObject("identifier");
        w.WriteString("system", UserSystem);
        w.WriteString("value", e.UserName ?? "unknown");
        w.WriteEndObject();
        w.WriteString("display", e.UserName ?? "unknown");
        w.WriteEndObject();
        if (e.UserName is not null)
            w.WriteString("name", e.UserName);
        w.WriteBoolean("requestor", true);
        if (e.Purpose is { Length: > 0 })
        {
            w.WriteStartArray("purposeOfUse");
            WriteConcept(w, PurposeOfUse.System, e.Purpose, null);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        // The user's establishment: where the access came from.
        if (e.UserEstablishment is { Length: > 0 })
        {
            w.WriteStartObject();
            WriteTypeConcept(w, "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author");
            w.WriteStartObject("who");
            w.WriteStartObject("identifier");
            w.WriteString("system", Records.AccessDecider.EstablishmentSystem);
            w.WriteString("value", e.UserEstablishment);
            w.WriteEndObject();
            w.WriteString("display", userEstablishmentName ?? e.UserEstablishment);
            w.WriteEndObject();
            w.WriteBoolean("requestor", false);
            w.WriteEndObject();
        }
        // The client (destination of the data) and the server (source).
        w.WriteStartObject();
        WriteTypeConcept(w, Dcm, "110152", "Destination Role ID");
        w.WriteStartObject("who");
        w.WriteString("display", e.ClientAddress ?? "unknown client");
        w.WriteEndObject();
        w.WriteBoolean("requestor", false);
        if (e.ClientAddress is { Length: > 0 })
        {
            w.WriteStartObject("network");
            w.WriteString("address", e.ClientAddress);
            w.WriteString("type", "2");
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject();
        WriteTypeConcept(w, Dcm, "110153", "Source Role ID");
        w.WriteStartObject("who");
        w.WriteString("display", "Vigie FHIR gateway");
        w.WriteEndObject();
        w.WriteBoolean("requestor", false);
        w.WriteStartObject("network");
        w.WriteString("address", Environment.MachineName);
        w.WriteString("type", "1");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartObject("source");
        w.WriteString("site", "Vigie");
        w.WriteStartObject("observer");
        w.WriteString("display", "Vigie");
        w.WriteEndObject();
        w.WriteStartArray("type");
        w.WriteStartObject();
        w.WriteString("system", "http://terminology.hl7.org/CodeSystem/security-source-type");
        w.WriteString("code", "4");
        w.WriteString("display", "Application Server");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();

        var entities = e.PatientId is not null || e.ResourceType is not null || e.RequestId is not null;
        if (entities)
        {
            w.WriteStartArray("entity");
            if (e.PatientId is not null)
            {
                w.WriteStartObject();
                w.WriteStartObject("what");
                w.WriteString("reference", $"Patient/{e.PatientId}");
                w.WriteEndObject();
                WriteCoding(w, "type", "http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person");
                WriteCoding(w, "role", "http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient");
                w.WriteEndObject();
            }
            if (e.ResourceType is not null && !(e.ResourceType == "Patient" && e.ResourceId == e.PatientId))
            {
                w.WriteStartObject();
                w.WriteStartObject("what");
                if (e.ResourceId is not null)
                    w.WriteString("reference", $"{e.ResourceType}/{e.ResourceId}");
                else
                    w.WriteString("display", e.ResourceType);
                w.WriteEndObject();
                WriteCoding(w, "type", "http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object");
                WriteCoding(w, "role", "http://terminology.hl7.org/CodeSystem/object-role", e.Action == "search" ? "24" : "4", e.Action == "search" ? "Query" : "Domain Resource");
                if (e.Query is { Length: > 0 })
                    w.WriteString("description", $"search parameters: {e.Query}");
                w.WriteEndObject();
            }
            if (e.RequestId is not null)
            {
                w.WriteStartObject();
                w.WriteStartObject("what");
                w.WriteStartObject("identifier");
                w.WriteString("value", e.RequestId);
                w.WriteEndObject();
                w.WriteEndObject();
                WriteCoding(w, "type", BalpEntity, "XrequestId", "X-Request-Id");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteTypeConcept(Utf8JsonWriter w, string system, string code, string display)
    {
        w.WriteStartObject("type");
        w.WriteStartArray("coding");
        w.WriteStartObject();
        w.WriteString("system", system);
        w.WriteString("code", code);
        w.WriteString("display", display);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteConcept(Utf8JsonWriter w, string system, string code, string? text)
    {
        w.WriteStartObject();
        w.WriteStartArray("coding");
        w.WriteStartObject();
        w.WriteString("system", system);
        w.WriteString("code", code);
        w.WriteEndObject();
        w.WriteEndArray();
        if (text is not null)
            w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void WriteCoding(Utf8JsonWriter w, string name, string system, string code, string display)
    {
        w.WriteStartObject(name);
        w.WriteString("system", system);
        w.WriteString("code", code);
        w.WriteString("display", display);
        w.WriteEndObject();
    }
}
