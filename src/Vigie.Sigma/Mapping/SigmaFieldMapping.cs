namespace Vigie.Sigma.Mapping;

/// <summary>
/// Translates the field names rules use (Sysmon/Windows names, mostly) into the names an event carries,
/// e.g. <c>CommandLine</c> → <c>process.command_line</c> for ECS events. A rule field may map to several
/// names, tried in order. With <see cref="KeepOriginalNames"/>, the rule's own name is tried last, so
/// events that kept their original fields still match; a field the table does not know is reported.
/// </summary>
public sealed class SigmaFieldMapping
{
    private readonly Dictionary<string, string[]> _fields;

    /// <summary>Builds a mapping from rule field names to event field names.</summary>
    /// <param name="name">The mapping's name, for reports (<c>windows</c>, <c>ecs</c>).</param>
    /// <param name="fields">Rule field → event field names, tried in order.</param>
    /// <param name="keepOriginalNames">Whether a rule field is also looked up under its own name.</param>
    /// <param name="identity">Whether every field not in the table is looked up as written, without a report.</param>
    public SigmaFieldMapping(string name, IReadOnlyDictionary<string, string[]> fields, bool keepOriginalNames, bool identity)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Name = name;
        _fields = new Dictionary<string, string[]>(fields, StringComparer.Ordinal);
        KeepOriginalNames = keepOriginalNames;
        Identity = identity;
    }

    /// <summary>The mapping's name.</summary>
    public string Name { get; }

    /// <summary>Whether a rule field is also looked up under its own name after the mapped names.</summary>
    public bool KeepOriginalNames { get; }

    /// <summary>Whether fields absent from the table are used as written (no report).</summary>
    public bool Identity { get; }

    /// <summary>The table.</summary>
    public IReadOnlyDictionary<string, string[]> Fields => _fields;

    /// <summary>
    /// The event field names to try for a rule field, and whether the table knew the field
    /// (false means the rule field is looked up as written and reported as unmapped).
    /// </summary>
    public (string[] Names, bool Mapped) Resolve(string ruleField)
    {
        ArgumentNullException.ThrowIfNull(ruleField);
        if (_fields.TryGetValue(ruleField, out var names))
        {
            if (KeepOriginalNames && !names.Contains(ruleField, StringComparer.Ordinal))
                return ([.. names, ruleField], true);
            return (names, true);
        }
        return ([ruleField], Identity);
    }
}
