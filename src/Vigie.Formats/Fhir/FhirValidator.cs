using System.Collections.Frozen;
using System.Text.Json;

namespace Vigie.Formats.Fhir;

/// <summary>
/// Checks a FHIR R4 resource in JSON against the structure of its type: known elements only, arrays where the
/// element repeats, required elements present, primitive values well formed, codes of required bindings,
/// reference strings well formed and pointing at a type the element allows. Contained resources and bundle
/// entries are checked the same way.
/// </summary>
public static class FhirValidator
{
    /// <summary>At most this many issues are reported; the first ones name where to start.</summary>
    public const int MaxIssues = 20;

    // Reference elements whose target types Vigie checks (the clinically meaningful links).
    private static readonly FrozenDictionary<string, string[]> ReferenceTargets = new Dictionary<string, string[]>
    {
        ["Observation.subject"] = ["Patient", "Group", "Device", "Location"],
        ["Condition.subject"] = ["Patient", "Group"],
        ["Procedure.subject"] = ["Patient", "Group"],
        ["MedicationRequest.subject"] = ["Patient", "Group"],
        ["DiagnosticReport.subject"] = ["Patient", "Group", "Device", "Location"],
        ["Encounter.subject"] = ["Patient", "Group"],
        ["CareTeam.subject"] = ["Patient", "Group"],
        ["DocumentReference.subject"] = ["Patient", "Practitioner", "Group", "Device"],
        ["Immunization.patient"] = ["Patient"],
        ["AllergyIntolerance.patient"] = ["Patient"],
        ["EpisodeOfCare.patient"] = ["Patient"],
        ["Consent.patient"] = ["Patient"],
        ["Observation.encounter"] = ["Encounter"],
        ["Condition.encounter"] = ["Encounter"],
        ["Procedure.encounter"] = ["Encounter"],
        ["MedicationRequest.encounter"] = ["Encounter"],
        ["DiagnosticReport.encounter"] = ["Encounter"],
        ["Encounter.participant.individual"] = ["Practitioner", "PractitionerRole", "RelatedPerson"],
        ["Encounter.serviceProvider"] = ["Organization"],
        ["EpisodeOfCare.managingOrganization"] = ["Organization"],
        ["EpisodeOfCare.careManager"] = ["Practitioner", "PractitionerRole"],
        ["PractitionerRole.practitioner"] = ["Practitioner"],
        ["PractitionerRole.organization"] = ["Organization"],
        ["Patient.managingOrganization"] = ["Organization"],
        ["Patient.generalPractitioner"] = ["Organization", "Practitioner", "PractitionerRole"],
        ["Location.managingOrganization"] = ["Organization"],
        ["Organization.partOf"] = ["Organization"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Validates a resource; <paramref name="expectedType"/> (from the URL) must match its resourceType when given.</summary>
    public static IReadOnlyList<FhirIssue> Validate(JsonElement resource, string? expectedType = null)
    {
        var issues = new List<FhirIssue>();
        if (resource.ValueKind != JsonValueKind.Object)
        {
            issues.Add(new FhirIssue("(root)", "a resource must be a JSON object"));
            return issues;
        }
        if (!resource.TryGetProperty("resourceType", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            issues.Add(new FhirIssue("(root)", "resourceType is missing"));
            return issues;
        }
        var type = typeElement.GetString()!;
        if (expectedType is not null && type != expectedType)
        {
            issues.Add(new FhirIssue(type, $"resourceType '{type}' does not match the URL's type '{expectedType}'"));
            return issues;
        }
        ValidateResource(resource, type, type, issues);
        return issues;
    }

    private static void ValidateResource(JsonElement resource, string type, string path, List<FhirIssue> issues)
    {
        if (!FhirStructure.TryGetType(type, out var definition) || definition.Kind is not (FhirTypeKind.DomainResource or FhirTypeKind.Resource))
        {
            Add(issues, path, $"resource type '{type}' is not supported");
            return;
        }
        ValidateObject(resource, definition, type, path, issues, isResource: true);
    }

    private static void ValidateObject(JsonElement obj, FhirTypeDefinition definition, string elementPath, string path, List<FhirIssue> issues, bool isResource = false)
    {
        var present = 0;
        foreach (var property in obj.EnumerateObject())
        {
            if (issues.Count >= MaxIssues)
                return;
            var name = property.Name;
            if (isResource && name == "resourceType")
                continue;
            present++;
            if (name.Length > 1 && name[0] == '_')
            {
                // The id and extensions of a primitive value: its base element must be a primitive of this type.
                if (!definition.Elements.TryGetValue(name[1..], out var baseElement) || !FhirStructure.PrimitiveTypes.Contains(baseElement.Type))
                    Add(issues, $"{path}.{name}", $"unknown element '{name}'");
                continue;
            }
            if (!definition.Elements.TryGetValue(name, out var element))
            {
                Add(issues, $"{path}.{name}", $"unknown element '{name}' in {definition.Name.Replace('_', '.')}");
                continue;
            }
            var value = property.Value;
            var childPath = $"{path}.{name}";
            if (value.ValueKind == JsonValueKind.Null)
            {
                Add(issues, childPath, "null is not allowed; leave the element out");
                continue;
            }
            if (element.Repeats)
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    Add(issues, childPath, "must be an array");
                    continue;
                }
                if (value.GetArrayLength() == 0)
                {
                    Add(issues, childPath, "an empty array is not allowed; leave the element out");
                    continue;
                }
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    ValidateValue(item, element, $"{elementPath}.{name}", $"{childPath}[{i}]", issues);
                    i++;
                }
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                Add(issues, childPath, "must be a single value, not an array");
            }
            else
            {
                ValidateValue(value, element, $"{elementPath}.{name}", childPath, issues);
            }
        }
        if (present == 0 && !isResource)
            Add(issues, path, "an empty object is not allowed; leave the element out");
        foreach (var element in definition.Elements.Values)
        {
            if (element.Required && !obj.TryGetProperty(element.Name, out _) && !obj.TryGetProperty("_" + element.Name, out _))
                Add(issues, $"{path}.{element.Name}", $"required element '{element.Name}' is missing");
        }
    }

