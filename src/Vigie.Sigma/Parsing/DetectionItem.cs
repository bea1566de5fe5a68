using System.Globalization;
using System.Text.RegularExpressions;
using Vigie.Sigma.Evaluation;

namespace Vigie.Sigma.Parsing;

internal enum DetectionItemKind
{
    /// <summary>Field values compared with the rule's values.</summary>
    Values,
    /// <summary>Keyword search over every value of the event.</summary>
    Keywords,
    /// <summary>Modifier <c>exists</c>.</summary>
    Exists,
    /// <summary>Modifier <c>fieldref</c>: compared with another field of the same event.</summary>
    FieldRef,
}

/// <summary>What a detection item compiles to: matchers per rule value, and how they combine.</summary>
internal sealed class CompiledItem
{
    public required DetectionItemKind Kind { get; init; }
    /// <summary>One matcher per rule value (an expansion is one <see cref="AnyOfMatcher"/>).</summary>
    public required ValueMatcher[] Matchers { get; init; }
    /// <summary>Modifier <c>all</c>: every value must match; otherwise any.</summary>
    public bool All { get; init; }
    /// <summary>Modifier <c>neq</c>: the item holds when the values do not match.</summary>
    public bool Negate { get; init; }
    public bool ExistsExpected { get; init; }
    public string[] ReferencedFields { get; init; } = [];
    public StringMatchKind ReferenceMode { get; init; } = StringMatchKind.Equals;
    public bool Cased { get; init; }
}

