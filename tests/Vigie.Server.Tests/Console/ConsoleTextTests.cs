using System.Text.RegularExpressions;
using Vigie.Server.Tests.Support;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Tests.Console;

/// <summary>French is the console's default: every word a page asks for by its English text must have its French.</summary>
public sealed partial class ConsoleTextTests
{
    [GeneratedRegex("""\bT\(\s*"((?:[^"\\]|\\.)+)"\s*\)""")]
    private static partial Regex PlainWord();

    [GeneratedRegex("""\bT\(\s*"([a-z-]+)"\s*,\s*"((?:[^"\\]|\\.)+)"\s*\)""")]
    private static partial Regex WordInContext();

    [Fact]
    public void Every_word_the_console_pages_show_has_a_French_translation()
    {
        var source = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Vigie.Server");
        var files = Directory.EnumerateFiles(Path.Combine(source, "Pages"), "*.cs*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(source, "WebConsole"), "*.cs"))
            .ToList();
        files.Count.ShouldBeGreaterThan(20);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var seen = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (Match m in PlainWord().Matches(text))
            {
                seen++;
                if (!ConsoleText.HasFrench(Regex.Unescape(m.Groups[1].Value)))
                    missing.Add($"{Path.GetFileName(file)}: \"{m.Groups[1].Value}\"");
            }
            foreach (Match m in WordInContext().Matches(text))
            {
                seen++;
                var key = m.Groups[1].Value + "|" + m.Groups[2].Value;
                if (!ConsoleText.HasFrench(key) && !ConsoleText.HasFrench(m.Groups[2].Value))
                    missing.Add($"{Path.GetFileName(file)}: \"{key}\"");
            }
        }
        seen.ShouldBeGreaterThan(300);
        missing.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("alert", "closed", "fermée")]
    [InlineData("incident", "closed", "clos")]
    [InlineData("task", "done", "fait")]
    public void A_word_takes_the_French_of_what_it_qualifies(string context, string english, string french)
    {
        ConsoleText.Get(ConsoleText.French, context, english).ShouldBe(french);
        ConsoleText.Get(ConsoleText.English, context, english).ShouldBe(english);
    }

    [Fact]
    public void Clocks_read_in_the_readers_language()
    {
        ClockText.Describe(new TimeSpan(2, 3, 5, 0), ConsoleText.French).ShouldBe("2 j 3 h restants");
        ClockText.Describe(TimeSpan.FromMinutes(-250), ConsoleText.English).ShouldBe("overdue by 4 h 10 min");
    }
}
