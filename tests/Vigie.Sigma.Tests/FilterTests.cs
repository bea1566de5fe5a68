using static Vigie.Sigma.Tests.RuleHarness;

namespace Vigie.Sigma.Tests;

/// <summary>Sigma filters exclude events from the rules they name, for a compatible logsource.</summary>
public sealed class FilterTests
{
    private const string RuleYaml = """
        title: Whoami
        id: 6f3e2987-db24-4c78-a860-b4f4095a7095
        name: whoami_exec
        logsource:
            category: process_creation
            product: windows
        detection:
            sel:
                CommandLine|contains: whoami
            condition: sel
        """;

    private static SigmaEngine Compile(string filter)
    {
        var set = SigmaRuleSet.FromYaml(RuleYaml + "\n---\n" + filter);
        set.Errors.ShouldBeEmpty();
        set.Filters.Count.ShouldBe(1);
        return SigmaEngine.Compile(set, new SigmaEngineOptions { Logsources = null });
    }

    [Fact]
    public void A_filter_excludes_the_events_it_describes_from_the_rules_it_names()
    {
        // The specification's example: administrator accounts start with adm_.
        var engine = Compile("""
            title: Filter Administrator account
            logsource:
                category: process_creation
                product: windows
            filter:
                rules:
                    - 6f3e2987-db24-4c78-a860-b4f4095a7095
                selection:
                    User|startswith: 'adm_'
                condition: selection
            """);
        engine.Matches(Event(("CommandLine", "whoami"), ("User", "adm_alice"))).ShouldBeFalse();
        engine.Matches(Event(("CommandLine", "whoami"), ("User", "bob"))).ShouldBeTrue();
    }

    [Fact]
    public void A_filter_may_name_rules_by_name()
    {
        var engine = Compile("""
            title: Filter by name
            logsource:
                product: windows
            filter:
                rules:
                    - whoami_exec
                selection:
                    User: 'svc_scan'
                condition: selection
            """);
        engine.Matches(Event(("CommandLine", "whoami"), ("User", "svc_scan"))).ShouldBeFalse();
    }

    [Fact]
    public void A_filter_for_another_logsource_is_not_applied_and_is_reported()
    {
        var engine = Compile("""
            title: Linux filter
            logsource:
                product: linux
            filter:
                rules:
                    - whoami_exec
                selection:
                    User: 'root'
                condition: selection
            """);
        engine.Matches(Event(("CommandLine", "whoami"), ("User", "root"))).ShouldBeTrue();
        engine.Diagnostics.ShouldContain(d => d.Message.Contains("not applied", StringComparison.Ordinal));
    }
}