/// <summary>
/// One <c>field|modifiers: values</c> entry of a selection (or a keyword list), validated when the rule is
/// loaded; compiled into matchers once (again per engine only when <c>expand</c> placeholders are involved).
/// </summary>
internal sealed class DetectionItem
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private CompiledItem? _compiled;

    public DetectionItem(string? field, IReadOnlyList<SigmaModifier> modifiers, IReadOnlyList<RawValue> values, int line)
    {
        Field = field;
        Modifiers = modifiers;
        Values = values;
        Line = line;
        UsesExpand = modifiers.Contains(SigmaModifier.Expand);
        // Validates now, so that a bad value is reported when the rule is loaded, with its line.
        var compiled = Compile(null, null);
        if (!UsesExpand)
            _compiled = compiled;
    }

    /// <summary>The field name as written in the rule, or null for keywords.</summary>
    public string? Field { get; }
    public IReadOnlyList<SigmaModifier> Modifiers { get; }
    public IReadOnlyList<RawValue> Values { get; }
    public int Line { get; }
    public bool UsesExpand { get; }

    public CompiledItem GetCompiled(IReadOnlyDictionary<string, IReadOnlyList<string>>? placeholders, List<string>? warnings) =>
        _compiled ?? Compile(placeholders, warnings);

    private bool Has(SigmaModifier m) => Modifiers.Contains(m);

    private CompiledItem Compile(IReadOnlyDictionary<string, IReadOnlyList<string>>? placeholders, List<string>? warnings)
    {
        var cased = Has(SigmaModifier.Cased);
        var all = Has(SigmaModifier.All);
        var negate = Has(SigmaModifier.Neq);
        if (Values.Count == 0)
            throw new SigmaRuleException($"'{Describe()}' has no value", Line);

        if (Has(SigmaModifier.Exists))
        {
            if (Field is null)
                throw new SigmaRuleException("modifier 'exists' needs a field name", Line);
            if (Modifiers.Count != 1)
                throw new SigmaRuleException($"modifier 'exists' cannot be combined with other modifiers in '{Describe()}'", Line);
            if (Values.Count != 1 || Values[0].Kind != RawValueKind.Boolean)
                throw new SigmaRuleException($"modifier 'exists' takes one boolean value (true or false) in '{Describe()}'", Line);
            return new CompiledItem
            {
                Kind = DetectionItemKind.Exists,
                Matchers = [],
                ExistsExpected = Values[0].Text == "true",
            };
        }

        if (Has(SigmaModifier.FieldRef))
        {
            if (Field is null)
                throw new SigmaRuleException("modifier 'fieldref' needs a field name", Line);
            foreach (var m in Modifiers)
            {
                if (m is not (SigmaModifier.FieldRef or SigmaModifier.Neq or SigmaModifier.Cased or SigmaModifier.All
                    or SigmaModifier.Contains or SigmaModifier.StartsWith or SigmaModifier.EndsWith))
                    throw new SigmaRuleException($"modifier '{Name(m)}' cannot be combined with 'fieldref' in '{Describe()}'", Line);
            }
            var fields = new string[Values.Count];
            for (var i = 0; i < fields.Length; i++)
            {
                if (Values[i].Kind is RawValueKind.Null || Values[i].Text.Length == 0)
                    throw new SigmaRuleException($"modifier 'fieldref' takes field names, not an empty value, in '{Describe()}'", Line);
                fields[i] = Values[i].Text;
            }
            return new CompiledItem
            {
                Kind = DetectionItemKind.FieldRef,
                Matchers = [],
                ReferencedFields = fields,
                ReferenceMode = Has(SigmaModifier.Contains) ? StringMatchKind.Contains
                    : Has(SigmaModifier.StartsWith) ? StringMatchKind.StartsWith
                    : Has(SigmaModifier.EndsWith) ? StringMatchKind.EndsWith
                    : StringMatchKind.Equals,
                Cased = cased,
                All = all,
                Negate = negate,
            };
        }

        CheckCombinations();
        var matchers = new List<ValueMatcher>(Values.Count);
        foreach (var value in Values)
            matchers.Add(CompileValue(value, cased, placeholders, warnings));

        ValueMatcher[] final;
        if (all)
        {
            final = [.. matchers.Select(m => Optimise(m, cased))];
        }
        else
        {
            // Any of the values: one flat list of alternatives, contains-literals merged into one search.
            var flat = new List<ValueMatcher>();
            foreach (var m in matchers)
            {
                if (m is AnyOfMatcher any)
                    flat.AddRange(any.Alternatives);
                else
                    flat.Add(m);
            }
            final = MergeContains(flat, cased);
        }
        return new CompiledItem
        {
            Kind = Field is null ? DetectionItemKind.Keywords : DetectionItemKind.Values,
            Matchers = final,
            All = all,
            Negate = negate,
            Cased = cased,
        };
    }

    private static ValueMatcher Optimise(ValueMatcher m, bool cased) =>
        m is AnyOfMatcher any ? (MergeContains([.. any.Alternatives], cased) is [var single] ? single : new AnyOfMatcher(MergeContains([.. any.Alternatives], cased))) : m;

    private static ValueMatcher[] MergeContains(List<ValueMatcher> alternatives, bool cased)
    {
        var contains = alternatives.OfType<StringMatcher>().Where(s => s.Kind == StringMatchKind.Contains).ToList();
        if (contains.Count < 2)
            return [.. alternatives];
        var rest = alternatives.Where(a => !(a is StringMatcher { Kind: StringMatchKind.Contains })).ToList();
        rest.Insert(0, new ContainsAnyMatcher([.. contains.Select(c => c.Literal).Distinct(StringComparer.Ordinal)], cased));
        return [.. rest];
    }

    private void CheckCombinations()
    {
        var re = Has(SigmaModifier.Re);
        var comparisons = Modifiers.Count(m => m is SigmaModifier.Lt or SigmaModifier.Lte or SigmaModifier.Gt or SigmaModifier.Gte);
        var timeParts = Modifiers.Count(m => m is SigmaModifier.Minute or SigmaModifier.Hour or SigmaModifier.Day
            or SigmaModifier.Week or SigmaModifier.Month or SigmaModifier.Year);
        var positions = Modifiers.Count(m => m is SigmaModifier.Contains or SigmaModifier.StartsWith or SigmaModifier.EndsWith);
        if (!re && Modifiers.Any(m => m is SigmaModifier.ReIgnoreCase or SigmaModifier.ReMultiline or SigmaModifier.ReSingleline))
            throw new SigmaRuleException($"modifiers 'i', 'm' and 's' apply only after 're' in '{Describe()}'", Line);
        if (comparisons > 1 || timeParts > 1 || positions > 1)
            throw new SigmaRuleException($"conflicting modifiers in '{Describe()}'", Line);
        if (re && (positions > 0 || comparisons > 0 || timeParts > 0 || Has(SigmaModifier.Cidr)
            || Modifiers.Any(IsTransform)))
            throw new SigmaRuleException($"modifier 're' cannot be combined with string, numeric or network modifiers in '{Describe()}'", Line);
        if (Has(SigmaModifier.Cidr) && (positions > 0 || comparisons > 0 || timeParts > 0 || Modifiers.Any(IsTransform)))
            throw new SigmaRuleException($"modifier 'cidr' cannot be combined with string or numeric modifiers in '{Describe()}'", Line);
        if ((comparisons > 0 || timeParts > 0) && (positions > 0 || Modifiers.Any(IsTransform)))
            throw new SigmaRuleException($"numeric modifiers cannot be combined with string modifiers in '{Describe()}'", Line);
        if (Has(SigmaModifier.All) && Values.Count == 1 && Field is not null)
            throw new SigmaRuleException($"modifier 'all' needs a list of several values in '{Describe()}' (specification: single values may not use 'all')", Line);
    }

    private static bool IsTransform(SigmaModifier m) => m is SigmaModifier.Windash or SigmaModifier.Base64 or SigmaModifier.Base64Offset
        or SigmaModifier.Utf16 or SigmaModifier.Utf16Be or SigmaModifier.Utf16Le or SigmaModifier.Expand;

    private ValueMatcher CompileValue(RawValue value, bool cased, IReadOnlyDictionary<string, IReadOnlyList<string>>? placeholders, List<string>? warnings)
    {
        if (value.Kind == RawValueKind.Null)
        {
            if (Modifiers.Any(m => m is not (SigmaModifier.All or SigmaModifier.Neq or SigmaModifier.Cased)))
                throw new SigmaRuleException($"the value null cannot take modifiers in '{Describe()}'", value.Line);
            if (Field is null)
                throw new SigmaRuleException("a keyword cannot be null", value.Line);
            return NullMatcher.Instance;
        }

        if (Has(SigmaModifier.Re))
        {
            var options = RegexOptions.CultureInvariant;
            if (Has(SigmaModifier.ReIgnoreCase))
                options |= RegexOptions.IgnoreCase;
            if (Has(SigmaModifier.ReMultiline))
                options |= RegexOptions.Multiline;
            if (Has(SigmaModifier.ReSingleline))
                options |= RegexOptions.Singleline;
            try
            {
                return new RegexMatcher(value.Text, options, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                throw new SigmaRuleException($"invalid regular expression '{value.Text}' in '{Describe()}': {e.Message}", value.Line);
            }
        }

        if (Has(SigmaModifier.Cidr))
        {
            if (!CidrMatcher.TryCreate(value.Text, out var cidr))
                throw new SigmaRuleException($"invalid network '{value.Text}' for modifier 'cidr' in '{Describe()}'", value.Line);
            return cidr!;
        }

        var comparison = Modifiers.Contains(SigmaModifier.Lt) ? NumericComparison.Less
            : Modifiers.Contains(SigmaModifier.Lte) ? NumericComparison.LessOrEqual
            : Modifiers.Contains(SigmaModifier.Gt) ? NumericComparison.Greater
            : Modifiers.Contains(SigmaModifier.Gte) ? NumericComparison.GreaterOrEqual
            : NumericComparison.Equal;
        var part = Has(SigmaModifier.Minute) ? TimePart.Minute : Has(SigmaModifier.Hour) ? TimePart.Hour
            : Has(SigmaModifier.Day) ? TimePart.Day : Has(SigmaModifier.Week) ? TimePart.Week
            : Has(SigmaModifier.Month) ? TimePart.Month : Has(SigmaModifier.Year) ? TimePart.Year : TimePart.None;
        if (comparison != NumericComparison.Equal || part != TimePart.None)
        {
            var number = value.Number;
            if (value.Kind != RawValueKind.Number
                && !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
                throw new SigmaRuleException($"'{value.Text}' is not a number, as numeric and time modifiers require, in '{Describe()}'", value.Line);
            return new NumericMatcher(comparison, number, part);
        }

        var stringModifiers = Modifiers.Any(m => m is SigmaModifier.Contains or SigmaModifier.StartsWith or SigmaModifier.EndsWith) || Modifiers.Any(IsTransform);
        if (value.Kind == RawValueKind.Number && !stringModifiers && Field is not null)
            return new NumberEqualsMatcher(value.Number, value.Text);
        if (value.Kind == RawValueKind.Boolean && !stringModifiers && Field is not null)
            return new BooleanMatcher(value.Text == "true");

        // Strings: wildcards, then the transformations in the order written.
        var patterns = new List<ValuePattern> { value.Kind == RawValueKind.String ? ValuePattern.Parse(value.Text) : ValuePattern.Literal(value.Text) };
        var positioned = false;
        foreach (var m in Modifiers)
        {
            switch (m)
            {
                case SigmaModifier.Expand:
                    patterns = [.. patterns.SelectMany(p => ExpandPlaceholders(p, placeholders, warnings))];
                    break;
                case SigmaModifier.Windash:
                    patterns = [.. patterns.SelectMany(p => p.ExpandWindash())];
                    break;
                case SigmaModifier.Utf16Le:
                    patterns = [.. patterns.Select(p => p.EncodeUtf16(bigEndian: false, byteOrderMark: false))];
                    break;
                case SigmaModifier.Utf16Be:
                    patterns = [.. patterns.Select(p => p.EncodeUtf16(bigEndian: true, byteOrderMark: false))];
                    break;
                case SigmaModifier.Utf16:
                    patterns = [.. patterns.Select(p => p.EncodeUtf16(bigEndian: false, byteOrderMark: true))];
                    break;
                case SigmaModifier.Base64:
                    RequireNoWildcards(patterns, "base64", value);
                    patterns = [.. patterns.Select(p => p.EncodeBase64())];
                    break;
                case SigmaModifier.Base64Offset:
                    RequireNoWildcards(patterns, "base64offset", value);
                    patterns = [.. patterns.SelectMany(p => p.EncodeBase64Offsets())];
                    break;
                case SigmaModifier.Contains:
                    patterns = [.. patterns.Select(p => p.WithStars(true, true))];
                    positioned = true;
                    break;
                case SigmaModifier.StartsWith:
                    patterns = [.. patterns.Select(p => p.WithStars(false, true))];
                    positioned = true;
                    break;
                case SigmaModifier.EndsWith:
                    patterns = [.. patterns.Select(p => p.WithStars(true, false))];
                    positioned = true;
                    break;
                case SigmaModifier.All:
                case SigmaModifier.Cased:
                case SigmaModifier.Neq:
                    break;
                default:
                    throw new SigmaRuleException($"modifier '{Name(m)}' does not apply to string values in '{Describe()}'", Line);
            }
        }
        if (Field is null && !positioned)
            patterns = [.. patterns.Select(p => p.WithStars(true, true))]; // keywords are found anywhere in a value

        var matchers = patterns.Select(p => ToMatcher(p, cased)).ToArray();
        return matchers.Length == 1 ? matchers[0] : new AnyOfMatcher(matchers);
    }

    private void RequireNoWildcards(List<ValuePattern> patterns, string modifier, RawValue value)
    {
        if (patterns.Any(p => p.HasWildcards))
            throw new SigmaRuleException($"modifier '{modifier}' cannot encode the wildcards of '{value.Text}' in '{Describe()}' (put 'contains' after it)", value.Line);
    }

    private static IEnumerable<ValuePattern> ExpandPlaceholders(ValuePattern pattern, IReadOnlyDictionary<string, IReadOnlyList<string>>? placeholders, List<string>? warnings)
    {
        var text = new string(pattern.Chars);
        var start = text.IndexOf('%', StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf('%', start + 1);
        if (end < 0)
            return [pattern];
        var name = text[(start + 1)..end];
        if (placeholders is null || !placeholders.TryGetValue(name, out var values))
        {
            warnings?.Add($"placeholder %{name}% has no configured values: the value matches nothing");
            return [];
        }
        var prefix = new ValuePattern(pattern.Tokens[..start], pattern.Chars[..start], pattern.IsBytes);
        var suffix = new ValuePattern(pattern.Tokens[(end + 1)..], pattern.Chars[(end + 1)..], pattern.IsBytes);
        return values.SelectMany(v =>
        {
            var middle = ValuePattern.Parse(v);
            var joined = new ValuePattern([.. prefix.Tokens, .. middle.Tokens, .. suffix.Tokens], [.. prefix.Chars, .. middle.Chars, .. suffix.Chars], pattern.IsBytes);
            return ExpandPlaceholders(joined, placeholders, warnings);
        });
    }

    internal static ValueMatcher ToMatcher(ValuePattern p, bool cased)
    {
        var tokens = p.Tokens;
        var n = tokens.Length;
        if (n == 1 && tokens[0] == GlobToken.Star)
            return new StringMatcher(StringMatchKind.Any, "", cased);
        var leading = n > 0 && tokens[0] == GlobToken.Star;
        var trailing = n > 1 && tokens[^1] == GlobToken.Star;
        var from = leading ? 1 : 0;
        var to = trailing ? n - 1 : n;
        for (var i = from; i < to; i++)
        {
            if (tokens[i] != GlobToken.Char)
                return new GlobMatcher(tokens, p.Chars, cased);
        }
        var literal = new string(p.Chars, from, to - from);
        var kind = (leading, trailing) switch
        {
            (true, true) => StringMatchKind.Contains,
            (true, false) => StringMatchKind.EndsWith,
            (false, true) => StringMatchKind.StartsWith,
            _ => StringMatchKind.Equals,
        };
        return new StringMatcher(kind, literal, cased);
    }

    private string Describe() => (Field ?? "") + string.Concat(Modifiers.Select(m => "|" + Name(m)));

    internal static string Name(SigmaModifier m) => m switch
    {
        SigmaModifier.ReIgnoreCase => "i",
        SigmaModifier.ReMultiline => "m",
        SigmaModifier.ReSingleline => "s",
        SigmaModifier.FieldRef => "fieldref",
        _ => m.ToString().ToLowerInvariant(),
    };
}
