using System.Collections.Frozen;

namespace Vigie.Formats.Fhir;

/// <summary>The kinds of FHIR search parameter Vigie supports.</summary>
public enum FhirSearchParameterType
{
    /// <summary>A code, identifier or boolean: <c>system|code</c>, <c>code</c> or <c>|code</c>.</summary>
    Token = 1,
    /// <summary>Text matched from the start of a word, ignoring case and accents.</summary>
    String = 2,
    /// <summary>A reference: <c>Type/id</c> or <c>id</c>.</summary>
    Reference = 3,
    /// <summary>A date range with the prefixes eq, ne, gt, ge, lt, le.</summary>
    Date = 4,
}

/// <summary>A search parameter of a resource type and the elements (dotted paths from the resource) it reads.</summary>
/// <param name="Name">The URL name (<c>birthdate</c>).</param>
/// <param name="Type">Its kind.</param>
/// <param name="Paths">Dotted element paths (<c>name.family</c>, <c>effectiveDateTime</c>).</param>
/// <param name="Targets">For references: the target types allowed, used to read a bare id.</param>
public sealed record FhirSearchParameter(string Name, FhirSearchParameterType Type, string[] Paths, string[]? Targets = null);

/// <summary>The search parameters Vigie supports per resource type, besides <c>_id</c> and <c>_lastUpdated</c>.</summary>
public static class FhirSearchParameters
{
    private static readonly FhirSearchParameterType T = FhirSearchParameterType.Token;
    private static readonly FhirSearchParameterType S = FhirSearchParameterType.String;
    private static readonly FhirSearchParameterType R = FhirSearchParameterType.Reference;
    private static readonly FhirSearchParameterType D = FhirSearchParameterType.Date;

    private static FhirSearchParameter P(string name, FhirSearchParameterType type, params string[] paths) => new(name, type, paths);

    private static FhirSearchParameter Ref(string name, string target, params string[] paths) => new(name, R, paths, [target]);

    private static FhirSearchParameter[] Clinical(string subject, params FhirSearchParameter[] more) =>
    [
        P("identifier", T, "identifier"),
        Ref("patient", "Patient", subject),
        .. subject == "subject" ? new[] { Ref("subject", "Patient", "subject") } : [],
        .. more,
    ];

