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
