using Vigie.Sigma.Evaluation;

namespace Vigie.Sigma.Tests;

/// <summary>The literal a regular expression requires, used to gate regex-only rules.</summary>
public sealed class PrefilterTests
{
    [Theory]
    [InlineData(@"\\evil\.exe$", @"\evil.exe")]
    [InlineData("https?://0[0-9]{3,11}", "http")]
    [InlineData("foo(bar)?bazz", "bazz")]
    [InlineData("abcd+efg", "abcd")]
    [InlineData("xab{2}cdef", "cdef")]
    [InlineData(" -e(nc|ncodedcommand) ", " -e")]
    [InlineData("abc?d", null)]
    [InlineData("mimikatz|kiwi", null)]
    [InlineData("[a-z]{5}", null)]
    public void Required_literal_is_a_substring_of_every_match(string pattern, string? expected)
    {
        RegexMatcher.RequiredLiteral(pattern).ShouldBe(expected);
    }
}

/// <summary>The multi-literal search finds exactly what ordinal case-insensitive comparison finds.</summary>
public sealed class LiteralIndexTests
{
    private static readonly string[] Literals = ["\u0131", "\u017Fx", "\u00AE", "abc", "k", ";", "\\\\", "caf\u00E9", "\U0001F600", " -e",
        "invoke-expression", "\\cmd.exe", "expression", ".exe"];

    private struct Collect(HashSet<int> found) : ILiteralSink
    {
        public readonly void Found(int literal) => found.Add(literal);

        public readonly void Found(int[] targets)
        {
        }
    }

    [Theory]
    [InlineData("I")]
    [InlineData("i")]
    [InlineData("SX and more")]
    [InlineData("Microsoft\u00AE Windows")]
    [InlineData("xABCx; K")]
    [InlineData("C:\\\\share\\\\")]
    [InlineData("CAF\u00C9 \U0001F600")]
    [InlineData("powershell -EncodedCommand")]
    [InlineData("nothing here")]
    [InlineData("IEX; INVOKE-EXPRESSION $x")]
    [InlineData("C:\\Windows\\CMD.EXE /c whoami.exe")]
    [InlineData("\u0131nvoke-expre\u017Fsion")]
    [InlineData("cmd.ex")]
    public void Every_occurring_literal_is_found_and_no_other(string text)
    {
        var index = new LiteralIndex(Literals);
        var found = new HashSet<int>();
        var sink = new Collect(found);
        index.Scan(text, ref sink);
        var expected = Enumerable.Range(0, Literals.Length).Where(i => text.Contains(Literals[i], StringComparison.OrdinalIgnoreCase));
        found.Order().ShouldBe(expected);
    }
}

/// <summary>A contains-list matches exactly when ordinal comparison finds one of its values.</summary>
public sealed class ContainsAnyMatcherTests
{
    private static readonly string[] Values = ["\u0131", "\u017Fx", "\u00AE", "abc", ";", "caf\u00E9", "\U0001F600", "\u02E3"];

    [Theory]
    [InlineData("I", false)]
    [InlineData("i", false)]
    [InlineData("SX", false)]
    [InlineData("Microsoft\u00AE", false)]
    [InlineData("xABCx", false)]
    [InlineData("a;b", false)]
    [InlineData("CAF\u00C9", false)]
    [InlineData("\U0001F600", false)]
    [InlineData("obfu\u02E3cated", false)]
    [InlineData("nothing", false)]
    [InlineData("xABCx", true)]
    [InlineData("xabcx", true)]
    [InlineData("I", true)]
    [InlineData("\u0131", true)]
    public void Matches_like_ordinal_comparison(string text, bool cased)
    {
        var matcher = new ContainsAnyMatcher(Values, cased);
        var comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        matcher.Matches(Events.SigmaFieldValue.FromString(text)).ShouldBe(Values.Any(v => text.Contains(v, comparison)));
    }
}