    private static readonly FrozenDictionary<string, FrozenDictionary<string, FhirSearchParameter>> ByType =
        new Dictionary<string, FhirSearchParameter[]>
        {
            ["Patient"] =
            [
                P("identifier", T, "identifier"), P("name", S, "name"), P("family", S, "name.family"), P("given", S, "name.given"),
                P("birthdate", D, "birthDate"), P("gender", T, "gender"), P("active", T, "active"),
                Ref("organization", "Organization", "managingOrganization"), Ref("general-practitioner", "Practitioner", "generalPractitioner"),
            ],
            ["Practitioner"] = [P("identifier", T, "identifier"), P("name", S, "name"), P("family", S, "name.family"), P("given", S, "name.given"), P("active", T, "active")],
            ["PractitionerRole"] =
            [
                P("identifier", T, "identifier"), Ref("practitioner", "Practitioner", "practitioner"), Ref("organization", "Organization", "organization"),
                P("role", T, "code"), P("specialty", T, "specialty"), P("active", T, "active"),
            ],
            ["Organization"] = [P("identifier", T, "identifier"), P("name", S, "name", "alias"), P("type", T, "type"), P("active", T, "active"), Ref("partof", "Organization", "partOf")],
            ["Location"] = [P("identifier", T, "identifier"), P("name", S, "name", "alias"), P("status", T, "status"), Ref("organization", "Organization", "managingOrganization")],
            ["Encounter"] = Clinical("subject", P("date", D, "period"), P("status", T, "status"), P("class", T, "class"), P("type", T, "type"),
                Ref("practitioner", "Practitioner", "participant.individual"), Ref("participant", "Practitioner", "participant.individual"),
                Ref("service-provider", "Organization", "serviceProvider"), Ref("episode-of-care", "EpisodeOfCare", "episodeOfCare"),
                Ref("location", "Location", "location.location")),
            ["EpisodeOfCare"] = Clinical("patient", P("date", D, "period"), P("status", T, "status"), P("type", T, "type"),
                Ref("organization", "Organization", "managingOrganization"), Ref("care-manager", "Practitioner", "careManager")),
            ["CareTeam"] = Clinical("subject", P("date", D, "period"), P("status", T, "status"), P("category", T, "category"),
                Ref("participant", "Practitioner", "participant.member"), Ref("encounter", "Encounter", "encounter")),
            ["Condition"] = Clinical("subject", P("code", T, "code"), P("category", T, "category"), P("clinical-status", T, "clinicalStatus"),
                P("verification-status", T, "verificationStatus"), Ref("encounter", "Encounter", "encounter"),
                P("onset-date", D, "onsetDateTime", "onsetPeriod"), P("recorded-date", D, "recordedDate")),
            ["Observation"] = Clinical("subject", P("code", T, "code"), P("category", T, "category"), P("status", T, "status"),
                P("date", D, "effectiveDateTime", "effectivePeriod", "effectiveInstant"), Ref("encounter", "Encounter", "encounter"),
                Ref("performer", "Practitioner", "performer"), P("value-concept", T, "valueCodeableConcept")),
            ["AllergyIntolerance"] = Clinical("patient", P("code", T, "code"), P("clinical-status", T, "clinicalStatus"),
                P("category", T, "category"), P("criticality", T, "criticality"), P("date", D, "recordedDate")),
            ["MedicationRequest"] = Clinical("subject", P("code", T, "medicationCodeableConcept"), P("status", T, "status"), P("intent", T, "intent"),
                P("authoredon", D, "authoredOn"), Ref("encounter", "Encounter", "encounter"), Ref("requester", "Practitioner", "requester")),
            ["Procedure"] = Clinical("subject", P("code", T, "code"), P("status", T, "status"), P("category", T, "category"),
                P("date", D, "performedDateTime", "performedPeriod"), Ref("encounter", "Encounter", "encounter")),
            ["Immunization"] = Clinical("patient", P("vaccine-code", T, "vaccineCode"), P("status", T, "status"), P("date", D, "occurrenceDateTime")),
            ["DiagnosticReport"] = Clinical("subject", P("code", T, "code"), P("category", T, "category"), P("status", T, "status"),
                P("date", D, "effectiveDateTime", "effectivePeriod"), Ref("encounter", "Encounter", "encounter"), P("issued", D, "issued")),
            ["DocumentReference"] = Clinical("subject", P("type", T, "type"), P("category", T, "category"), P("status", T, "status"),
                P("date", D, "date"), Ref("encounter", "Encounter", "context.encounter"), P("period", D, "context.period")),
            ["Consent"] = Clinical("patient", P("status", T, "status"), P("category", T, "category"), P("scope", T, "scope"), P("date", D, "dateTime"),
                Ref("actor", "Practitioner", "provision.actor.reference"), P("purpose", T, "provision.purpose")),
            ["Provenance"] = [Ref("patient", "Patient", "target"), Ref("target", "Patient", "target"), Ref("agent", "Practitioner", "agent.who"), P("recorded", D, "recorded")],
            ["CarePlan"] = Clinical("subject", P("status", T, "status"), P("category", T, "category"), P("date", D, "period"), Ref("encounter", "Encounter", "encounter")),
            ["Goal"] = Clinical("subject", P("lifecycle-status", T, "lifecycleStatus"), P("category", T, "category")),
            ["Claim"] = Clinical("patient", P("status", T, "status"), P("created", D, "created")),
            ["ExplanationOfBenefit"] = Clinical("patient", P("status", T, "status"), P("created", D, "created")),
            ["Device"] = Clinical("patient", P("type", T, "type"), P("status", T, "status")),
            ["Medication"] = [P("identifier", T, "identifier"), P("code", T, "code"), P("status", T, "status")],
            ["ServiceRequest"] = Clinical("subject", P("code", T, "code"), P("status", T, "status"), P("intent", T, "intent")),
            ["Coverage"] = [P("identifier", T, "identifier"), Ref("patient", "Patient", "beneficiary"), P("status", T, "status")],
            ["AuditEvent"] =
            [
                Ref("patient", "Patient", "entity.what"), P("date", D, "recorded"), P("action", T, "action"), P("outcome", T, "outcome"),
                P("agent", T, "agent.who.identifier"),
            ],
        }.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The resource types with search parameters.</summary>
    public static IEnumerable<string> ResourceTypes => ByType.Keys;

    /// <summary>The parameters of a resource type (empty for unknown types).</summary>
    public static IReadOnlyCollection<FhirSearchParameter> For(string resourceType) =>
        ByType.TryGetValue(resourceType, out var p) ? p.Values : [];

    /// <summary>Finds a parameter of a resource type by name.</summary>
    public static bool TryGet(string resourceType, string name, out FhirSearchParameter parameter)
    {
        parameter = null!;
        return ByType.TryGetValue(resourceType, out var p) && p.TryGetValue(name, out parameter!);
    }
}
