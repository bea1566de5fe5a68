namespace Vigie.Sigma.Parsing;

/// <summary>
/// Parses a Sigma condition: <c>and</c>, <c>or</c>, <c>not</c>, parentheses, <c>1 of x*</c>, <c>all of x*</c>,
/// <c>1 of them</c>, <c>all of them</c>. Precedence, from the specification: <c>x of</c> binds tightest, then
/// <c>not</c>, <c>and</c>, <c>or</c>. <c>them</c> leaves out identifiers that start with an underscore.
/// </summary>
internal sealed class ConditionParser
{
    private readonly List<string> _tokens;
    private readonly IReadOnlyCollection<string> _identifiers;
    private readonly int _line;
    private int _position;

    private ConditionParser(List<string> tokens, IReadOnlyCollection<string> identifiers, int line)
    {
        _tokens = tokens;
        _identifiers = identifiers;
        _line = line;
    }

    public static ConditionExpression Parse(string condition, IReadOnlyCollection<string> identifiers, int line)
    {
        if (condition.Contains('|', StringComparison.Ordinal))
            throw new SigmaRuleException($"condition '{condition}' uses an aggregation ('|'), which Sigma 2 replaced with correlation rules", line);
        var parser = new ConditionParser(Tokenize(condition), identifiers, line);
        if (parser._tokens.Count == 0)
            throw new SigmaRuleException("the condition is empty", line);
        var expression = parser.ParseOr();
        if (parser._position < parser._tokens.Count)
            throw new SigmaRuleException($"unexpected '{parser._tokens[parser._position]}' in condition '{condition}'", line);
        return expression;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')'))
                    i++;
                tokens.Add(text[start..i]);
            }
        }
        return tokens;
    }

    private string? Peek => _position < _tokens.Count ? _tokens[_position] : null;

    private bool IsKeyword(string? token, string keyword) => string.Equals(token, keyword, StringComparison.OrdinalIgnoreCase);

    private ConditionExpression ParseOr()
    {
        var operands = new List<ConditionExpression> { ParseAnd() };
        while (IsKeyword(Peek, "or"))
        {
            _position++;
            operands.Add(ParseAnd());
        }
        return operands.Count == 1 ? operands[0] : new OrExpression(operands);
    }

    private ConditionExpression ParseAnd()
    {
        var operands = new List<ConditionExpression> { ParseNot() };
        while (IsKeyword(Peek, "and"))
        {
            _position++;
            operands.Add(ParseNot());
        }
        return operands.Count == 1 ? operands[0] : new AndExpression(operands);
    }

    private ConditionExpression ParseNot()
    {
        if (IsKeyword(Peek, "not"))
        {
            _position++;
            return new NotExpression(ParseNot());
        }
        return ParsePrimary();
    }

    private ConditionExpression ParsePrimary()
    {
        var token = Peek ?? throw new SigmaRuleException("the condition ends where an identifier or '(' was expected", _line);
        _position++;
        if (token == "(")
        {
            var inner = ParseOr();
            if (Peek != ")")
                throw new SigmaRuleException("missing ')' in condition", _line);
            _position++;
            return inner;
        }
        if (token == ")" || IsKeyword(token, "and") || IsKeyword(token, "or") || IsKeyword(token, "of"))
            throw new SigmaRuleException($"unexpected '{token}' in condition", _line);
        if ((token == "1" || IsKeyword(token, "all") || IsKeyword(token, "any")) && IsKeyword(Peek, "of"))
        {
            _position++;
            var target = Peek ?? throw new SigmaRuleException($"'{token} of' needs an identifier pattern or 'them'", _line);
            _position++;
            var names = ResolvePattern(target);
            var operands = names.Select(n => (ConditionExpression)new IdentifierExpression(n)).ToList();
            if (operands.Count == 1)
                return operands[0];
            return IsKeyword(token, "all") ? new AndExpression(operands) : new OrExpression(operands);
        }
        if (!_identifiers.Contains(token))
            throw new SigmaRuleException($"condition names '{token}', which the detection does not define", _line);
        return new IdentifierExpression(token);
    }

    private List<string> ResolvePattern(string pattern)
    {
        List<string> names;
        if (IsKeyword(pattern, "them"))
        {
            names = [.. _identifiers.Where(n => !n.StartsWith('_'))];
        }
        else
        {
            names = [.. _identifiers.Where(n => Glob(pattern, n))];
        }
        if (names.Count == 0)
            throw new SigmaRuleException($"'of {pattern}' matches no search identifier", _line);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static bool Glob(string pattern, string name)
    {
        // Identifier patterns only use '*'.
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
            return pattern == name;
        var parts = pattern.Split('*');
        if (!name.StartsWith(parts[0], StringComparison.Ordinal) || !name.EndsWith(parts[^1], StringComparison.Ordinal)
            || name.Length < parts[0].Length + parts[^1].Length)
            return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = name.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0 || found + parts[i].Length > name.Length - parts[^1].Length)
                return false;
            at = found + parts[i].Length;
        }
        return true;
    }
}
