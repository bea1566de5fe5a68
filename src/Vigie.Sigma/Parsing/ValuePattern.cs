using System.Text;
using Vigie.Sigma.Evaluation;

namespace Vigie.Sigma.Parsing;

/// <summary>
/// A Sigma string value as a sequence of characters and wildcards, transformed by the string modifiers
/// in the order they are written (windash, encodings, base64, contains/startswith/endswith).
/// </summary>
internal readonly record struct ValuePattern(GlobToken[] Tokens, char[] Chars, bool IsBytes)
{
    /// <summary>
    /// Parses wildcards and escapes as pySigma does: <c>*</c> and <c>?</c> are wildcards; a backslash
    /// escapes <c>*</c>, <c>?</c> and itself; before any other character it is a plain backslash.
    /// </summary>
    public static ValuePattern Parse(string text)
    {
        var tokens = new List<GlobToken>(text.Length);
        var chars = new List<char>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '*' or '?' or '\\')
            {
                Add(GlobToken.Char, text[++i]);
            }
            else if (c == '*')
            {
                if (tokens.Count == 0 || tokens[^1] != GlobToken.Star)
                    Add(GlobToken.Star, c);
            }
            else if (c == '?')
            {
                Add(GlobToken.One, c);
            }
            else
            {
                Add(GlobToken.Char, c);
            }
        }
        return new ValuePattern([.. tokens], [.. chars], false);

        void Add(GlobToken token, char c)
        {
            tokens.Add(token);
            chars.Add(c);
        }
    }

    public static ValuePattern Literal(string text) =>
        new(Enumerable.Repeat(GlobToken.Char, text.Length).ToArray(), text.ToCharArray(), false);

    public bool HasWildcards => Array.Exists(Tokens, t => t != GlobToken.Char);

    public ValuePattern WithStars(bool leading, bool trailing)
    {
        var tokens = new List<GlobToken>(Tokens.Length + 2);
        var chars = new List<char>(Chars.Length + 2);
        if (leading && (Tokens.Length == 0 || Tokens[0] != GlobToken.Star))
        {
            tokens.Add(GlobToken.Star);
            chars.Add('*');
        }
        tokens.AddRange(Tokens);
        chars.AddRange(Chars);
        if (trailing && (tokens.Count == 0 || tokens[^1] != GlobToken.Star))
        {
            tokens.Add(GlobToken.Star);
            chars.Add('*');
        }
        return new ValuePattern([.. tokens], [.. chars], IsBytes);
    }

    /// <summary>
    /// Modifier <c>windash</c>: every dash or slash that starts a flag (pySigma's <c>\B[-/]\b</c>: not preceded
    /// by a word character, followed by one) may be written with any of the five dash characters. Up to three
    /// such flags expand into every permutation of literal values; more become a wildcard class.
    /// </summary>
    public IEnumerable<ValuePattern> ExpandWindash()
    {
        var positions = new List<int>();
        for (var i = 0; i < Tokens.Length; i++)
        {
            if (Tokens[i] != GlobToken.Char || Chars[i] is not ('-' or '/'))
                continue;
            var before = i > 0 && Tokens[i - 1] == GlobToken.Char && IsWord(Chars[i - 1]);
            var after = i + 1 < Tokens.Length && Tokens[i + 1] == GlobToken.Char && IsWord(Chars[i + 1]);
            if (!before && after)
                positions.Add(i);
        }
        if (positions.Count == 0)
            return [this];
        if (positions.Count > 3)
        {
            var tokens = (GlobToken[])Tokens.Clone();
            foreach (var p in positions)
                tokens[p] = GlobToken.Dash;
            return [this with { Tokens = tokens }];
        }
        var results = new List<ValuePattern>();
        var count = (int)Math.Pow(Windash.Characters.Length, positions.Count);
        for (var n = 0; n < count; n++)
        {
            var chars = (char[])Chars.Clone();
            var k = n;
            foreach (var p in positions)
            {
                chars[p] = Windash.Characters[k % Windash.Characters.Length];
                k /= Windash.Characters.Length;
            }
            results.Add(this with { Chars = chars });
        }
        return results;
    }

    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>Modifiers <c>utf16le</c>/<c>wide</c>, <c>utf16be</c>, <c>utf16</c> (with a byte-order mark): each character becomes two byte-characters.</summary>
    public ValuePattern EncodeUtf16(bool bigEndian, bool byteOrderMark)
    {
        var tokens = new List<GlobToken>(Tokens.Length * 2 + 2);
        var chars = new List<char>(Chars.Length * 2 + 2);
        if (byteOrderMark)
        {
            tokens.Add(GlobToken.Char);
            tokens.Add(GlobToken.Char);
            chars.Add('\xFF');
            chars.Add('\xFE');
        }
        for (var i = 0; i < Tokens.Length; i++)
        {
            if (Tokens[i] != GlobToken.Char)
            {
                tokens.Add(Tokens[i]);
                chars.Add(Chars[i]);
                continue;
            }
            var c = Chars[i];
            var (first, second) = bigEndian ? ((char)(c >> 8), (char)(c & 0xFF)) : ((char)(c & 0xFF), (char)(c >> 8));
            tokens.Add(GlobToken.Char);
            tokens.Add(GlobToken.Char);
            chars.Add(first);
            chars.Add(second);
        }
        return new ValuePattern([.. tokens], [.. chars], true);
    }

    /// <summary>The bytes this value stands for: UTF-8 of the text, or the byte-characters an encoding modifier produced.</summary>
    private byte[] Bytes()
    {
        if (!IsBytes)
            return Encoding.UTF8.GetBytes(Chars);
        var bytes = new byte[Chars.Length];
        for (var i = 0; i < Chars.Length; i++)
            bytes[i] = (byte)Chars[i];
        return bytes;
    }

    /// <summary>Modifier <c>base64</c>.</summary>
    public ValuePattern EncodeBase64() => Literal(Convert.ToBase64String(Bytes()));

    /// <summary>
    /// Modifier <c>base64offset</c>: the three encodings of the value at byte offsets 0, 1 and 2 of a larger
    /// encoded text, each trimmed to the characters that do not depend on the surrounding bytes.
    /// </summary>
    public IEnumerable<ValuePattern> EncodeBase64Offsets()
    {
        var bytes = Bytes();
        int[] starts = [0, 2, 3];
        int[] endTrim = [0, 3, 2];
        for (var offset = 0; offset < 3; offset++)
        {
            var shifted = new byte[bytes.Length + offset];
            for (var i = 0; i < offset; i++)
                shifted[i] = (byte)' ';
            bytes.CopyTo(shifted, offset);
            var encoded = Convert.ToBase64String(shifted);
            var trim = endTrim[(bytes.Length + offset) % 3];
            var length = encoded.Length - starts[offset] - trim;
            if (length > 0)
                yield return Literal(encoded.Substring(starts[offset], length));
        }
    }

    public override string ToString() => new(Chars);
}
