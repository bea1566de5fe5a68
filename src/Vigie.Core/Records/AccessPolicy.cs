using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Vigie.Core.Records;

/// <summary>permit, deny, or break-the-glass required.</summary>
public enum AccessEffect
{
    Deny = 0,
    Permit = 1,
    BreakTheGlass = 2,
}

public static class AccessEffects
{
    public static string ToCode(this AccessEffect effect) => effect switch
    {
        AccessEffect.Permit => "permit",
        AccessEffect.Deny => "deny",
        AccessEffect.BreakTheGlass => "break-the-glass-required",
        _ => "deny",
    };
}

/// <summary>The facts one access is decided on (see policies/records-access.yaml for their meaning).</summary>
public sealed record AccessFacts(
    IReadOnlyList<string> Roles,
    string Interaction,
    string ResourceType,
    bool Compartment,
    bool OwnRecord,
    bool ScopeGranted,
    string Purpose,
    bool Treatment,
    bool Relationship,
    string Consent,
    string Label,
    bool BreakGlass);

/// <summary>One rule of the policy: conditions on facts, an effect and a reason.</summary>
public sealed record AccessRule(string Id, IReadOnlyDictionary<string, IReadOnlyList<string>> When, AccessEffect Effect, string Reason);

/// <summary>
/// The access policy, read from YAML (policies/records-access.yaml is built in; <c>--policy FILE</c> replaces it):
/// ordered rules, the first match decides.
/// </summary>
public sealed class AccessPolicy
{
    private static readonly HashSet<string> KnownFacts = new(StringComparer.Ordinal)
    {
        "role", "interaction", "resource_type", "compartment", "own_record", "scope_granted", "purpose", "treatment",
        "relationship", "consent", "label", "break_glass",
    };

    public required string Version { get; init; }
    public required IReadOnlyList<AccessRule> Rules { get; init; }
    public int CareWindowDays { get; init; } = 30;
    public int BreakGlassHours { get; init; } = 96;
    public required IReadOnlySet<string> TreatmentPurposes { get; init; }

    public static AccessPolicy BuiltIn { get; } = LoadBuiltIn();

