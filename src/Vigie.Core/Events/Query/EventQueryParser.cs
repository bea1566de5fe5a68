using System.Text;

namespace Vigie.Core.Events.Query;

/// <summary>
/// Reads the event search language: <c>field:value</c>, wildcards (<c>user.name:adm*</c>), quoted phrases,
/// AND, OR, NOT (and <c>-term</c>), parentheses, ranges (<c>source.port:[1 TO 1024]</c>, <c>@timestamp:&gt;=2026-01-01</c>),
/// <c>_exists_:field</c> and free text. Terms side by side are ANDed. An empty query matches everything.
/// </summary>
public sealed class EventQueryParser
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _pos;
    private int _depth;

    private EventQueryParser(string text) => _text = text;

    /// <summary>The tree of <paramref name="query"/>, or null for an empty query; <see cref="QuerySyntaxException"/> names the position of an error.</summary>
    public static QueryNode? Parse(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
            return null;
        if (query.Length > 4096)
            throw new QuerySyntaxException("the query is longer than 4096 characters", 4097);
        var parser = new EventQueryParser(query);
        var node = parser.ParseOr();
        parser.SkipSpaces();
        if (parser._pos < parser._text.Length)
            throw new QuerySyntaxException(parser._text[parser._pos] == ')' ? "unexpected ')'" : $"unexpected '{parser._text[parser._pos]}'", parser._pos + 1);
        return node;
    }

    private void SkipSpaces()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            _pos++;
    }

    private bool Keyword(string word)
    {
        SkipSpaces();
        if (_pos + word.Length > _text.Length || string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
            return false;
        var after = _pos + word.Length;
        if (after < _text.Length && !char.IsWhiteSpace(_text[after]) && _text[after] != '(')
            return false;
        _pos = after;
        return true;
    }

    private QueryNode ParseOr()
    {
        var children = new List<QueryNode> { ParseAnd() };
        while (Keyword("OR") || Symbol("||"))
            children.Add(ParseAnd());
        return children.Count == 1 ? children[0] : new OrNode(children);
    }

    private bool Symbol(string symbol)
    {
        SkipSpaces();
        if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) != 0)
            return false;
        _pos += symbol.Length;
        return true;
    }

    private QueryNode ParseAnd()
    {
        var children = new List<QueryNode> { ParseUnary() };
        while (true)
        {
            SkipSpaces();
            if (_pos >= _text.Length || _text[_pos] == ')')
                break;
            var save = _pos;
            if (Keyword("OR") || Symbol("||"))
            {
                _pos = save;
                break;
            }
            if (!Keyword("AND"))
                Symbol("&&");
            children.Add(ParseUnary());
        }
        return children.Count == 1 ? children[0] : new AndNode(children);
    }

    private QueryNode ParseUnary()
    {
        if (Keyword("NOT"))
            return new NotNode(ParseUnary());
        SkipSpaces();
        if (_pos < _text.Length && (_text[_pos] == '-' || _text[_pos] == '!') && _pos + 1 < _text.Length && !char.IsWhiteSpace(_text[_pos + 1]))
        {
            _pos++;
            return new NotNode(ParseUnary());
        }
        return ParsePrimary();
    }

    private QueryNode ParsePrimary()
    {
        SkipSpaces();
        if (_pos >= _text.Length)
            throw new QuerySyntaxException("a term is missing at the end", _pos + 1);
        var c = _text[_pos];
        if (c == '(')
        {
            var open = _pos;
            if (++_depth > MaxDepth)
                throw new QuerySyntaxException($"parentheses nest deeper than {MaxDepth}", _pos + 1);
            _pos++;
            var inner = ParseOr();
            SkipSpaces();
            if (_pos >= _text.Length || _text[_pos] != ')')
                throw new QuerySyntaxException("'(' is never closed", open + 1);
            _pos++;
            _depth--;
            return inner;
        }
        if (c == ')')
            throw new QuerySyntaxException("unexpected ')'", _pos + 1);
        if (c == '"')
            return new FreeText(ReadQuoted());
        var start = _pos;
        var word = ReadWord();
        if (word.Length == 0)
            throw new QuerySyntaxException($"unexpected '{c}'", start + 1);
        if (word is "AND" or "OR")
            throw new QuerySyntaxException($"'{word}' needs a term on each side", start + 1);
        if (_pos < _text.Length && _text[_pos] == ':')
        {
            _pos++;
            var field = word;
            if (!IsFieldName(field))
                throw new QuerySyntaxException($"'{field}' is not a field name (letters, digits, '.', '_', '-', '@')", start + 1);
            return ParseValue(field, start);
        }
        return new FreeText(Unescape(word));
    }

    private QueryNode ParseValue(string field, int fieldStart)
    {
        if (_pos >= _text.Length || char.IsWhiteSpace(_text[_pos]))
            throw new QuerySyntaxException($"field '{field}' has no value after ':'", _pos + 1);
        if (field == "_exists_")
        {
            var start = _pos;
            var name = ReadWord();
            if (!IsFieldName(name))
                throw new QuerySyntaxException("_exists_ needs a field name", start + 1);
            return new FieldExists(name);
        }
        var c = _text[_pos];
        if (c == '"')
            return new FieldMatch(field, ReadQuoted(), false);
        if (c == '[' || c == '{')
            return ParseRange(field);
        if (c is '>' or '<')
        {
            var greater = c == '>';
            _pos++;
            var inclusive = _pos < _text.Length && _text[_pos] == '=';
            if (inclusive)
                _pos++;
            var start = _pos;
            var bound = _pos < _text.Length && _text[_pos] == '"' ? ReadQuoted() : Unescape(ReadWord());
            if (bound.Length == 0)
                throw new QuerySyntaxException($"comparison on '{field}' has no value", start + 1);
            return greater ? new RangeMatch(field, bound, null, inclusive, false) : new RangeMatch(field, null, bound, false, inclusive);
        }
        if (c == '(')
        {
            // field:(a OR b) applies the field to each term.
            var open = _pos;
            _pos++;
            var values = new List<QueryNode>();
            var or = false;
            while (true)
            {
                SkipSpaces();
                if (_pos >= _text.Length)
                    throw new QuerySyntaxException("'(' is never closed", open + 1);
                if (_text[_pos] == ')')
                {
                    _pos++;
                    break;
                }
                if (Keyword("OR"))
                {
                    or = true;
                    continue;
                }
                if (Keyword("AND"))
                    continue;
                var valueStart = _pos;
                var v = _text[_pos] == '"' ? ReadQuoted() : ReadWord();
                if (v.Length == 0)
                    throw new QuerySyntaxException($"unexpected '{_text[_pos]}'", valueStart + 1);
                values.Add(Match(field, v, _text[valueStart] == '"'));
            }
            if (values.Count == 0)
                throw new QuerySyntaxException($"'{field}:()' holds no value", open + 1);
            return values.Count == 1 ? values[0] : or ? new OrNode(values) : new AndNode(values);
        }
        var wordStart = _pos;
        var word = ReadWord();
        if (word.Length == 0)
            throw new QuerySyntaxException($"field '{field}' has no value after ':'", wordStart + 1);
        return Match(field, word, false);
    }

    private static QueryNode Match(string field, string raw, bool quoted)
    {
        if (quoted)
            return new FieldMatch(field, raw, false);
        var wildcard = HasUnescapedWildcard(raw);
        if (wildcard && raw == "*")
            return new FieldExists(field);
        return new FieldMatch(field, wildcard ? raw : Unescape(raw), wildcard);
    }

    private QueryNode ParseRange(string field)
    {
        var open = _pos;
        var includeLow = _text[_pos] == '[';
        _pos++;
        SkipSpaces();
        var low = _pos < _text.Length && _text[_pos] == '"' ? ReadQuoted() : Unescape(ReadWord());
        if (!Keyword("TO"))
            throw new QuerySyntaxException("a range reads [low TO high]", _pos + 1);
        SkipSpaces();
        var high = _pos < _text.Length && _text[_pos] == '"' ? ReadQuoted() : Unescape(ReadWord(stopAtBracket: true));
        SkipSpaces();
        if (_pos >= _text.Length || (_text[_pos] != ']' && _text[_pos] != '}'))
            throw new QuerySyntaxException("range is never closed with ']' or '}'", open + 1);
        var includeHigh = _text[_pos] == ']';
        _pos++;
        if (low.Length == 0 || high.Length == 0)
            throw new QuerySyntaxException("a range needs two bounds (use * for an open end)", open + 1);
        return new RangeMatch(field, low == "*" ? null : low, high == "*" ? null : high, includeLow, includeHigh);
    }

    private string ReadWord(bool stopAtBracket = false)
    {
        var start = _pos;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\\' && _pos + 1 < _text.Length)
            {
                _pos += 2;
                continue;
            }
            if (char.IsWhiteSpace(c) || c is '(' or ')' or '"')
                break;
            if (c == ':' && _pos > start && IsFieldName(_text[start.._pos]) && !LooksLikeValueWithColon(start))
                break;
            if (stopAtBracket && c is ']' or '}')
                break;
            _pos++;
        }
        return _text[start.._pos];
    }

    // Times (12:30:00) and IPv6 addresses hold colons inside a value; a field name never starts with a digit.
    private bool LooksLikeValueWithColon(int start) => char.IsAsciiDigit(_text[start]) || _text.AsSpan(start, _pos - start).Contains(':')
        || (_pos + 1 < _text.Length && _text[_pos + 1] == ':');

    private string ReadQuoted()
    {
        var open = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\\' && _pos + 1 < _text.Length)
            {
                sb.Append(_text[_pos + 1]);
                _pos += 2;
                continue;
            }
            if (c == '"')
            {
                _pos++;
                return sb.ToString();
            }
            sb.Append(c);
            _pos++;
        }
        throw new QuerySyntaxException("quoted phrase is never closed", open + 1);
    }

    private static bool HasUnescapedWildcard(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
                continue;
            }
            if (s[i] is '*' or '?')
                return true;
        }
        return false;
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
            return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
                i++;
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    public static bool IsFieldName(string name)
    {
        if (name.Length is 0 or > 200)
            return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
                return false;
        }
        return true;
    }
}
