using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigie.Sigma.Parsing;

/// <summary>Reads the YAML documents of one file into rules, correlations and filters, or errors with lines.</summary>
internal static partial class SigmaDocumentReader
{
    public sealed class Result
    {
        public List<SigmaRule> Rules { get; } = [];
        public List<SigmaCorrelationRule> Correlations { get; } = [];
        public List<SigmaFilter> Filters { get; } = [];
        public List<SigmaLoadError> Errors { get; } = [];
    }

    public static void Read(string text, string path, Result result)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            result.Errors.Add(new SigmaLoadError(path, (int)e.Start.Line, PeekId(text), "malformed YAML: " + Flatten(e)));
            return;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Duplicate keys surface as ArgumentException, some scanner states as InvalidOperationException:
            // neither carries a position, so replay the parser to find the last line it understood.
            result.Errors.Add(new SigmaLoadError(path, LastParsedLine(text), PeekId(text), "malformed YAML: " + e.Message));
            return;
        }
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            var line = (int)root.Start.Line;
            string? id = null;
            try
            {
                if (root is not YamlMappingNode map)
                {
                    if (root is YamlScalarNode { Value: null or "" })
                        continue; // an empty document (a trailing '---')
                    throw new SigmaRuleException("a rule document must be a YAML mapping", line);
                }
                id = OptionalString(map, "id");
                var source = new SigmaRuleSource(path, line);
                if (map.Children.ContainsKey(new YamlScalarNode("correlation")))
                    result.Correlations.Add(ReadCorrelation(map, source));
                else if (map.Children.ContainsKey(new YamlScalarNode("filter")))
                    result.Filters.Add(ReadFilter(map, source));
                else if (map.Children.ContainsKey(new YamlScalarNode("detection")))
                    result.Rules.Add(ReadRule(map, source));
                else if (OptionalString(map, "action") is { } action)
                    throw new SigmaRuleException($"'action: {action}' rule collections belong to Sigma 1 and are not part of Sigma 2", line);
                else
                    throw new SigmaRuleException("the document has no 'detection', 'correlation' or 'filter' section", line);
            }
            catch (SigmaRuleException e)
            {
                result.Errors.Add(new SigmaLoadError(path, e.Line, id, e.Message));
            }
        }
    }

    private static int LastParsedLine(string text)
    {
        var line = 1;
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
                line = (int)parser.Current!.End.Line;
        }
        catch (Exception e) when (e is YamlException or ArgumentException or InvalidOperationException)
        {
            // The failure point: the line reached so far is the answer.
        }
        return line;
    }

    private static string Flatten(YamlException e)
    {
        var message = e.InnerException is YamlException inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;
        // YamlDotNet prefixes "(Line: a, Col: b, Idx: c) - (…): "; the line is reported separately.
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
    }

    private static string? PeekId(string text)
    {
        var match = IdLine().Match(text);
        return match.Success ? match.Groups[1].Value.Trim('\'', '"') : null;
    }

    [GeneratedRegex(@"^id:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex IdLine();

    private static SigmaRule ReadRule(YamlMappingNode map, SigmaRuleSource source)
    {
        var title = RequiredString(map, "title");
        var logsource = ReadLogsource(Get(map, "logsource") ?? throw new SigmaRuleException("the rule has no 'logsource'", source.Line), required: true)!;
        var detectionNode = Get(map, "detection") as YamlMappingNode
            ?? throw new SigmaRuleException("'detection' must be a mapping of search identifiers and a condition", Line(Get(map, "detection")) ?? source.Line);
        return new SigmaRule
        {
            Id = OptionalString(map, "id"),
            Name = OptionalString(map, "name"),
            Title = title,
            Status = ReadStatus(map),
            Description = OptionalString(map, "description"),
            License = OptionalString(map, "license"),
            Author = OptionalString(map, "author"),
            References = StringList(map, "references"),
            Date = OptionalString(map, "date"),
            Modified = OptionalString(map, "modified"),
            Logsource = logsource,
            Detection = ReadDetection(detectionNode),
            Fields = StringList(map, "fields"),
            FalsePositives = StringList(map, "falsepositives"),
            Level = ReadLevel(map),
            Tags = StringList(map, "tags"),
            Related = ReadRelated(map),
            Source = source,
        };
    }

    private static SigmaFilter ReadFilter(YamlMappingNode map, SigmaRuleSource source)
    {
        var title = RequiredString(map, "title");
        var filterNode = Get(map, "filter") as YamlMappingNode
            ?? throw new SigmaRuleException("'filter' must be a mapping with 'rules', search identifiers and a condition", source.Line);
        var rules = StringList(filterNode, "rules");
        if (rules.Count == 0)
            throw new SigmaRuleException("the filter names no rules ('filter.rules')", Line(filterNode) ?? source.Line);
        // The filter's search identifiers sit beside 'rules' in the 'filter' section.
        var detection = new YamlMappingNode();
        foreach (var pair in filterNode.Children)
        {
            if (pair.Key is YamlScalarNode { Value: "rules" })
                continue;
            detection.Children.Add(pair.Key, pair.Value);
        }
        var logsourceNode = Get(map, "logsource");
        return new SigmaFilter
        {
            Id = OptionalString(map, "id"),
            Name = OptionalString(map, "name"),
            Title = title,
            Description = OptionalString(map, "description"),
            Logsource = logsourceNode is null ? null : ReadLogsource(logsourceNode, required: false),
            Rules = rules,
            Detection = ReadDetection(detection, Line(filterNode) ?? source.Line),
            Source = source,
        };
    }

    private static SigmaCorrelationRule ReadCorrelation(YamlMappingNode map, SigmaRuleSource source)
    {
        var title = RequiredString(map, "title");
        var node = Get(map, "correlation") as YamlMappingNode
            ?? throw new SigmaRuleException("'correlation' must be a mapping", source.Line);
        var typeText = RequiredString(node, "type");
        var type = typeText switch
        {
            "event_count" => SigmaCorrelationType.EventCount,
            "value_count" => SigmaCorrelationType.ValueCount,
            "temporal" => SigmaCorrelationType.Temporal,
            "temporal_ordered" => SigmaCorrelationType.TemporalOrdered,
            "value_sum" => SigmaCorrelationType.ValueSum,
            "value_avg" => SigmaCorrelationType.ValueAvg,
            "value_percentile" => SigmaCorrelationType.ValuePercentile,
            _ => throw new SigmaRuleException($"unknown correlation type '{typeText}' (event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile)", Line(Get(node, "type")) ?? source.Line),
        };
        var rules = StringList(node, "rules");
        if (rules.Count == 0)
            throw new SigmaRuleException("the correlation names no rules ('correlation.rules')", Line(node) ?? source.Line);
        var timespanText = RequiredString(node, "timespan");
        var timespan = ParseTimespan(timespanText) ?? throw new SigmaRuleException(
            $"invalid timespan '{timespanText}': expected a number and a unit s, m, h, d, w, M or y (e.g. 90m)", Line(Get(node, "timespan")) ?? source.Line);
        var condition = ReadCorrelationCondition(node, type, rules.Count, source.Line);
        var groupBy = StringList(node, "group-by");
        var aliases = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (Get(node, "aliases") is { } aliasNode)
        {
            if (aliasNode is not YamlMappingNode aliasMap)
                throw new SigmaRuleException("'aliases' must map alias names to rule → field mappings", Line(aliasNode) ?? source.Line);
            foreach (var pair in aliasMap.Children)
            {
                var alias = Scalar(pair.Key);
                if (pair.Value is not YamlMappingNode perRule)
                    throw new SigmaRuleException($"alias '{alias}' must map rule names to field names", Line(pair.Value) ?? source.Line);
                aliases[alias] = perRule.Children.ToDictionary(p => Scalar(p.Key), p => Scalar(p.Value), StringComparer.Ordinal);
            }
        }
        var generateNode = Get(node, "generate") ?? Get(map, "generate");
        return new SigmaCorrelationRule
        {
            Id = OptionalString(map, "id"),
            Name = OptionalString(map, "name"),
            Title = title,
            Status = ReadStatus(map),
            Description = OptionalString(map, "description"),
            Level = ReadLevel(map),
            Tags = StringList(map, "tags"),
            Type = type,
            Rules = rules,
            GroupBy = groupBy,
            Timespan = timespan,
            Condition = condition,
            Aliases = aliases,
            Generate = generateNode is YamlScalarNode g && string.Equals(g.Value, "true", StringComparison.OrdinalIgnoreCase),
            Source = source,
        };
    }

    private static SigmaCorrelationCondition ReadCorrelationCondition(YamlMappingNode node, SigmaCorrelationType type, int ruleCount, int fallbackLine)
    {
        var conditionNode = Get(node, "condition");
        if (conditionNode is null)
        {
            if (type is SigmaCorrelationType.Temporal or SigmaCorrelationType.TemporalOrdered)
                return new SigmaCorrelationCondition { Gte = ruleCount };
            throw new SigmaRuleException("the correlation has no 'condition'", Line(node) ?? fallbackLine);
        }
        if (conditionNode is not YamlMappingNode map)
            throw new SigmaRuleException("a correlation condition must be a mapping such as 'gte: 10'", Line(conditionNode) ?? fallbackLine);
        var condition = new SigmaCorrelationCondition();
        foreach (var pair in map.Children)
        {
            var key = Scalar(pair.Key);
            var line = Line(pair.Key) ?? fallbackLine;
            if (key == "field")
            {
                condition = condition with { Field = Scalar(pair.Value) };
                continue;
            }
            if (!double.TryParse(Scalar(pair.Value), NumberStyles.Float, CultureInfo.InvariantCulture, out var bound))
                throw new SigmaRuleException($"correlation condition '{key}' needs a number", line);
            condition = key switch
            {
                "gt" => condition with { Gt = bound },
                "gte" => condition with { Gte = bound },
                "lt" => condition with { Lt = bound },
                "lte" => condition with { Lte = bound },
                "eq" => condition with { Eq = bound },
                "neq" => condition with { Neq = bound },
                _ => throw new SigmaRuleException($"unknown correlation condition '{key}' (gt, gte, lt, lte, eq, neq, field)", line),
            };
        }
        if (!condition.HasBounds)
            throw new SigmaRuleException("the correlation condition sets no bound (gt, gte, lt, lte, eq, neq)", Line(conditionNode) ?? fallbackLine);
        var needsField = type is SigmaCorrelationType.ValueCount or SigmaCorrelationType.ValueSum
            or SigmaCorrelationType.ValueAvg or SigmaCorrelationType.ValuePercentile;
        if (needsField && condition.Field is null)
            throw new SigmaRuleException("this correlation type needs 'field' in its condition", Line(conditionNode) ?? fallbackLine);
        return condition;
    }

    internal static TimeSpan? ParseTimespan(string text)
    {
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            return null;
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            'M' => TimeSpan.FromDays(30 * n),
            'y' => TimeSpan.FromDays(365 * n),
            _ => null,
        };
    }

    private static SigmaLogsource? ReadLogsource(YamlNode node, bool required)
    {
        if (node is not YamlMappingNode map)
            throw new SigmaRuleException("'logsource' must be a mapping (product, category, service)", Line(node) ?? 0);
        var product = OptionalString(map, "product")?.ToLowerInvariant();
        var category = OptionalString(map, "category")?.ToLowerInvariant();
        var service = OptionalString(map, "service")?.ToLowerInvariant();
        if (required && product is null && category is null && service is null)
            throw new SigmaRuleException("'logsource' names no product, category or service", Line(node) ?? 0);
        return new SigmaLogsource(product, category, service) { Definition = OptionalString(map, "definition") };
    }

    internal static SigmaDetection ReadDetection(YamlMappingNode node, int? lineOverride = null)
    {
        var searches = new Dictionary<string, SearchNode>(StringComparer.Ordinal);
        YamlNode? conditionNode = null;
        foreach (var pair in node.Children)
        {
            var key = Scalar(pair.Key);
            if (key == "condition")
            {
                conditionNode = pair.Value;
                continue;
            }
            if (key == "timeframe")
                throw new SigmaRuleException("'timeframe' belongs to Sigma 1 aggregations; use a correlation rule's 'timespan'", Line(pair.Key) ?? 0);
            searches[key] = ReadSearch(key, pair.Value);
        }
        var line = lineOverride ?? Line(node) ?? 0;
        if (conditionNode is null)
            throw new SigmaRuleException("the detection has no 'condition'", line);
        var conditions = new List<string>();
        if (conditionNode is YamlScalarNode scalar && !string.IsNullOrWhiteSpace(scalar.Value))
            conditions.Add(scalar.Value);
        else if (conditionNode is YamlSequenceNode list && list.Children.Count > 0)
            conditions.AddRange(list.Children.Select(c => c is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value) ? s.Value
                : throw new SigmaRuleException("each condition of a list must be a string", Line(c) ?? line)));
        else
            throw new SigmaRuleException("'condition' must be a string or a list of strings", Line(conditionNode) ?? line);
        var conditionLine = Line(conditionNode) ?? line;
        var expressions = conditions.Select(c => ConditionParser.Parse(c, searches.Keys, conditionLine)).ToList();
        var condition = expressions.Count == 1 ? expressions[0] : new OrExpression(expressions);
        return new SigmaDetection(searches, conditions, condition);
    }

    private static SearchNode ReadSearch(string name, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                return new ItemsSearch([.. map.Children.Select(p => ReadItem(p.Key, p.Value))]);
            case YamlSequenceNode list when list.Children.Count > 0 && list.Children.All(c => c is YamlMappingNode):
                return new AlternativesSearch([.. list.Children.Select(c => ReadSearch(name, c))]);
            case YamlSequenceNode list when list.Children.Count > 0 && list.Children.All(c => c is YamlScalarNode):
                return new ItemsSearch([new DetectionItem(null, [], [.. list.Children.Select(ReadValue)], Line(node) ?? 0)]);
            case YamlSequenceNode list when list.Children.Count == 0:
                throw new SigmaRuleException($"search identifier '{name}' is an empty list", Line(node) ?? 0);
            case YamlSequenceNode:
                throw new SigmaRuleException($"search identifier '{name}' mixes maps and plain values in one list", Line(node) ?? 0);
            case YamlScalarNode scalar when !string.IsNullOrEmpty(scalar.Value):
                return new ItemsSearch([new DetectionItem(null, [], [ReadValue(scalar)], Line(node) ?? 0)]);
            default:
                throw new SigmaRuleException($"search identifier '{name}' must be a map, a list of maps or a list of keywords", Line(node) ?? 0);
        }
    }

    private static DetectionItem ReadItem(YamlNode keyNode, YamlNode valueNode)
    {
        var key = Scalar(keyNode);
        var line = Line(keyNode) ?? 0;
        var parts = key.Split('|');
        var field = parts[0].Length == 0 ? null : parts[0];
        var modifiers = new List<SigmaModifier>(parts.Length - 1);
        for (var i = 1; i < parts.Length; i++)
        {
            if (!SigmaModifiers.TryParse(parts[i], out var m))
                throw new SigmaRuleException($"unknown modifier '{parts[i]}' in '{key}'", line);
            modifiers.Add(m);
        }
        List<RawValue> values = valueNode switch
        {
            YamlSequenceNode list => [.. list.Children.Select(c => c is YamlScalarNode s ? ReadValue(s)
                : throw new SigmaRuleException($"values of '{key}' must be plain values, not nested lists or maps", Line(c) ?? line))],
            YamlScalarNode scalar => [ReadValue(scalar)],
            _ => throw new SigmaRuleException($"the value of '{key}' must be a value or a list of values, not a map", Line(valueNode) ?? line),
        };
        if (values.Count == 0)
            throw new SigmaRuleException($"'{key}' has an empty list of values", line);
        return new DetectionItem(field, modifiers, values, line);
    }

    private static RawValue ReadValue(YamlNode node)
    {
        var scalar = (YamlScalarNode)node;
        var line = Line(node) ?? 0;
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (text is "" or "null" or "Null" or "NULL" or "~")
                return RawValue.Null(line);
            if (text is "true" or "True" or "TRUE")
                return new RawValue(RawValueKind.Boolean, "true", double.NaN, line);
            if (text is "false" or "False" or "FALSE")
                return new RawValue(RawValueKind.Boolean, "false", double.NaN, line);
            if (NumberText().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return new RawValue(RawValueKind.Number, text, number, line);
        }
        return new RawValue(RawValueKind.String, text, double.NaN, line);
    }

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberText();

    private static SigmaLevel ReadLevel(YamlMappingNode map) => OptionalString(map, "level") switch
    {
        null => SigmaLevel.None,
        "informational" => SigmaLevel.Informational,
        "low" => SigmaLevel.Low,
        "medium" => SigmaLevel.Medium,
        "high" => SigmaLevel.High,
        "critical" => SigmaLevel.Critical,
        var other => throw new SigmaRuleException($"unknown level '{other}' (informational, low, medium, high, critical)", Line(Get(map, "level")) ?? 0),
    };

    private static SigmaStatus ReadStatus(YamlMappingNode map) => OptionalString(map, "status") switch
    {
        null => SigmaStatus.None,
        "stable" => SigmaStatus.Stable,
        "test" => SigmaStatus.Test,
        "experimental" => SigmaStatus.Experimental,
        "deprecated" => SigmaStatus.Deprecated,
        "unsupported" => SigmaStatus.Unsupported,
        var other => throw new SigmaRuleException($"unknown status '{other}' (stable, test, experimental, deprecated, unsupported)", Line(Get(map, "status")) ?? 0),
    };

    private static List<SigmaRelatedRule> ReadRelated(YamlMappingNode map)
    {
        if (Get(map, "related") is not { } node)
            return [];
        if (node is not YamlSequenceNode list)
            throw new SigmaRuleException("'related' must be a list of {id, type}", Line(node) ?? 0);
        return [.. list.Children.Select(c => c is YamlMappingNode m
            ? new SigmaRelatedRule(RequiredString(m, "id"), RequiredString(m, "type"))
            : throw new SigmaRuleException("each 'related' entry must have 'id' and 'type'", Line(c) ?? 0))];
    }

    private static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static int? Line(YamlNode? node) => node is null ? null : (int)node.Start.Line;

    private static string Scalar(YamlNode node) => node is YamlScalarNode s
        ? s.Value ?? ""
        : throw new SigmaRuleException("expected a plain value here, found a list or a map", (int)node.Start.Line);

    private static string RequiredString(YamlMappingNode map, string key) =>
        OptionalString(map, key) is { Length: > 0 } value ? value
            : throw new SigmaRuleException($"'{key}' is missing or empty", (int)map.Start.Line);

    private static string? OptionalString(YamlMappingNode map, string key) => Get(map, key) switch
    {
        null => null,
        YamlScalarNode s => s.Value is { Length: > 0 } v ? v : null,
        var other => throw new SigmaRuleException($"'{key}' must be a plain value", (int)other.Start.Line),
    };

    private static List<string> StringList(YamlMappingNode map, string key) => Get(map, key) switch
    {
        null => [],
        YamlScalarNode { Value: null or "" } => [],
        YamlScalarNode s => [s.Value!],
        YamlSequenceNode list => [.. list.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : c.ToString())],
        var other => throw new SigmaRuleException($"'{key}' must be a list", (int)other.Start.Line),
    };
}
