using Vigie.Sigma.Mapping;

namespace Vigie.Sigma;

/// <summary>How an engine is compiled: field mapping, logsource catalog, placeholders, rule selection.</summary>
public sealed class SigmaEngineOptions
{
    /// <summary>Rule field names → event field names. Default: Windows events as EVTX renders them.</summary>
    public SigmaFieldMapping FieldMapping { get; init; } = SigmaFieldMappings.Windows;

    /// <summary>Which events belong to which logsource; null runs every rule on every event.</summary>
    public SigmaLogsourceCatalog? Logsources { get; init; } = SigmaLogsourceCatalog.CreateDefault();

    /// <summary>Values of <c>%name%</c> placeholders for modifier <c>expand</c>; a placeholder without values matches nothing (and is reported).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Placeholders { get; init; }

    /// <summary>Which rules to compile (by level, status, …); null compiles all.</summary>
    public Func<SigmaRule, bool>? RuleSelector { get; init; }

    /// <summary>
    /// Whether rules are pre-filtered by the literals they require (on by default). Turning it off gives
    /// the same results, slower; tests compare both.
    /// </summary>
    public bool UsePrefilter { get; init; } = true;
}
