using System.Text;
using static Vigie.Sigma.Tests.RuleHarness;

namespace Vigie.Sigma.Tests;

/// <summary>Bad rules are reported with file, line and rule id, and never stop the good ones.</summary>
public sealed class BadInputTests
{
    private const string Good = "title: Good\nid: good-1\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image: x\n    condition: sel\n";

    private static SigmaLoadError OnlyError(string yaml)
    {
        var set = SigmaRuleSet.FromYaml(yaml, "rule.yml");
        set.Errors.Count.ShouldBe(1, string.Join("\n", set.Errors));
        return set.Errors[0];
    }

    [Fact]
    public void Malformed_yaml_names_the_line()
    {
        var error = OnlyError("title: x\nid: bad-1\ndetection:\n  sel: [unclosed\n  condition: sel\n");
        error.Message.ShouldStartWith("malformed YAML");
        error.Line.ShouldBeGreaterThan(3);
        error.RuleId.ShouldBe("bad-1");
        error.Path.ShouldBe("rule.yml");
    }

    [Fact]
    public void An_unknown_modifier_names_it_its_line_and_the_rule()
    {
        var error = OnlyError("title: x\nid: bad-2\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image|sartswith: x\n    condition: sel\n");
        error.Message.ShouldContain("unknown modifier 'sartswith'");
        error.Line.ShouldBe(7);
        error.RuleId.ShouldBe("bad-2");
    }

    [Fact]
    public void An_invalid_regular_expression_is_reported()
    {
        var error = OnlyError(Rule("sel:\n    CommandLine|re: 'a(b'\ncondition: sel", id: "bad-3"));
        error.Message.ShouldContain("invalid regular expression 'a(b'");
        error.RuleId.ShouldBe("bad-3");
    }

    [Fact]
    public void An_unknown_identifier_in_the_condition_is_reported()
    {
        var error = OnlyError(Rule("sel:\n    Image: x\ncondition: sel and not filter", id: "bad-4"));
        error.Message.ShouldContain("'filter'");
        error.Line.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_correlation_naming_a_missing_rule_is_rejected()
    {
        var error = OnlyError(Good + "---\ntitle: Corr\nid: corr-1\ncorrelation:\n    type: event_count\n    rules:\n        - good-1\n        - missing-rule\n    group-by:\n        - Computer\n    timespan: 5m\n    condition:\n        gte: 3\n");
        error.Message.ShouldContain("missing-rule");
        error.RuleId.ShouldBe("corr-1");
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_reported_with_its_offset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigie-bad-{Guid.NewGuid():N}.yml");
        var bytes = Encoding.UTF8.GetBytes("title: caf").Concat(new byte[] { 0xE9, 0x0A }).ToArray();
        File.WriteAllBytes(path, bytes);
        try
        {
            var set = SigmaRuleSet.Load([path]);
            set.Errors.Count.ShouldBe(1);
            set.Errors[0].Message.ShouldContain("not valid UTF-8");
            set.Errors[0].Message.ShouldContain("offset 10");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void One_bad_document_does_not_stop_the_others()
    {
        var set = SigmaRuleSet.FromYaml(Good + "---\ntitle: Bad\nid: bad-5\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image|nope: x\n    condition: sel\n"
            + "---\n" + Good.Replace("good-1", "good-2", StringComparison.Ordinal));
        set.Rules.Select(r => r.Id).ShouldBe(["good-1", "good-2"]);
        set.Errors.Single().RuleId.ShouldBe("bad-5");
    }

    [Theory]
    [InlineData("sel:\n    Image|re|contains: x\ncondition: sel", "cannot be combined")]
    [InlineData("sel:\n    Count|gt: many\ncondition: sel", "not a number")]
    [InlineData("sel:\n    Ip|cidr: 10.0.0.0/99\ncondition: sel", "invalid network")]
    [InlineData("sel:\n    Image|exists: maybe\ncondition: sel", "boolean")]
    [InlineData("sel:\n    Image: x\ncondition: sel | count() > 5", "aggregation")]
    [InlineData("sel:\n    Image: x\ncondition: 1 of nothing*", "matches no search identifier")]
    public void Invalid_detections_are_rejected_with_a_reason(string detection, string reason)
    {
        OnlyError(Rule(detection)).Message.ShouldContain(reason);
    }

    [Fact]
    public void A_missing_file_or_folder_is_reported()
    {
        var set = SigmaRuleSet.Load(["/nonexistent/rules"]);
        set.Errors.Single().Message.ShouldBe("no such file or folder");
    }
}
