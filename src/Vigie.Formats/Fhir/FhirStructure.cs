using System.Collections.Frozen;

namespace Vigie.Formats.Fhir;

/// <summary>What kind of structure a FHIR type is.</summary>
public enum FhirTypeKind
{
    /// <summary>A resource with narrative, contained resources and extensions (most resources).</summary>
    DomainResource = 1,
    /// <summary>A resource without narrative or extensions (Bundle).</summary>
    Resource = 2,
    /// <summary>An element defined inside a resource or a data type, with modifier extensions.</summary>
    BackboneElement = 3,
    /// <summary>A complex data type (CodeableConcept, Reference, Period …).</summary>
    Element = 4,
}

/// <summary>One element of a FHIR type: its JSON name, type, cardinality and, for required bindings, its codes.</summary>
/// <param name="Name">The JSON property name (choice types appear expanded: <c>valueQuantity</c>).</param>
/// <param name="Type">A primitive (<c>dateTime</c>), complex type (<c>CodeableConcept</c>) or <c>Resource</c>.</param>
/// <param name="Repeats">True when the element is a JSON array.</param>
/// <param name="Required">True when the element must be present.</param>
/// <param name="Codes">The allowed codes of a required binding; null when any code is allowed.</param>
public sealed record FhirElementDefinition(string Name, string Type, bool Repeats, bool Required, FrozenSet<string>? Codes);

/// <summary>A FHIR resource, backbone element or data type and its elements.</summary>
/// <param name="Name">The type name (<c>Observation</c>, <c>Observation_Component</c>, <c>Period</c>).</param>
/// <param name="Kind">What kind of structure it is.</param>
/// <param name="Elements">Its elements by JSON name.</param>
public sealed record FhirTypeDefinition(string Name, FhirTypeKind Kind, FrozenDictionary<string, FhirElementDefinition> Elements);

/// <summary>The FHIR R4 types Vigie knows: the resources it serves or imports and every data type they use.</summary>
public static class FhirStructure
{
    private static readonly FrozenDictionary<string, FhirTypeDefinition> Types = Load();

    /// <summary>The primitive types of FHIR R4, validated by their lexical rules.</summary>
    public static FrozenSet<string> PrimitiveTypes { get; } = new[]
    {
        "base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id", "instant", "integer",
        "markdown", "oid", "positiveInt", "string", "time", "unsignedInt", "uri", "url", "uuid", "xhtml",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every resource type with a definition.</summary>
    public static IReadOnlyCollection<string> ResourceTypes { get; } =
        Types.Values.Where(t => t.Kind is FhirTypeKind.DomainResource or FhirTypeKind.Resource).Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Finds the definition of a type by name.</summary>
    public static bool TryGetType(string name, out FhirTypeDefinition definition) => Types.TryGetValue(name, out definition!);

    /// <summary>True when <paramref name="name"/> is a resource type Vigie knows.</summary>
    public static bool IsResourceType(string? name) =>
        name is not null && Types.TryGetValue(name, out var t) && t.Kind is FhirTypeKind.DomainResource or FhirTypeKind.Resource;

    private static FrozenDictionary<string, FhirTypeDefinition> Load()
    {
        var types = new Dictionary<string, FhirTypeDefinition>(StringComparer.Ordinal);
        string? name = null;
        var kind = FhirTypeKind.Element;
        var elements = new Dictionary<string, FhirElementDefinition>(StringComparer.Ordinal);

        void Flush()
        {
            if (name is null)
                return;
            switch (kind)
            {
                case FhirTypeKind.DomainResource:
                    Add("id", "id"); Add("meta", "Meta"); Add("implicitRules", "uri"); Add("language", "code");
                    Add("text", "Narrative"); Add("contained", "Resource", true); Add("extension", "Extension", true);
                    Add("modifierExtension", "Extension", true);
                    break;
                case FhirTypeKind.BackboneElement:
                    Add("id", "string"); Add("extension", "Extension", true); Add("modifierExtension", "Extension", true);
                    break;
                case FhirTypeKind.Element:
                    Add("id", "string"); Add("extension", "Extension", true);
                    break;
                case FhirTypeKind.Resource:
                    break;
            }
            types[name] = new FhirTypeDefinition(name, kind, elements.ToFrozenDictionary(StringComparer.Ordinal));
            elements = new Dictionary<string, FhirElementDefinition>(StringComparer.Ordinal);
        }

        void Add(string element, string type, bool repeats = false) =>
            elements.TryAdd(element, new FhirElementDefinition(element, type, repeats, false, null));

        foreach (var raw in FhirStructureData.Text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (line[0] == '@')
            {
                Flush();
                kind = line[1] switch
                {
                    'D' => FhirTypeKind.DomainResource,
                    'R' => FhirTypeKind.Resource,
                    'B' => FhirTypeKind.BackboneElement,
                    _ => FhirTypeKind.Element,
                };
                name = line[3..];
                continue;
            }
            var parts = line.Split(' ');
            var type = parts[1];
            var required = type.EndsWith('!');
            type = type.TrimEnd('!');
            var repeats = type.EndsWith('*');
            type = type.TrimEnd('*');
            var codes = parts.Length > 2 ? parts[2].Split('|').ToFrozenSet(StringComparer.Ordinal) : null;
            elements[parts[0]] = new FhirElementDefinition(parts[0], type, repeats, required, codes);
        }
        Flush();
        return types.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
