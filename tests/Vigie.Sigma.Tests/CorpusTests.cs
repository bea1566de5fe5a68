namespace Vigie.Sigma.Tests;

/// <summary>The whole SigmaHQ corpus loads; the few rejections are the documented ones.</summary>
public sealed class CorpusTests
{
    /// <summary>
    /// Corpus files rejected as invalid by the specification, with the reason's start. docs/SIGMA.md explains each.
    /// </summary>
    private static readonly Dictionary<string, string> ExpectedRejections = new(StringComparer.Ordinal)
    {
    };

    public static TheoryData<string, int> Folders => new()
    {
        { "rules", 3141 },
        { "rules-emerging-threats", 473 },
        { "rules-threat-hunting", 140 },
        { "rules-placeholder", 23 },
        { "rules-compliance", 3 },
    };

    [SkippableTheory]
    [MemberData(nameof(Folders))]
    public void Every_corpus_rule_loads_except_the_documented_invalid_ones(string folder, int files)
    {
        var path = SharedData.Folder("sigma/" + folder);
        Skip.If(path is null, SharedData.Missing("sigma/" + folder));
        var set = SigmaRuleSet.Load([path!]);
        var rejected = set.Errors.Select(e => (File: Path.GetRelativePath(SharedData.Root!, e.Path).Replace('\\', '/'), Error: e)).ToList();
        var unexpected = rejected.Where(r => !ExpectedRejections.TryGetValue(r.File, out var reason) || !r.Error.Message.StartsWith(reason, StringComparison.Ordinal))
            .Select(r => r.Error.ToString()).ToList();
        unexpected.ShouldBeEmpty();
        set.FileCount.ShouldBe(files);
        (set.Rules.Count + set.Correlations.Count + set.Filters.Count + rejected.Count).ShouldBe(files);
    }

    [SkippableFact]
    public void Every_corpus_rule_compiles_into_one_engine()
    {
        var root = SharedData.Folder("sigma");
        Skip.If(root is null, SharedData.Missing("sigma"));
        var set = SigmaRuleSet.Load(Folders.Select(f => Path.Combine(root!, (string)f[0])));
        var engine = SigmaEngine.Compile(set);
        engine.Rules.Count.ShouldBe(set.Rules.Count);
        set.Rules.Count.ShouldBeGreaterThan(3700);
    }
}