    private static void ValidateValue(JsonElement value, FhirElementDefinition element, string elementPath, string path, List<FhirIssue> issues)
    {
        if (FhirStructure.PrimitiveTypes.Contains(element.Type))
        {
            if (FhirPrimitives.Check(element.Type, value) is { } problem)
                Add(issues, path, $"{problem} ({element.Type})");
            else if (element.Codes is not null && !element.Codes.Contains(value.GetString()!))
                Add(issues, path, $"code '{value.GetString()}' is not allowed; use one of: {string.Join(", ", element.Codes.Order(StringComparer.Ordinal))}");
            return;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(issues, path, $"must be an object ({element.Type})");
            return;
        }
        if (element.Type == "Resource")
        {
            if (!value.TryGetProperty("resourceType", out var rt) || rt.ValueKind != JsonValueKind.String)
            {
                Add(issues, path, "resourceType is missing");
                return;
            }
            ValidateResource(value, rt.GetString()!, path, issues);
            return;
        }
        if (!FhirStructure.TryGetType(element.Type, out var definition))
            return;
        ValidateObject(value, definition, definition.Kind == FhirTypeKind.BackboneElement ? elementPath : element.Type, path, issues);
        if (element.Type == "Reference" && value.TryGetProperty("reference", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            var text = reference.GetString()!;
            if (!FhirReference.TryParse(text, out var parsed))
                Add(issues, $"{path}.reference", $"'{text}' is not a reference (Type/id, urn:uuid:…, #id, Type?search or an absolute URL)");
            else if (parsed.ResourceType is { } target && ReferenceTargets.TryGetValue(elementPath, out var allowed) && Array.IndexOf(allowed, target) < 0)
                Add(issues, $"{path}.reference", $"a {target} cannot be referenced here; allowed: {string.Join(", ", allowed)}");
        }
    }

    private static void Add(List<FhirIssue> issues, string path, string message)
    {
        if (issues.Count < MaxIssues)
            issues.Add(new FhirIssue(path, message));
    }
}