    private static AccessPolicy LoadBuiltIn()
    {
        using var stream = typeof(AccessPolicy).Assembly.GetManifestResourceStream("policies/records-access.yaml")
            ?? throw new InvalidOperationException("the built-in access policy is missing from the assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "policies/records-access.yaml");
    }

    public static AccessPolicy Load(string file)
    {
        if (!File.Exists(file))
            throw VigieException.Invalid($"access policy file '{file}' does not exist");
        return Parse(File.ReadAllText(file), file);
    }

    /// <summary>Parses a policy; a mistake is reported with the file, line and rule it is in.</summary>
    public static AccessPolicy Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw VigieException.Invalid($"{source}:{e.Start.Line}: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw VigieException.Invalid($"{source}: the policy must be a mapping with version and rules");
        string Scalar(YamlMappingNode map, string key, bool required = true)
        {
            if (map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode s && s.Value is not null)
                return s.Value;
            if (required)
                throw VigieException.Invalid($"{source}:{map.Start.Line}: '{key}' is required");
            return "";
        }
        var version = Scalar(root, "version");
        var rules = new List<AccessRule>();
        if (!root.Children.TryGetValue(new YamlScalarNode("rules"), out var rulesNode) || rulesNode is not YamlSequenceNode sequence)
            throw VigieException.Invalid($"{source}: 'rules' must be a list");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in sequence)
        {
            if (item is not YamlMappingNode rule)
                throw VigieException.Invalid($"{source}:{item.Start.Line}: a rule must be a mapping (id, when, effect, reason)");
            var id = Scalar(rule, "id");
            if (!ids.Add(id))
                throw VigieException.Invalid($"{source}:{rule.Start.Line}: rule '{id}' appears twice");
            var effect = Scalar(rule, "effect") switch
            {
                "permit" => AccessEffect.Permit,
                "deny" => AccessEffect.Deny,
                "break-the-glass" => AccessEffect.BreakTheGlass,
                var other => throw VigieException.Invalid($"{source}:{rule.Start.Line}: rule '{id}': effect '{other}' is unknown (permit, deny, break-the-glass)"),
            };
            var when = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (rule.Children.TryGetValue(new YamlScalarNode("when"), out var whenNode))
            {
                if (whenNode is not YamlMappingNode conditions)
                    throw VigieException.Invalid($"{source}:{whenNode.Start.Line}: rule '{id}': 'when' must be a mapping of facts");
                foreach (var (k, v) in conditions.Children)
                {
                    var fact = ((YamlScalarNode)k).Value!;
                    if (!KnownFacts.Contains(fact))
                        throw VigieException.Invalid($"{source}:{k.Start.Line}: rule '{id}': fact '{fact}' is unknown; facts: {string.Join(", ", KnownFacts.Order())}");
                    when[fact] = v switch
                    {
                        YamlScalarNode s => [s.Value ?? ""],
                        YamlSequenceNode list => list.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList(),
                        _ => throw VigieException.Invalid($"{source}:{v.Start.Line}: rule '{id}': '{fact}' must be a value or a list"),
                    };
                }
            }
            rules.Add(new AccessRule(id, when, effect, Scalar(rule, "reason", required: false)));
        }
        var purposes = root.Children.TryGetValue(new YamlScalarNode("treatment_purposes"), out var p) && p is YamlSequenceNode ps
            ? ps.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal) { "TREAT", "ETREAT", "BTG" };
        int Int(string key, int fallback) => Scalar(root, key, required: false) is { Length: > 0 } text
            ? int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw VigieException.Invalid($"{source}: '{key}' must be a positive number")
            : fallback;
        return new AccessPolicy
        {
            Version = version,
            Rules = rules,
            TreatmentPurposes = purposes,
            CareWindowDays = Int("care_window_days", 30),
            BreakGlassHours = Int("break_glass_hours", 96),
        };
    }

    /// <summary>The first rule that matches, or a default deny.</summary>
    public (AccessRule Rule, string Reason) Evaluate(AccessFacts facts)
    {
        foreach (var rule in Rules)
        {
            if (Matches(rule, facts, out var matchedRole))
                return (rule, Format(rule.Reason, facts, matchedRole));
        }
        var fallback = new AccessRule("default-deny", new Dictionary<string, IReadOnlyList<string>>(), AccessEffect.Deny, "no rule of the policy permits this access");
        return (fallback, fallback.Reason);
    }

    private static bool Matches(AccessRule rule, AccessFacts f, out string? matchedRole)
    {
        matchedRole = null;
        foreach (var (fact, values) in rule.When)
        {
            if (fact == "role")
            {
                matchedRole = f.Roles.FirstOrDefault(r => values.Contains(r));
                if (matchedRole is null)
                    return false;
                continue;
            }
            var actual = fact switch
            {
                "interaction" => f.Interaction,
                "resource_type" => f.ResourceType,
                "compartment" => Bool(f.Compartment),
                "own_record" => Bool(f.OwnRecord),
                "scope_granted" => Bool(f.ScopeGranted),
                "purpose" => f.Purpose,
                "treatment" => Bool(f.Treatment),
                "relationship" => Bool(f.Relationship),
                "consent" => f.Consent,
                "label" => f.Label,
                "break_glass" => Bool(f.BreakGlass),
                _ => "",
            };
            if (!values.Contains(actual))
                return false;
        }
        return true;
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Format(string reason, AccessFacts f, string? role) => reason
        .Replace("{role}", role ?? f.Roles.FirstOrDefault() ?? "", StringComparison.Ordinal)
        .Replace("{interaction}", f.Interaction, StringComparison.Ordinal)
        .Replace("{resource_type}", f.ResourceType, StringComparison.Ordinal)
        .Replace("{purpose}", f.Purpose, StringComparison.Ordinal)
        .Replace("{label}", f.Label, StringComparison.Ordinal);
}
