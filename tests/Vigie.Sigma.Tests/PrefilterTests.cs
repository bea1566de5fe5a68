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
    private static readonly string[] Literals = ["\u0131", "\u017Fx", "\u00AE", "abc", "k", ";", "\\\\", "caf\u00E9", "\U0001F600", " -e"];

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
