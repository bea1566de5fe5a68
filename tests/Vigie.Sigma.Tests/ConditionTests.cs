using static Vigie.Sigma.Tests.RuleHarness;

namespace Vigie.Sigma.Tests;

/// <summary>Condition forms and the specification's precedence: x of, not, and, or.</summary>
public sealed class ConditionTests
{
    private const string Selections = "a:\n    A: 1\nb:\n    B: 1\nc:\n    C: 1\n";

    private static bool Eval(string condition, bool a, bool b, bool c) =>
        Matches(Selections + "condition: " + condition, Event(("A", a ? 1 : 0), ("B", b ? 1 : 0), ("C", c ? 1 : 0)));

    public static TheoryData<bool, bool, bool> AllCombinations()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (var a in new[] { false, true })
            foreach (var b in new[] { false, true })
                foreach (var c in new[] { false, true })
                    data.Add(a, b, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void And_binds_tighter_than_or(bool a, bool b, bool c) => Eval("a or b and c", a, b, c).ShouldBe(a || (b && c));

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Not_binds_tighter_than_and(bool a, bool b, bool c) => Eval("not a and b", a, b, c).ShouldBe(!a && b);

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Parentheses_group(bool a, bool b, bool c) => Eval("(a or b) and not c", a, b, c).ShouldBe((a || b) && !c);

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void A_list_of_conditions_is_joined_with_or(bool a, bool b, bool c) =>
        Matches(Selections + "condition:\n    - a and b\n    - c", Event(("A", a ? 1 : 0), ("B", b ? 1 : 0), ("C", c ? 1 : 0))).ShouldBe((a && b) || c);

    private const string Patterned = "selection_x:\n    X: 1\nselection_y:\n    Y: 1\n_helper:\n    H: 1\n";

    private static bool EvalPattern(string condition, int x, int y, int h) =>
        Matches(Patterned + "condition: " + condition, Event(("X", x), ("Y", y), ("H", h)));

    [Fact]
    public void One_of_a_pattern_needs_any_matching_identifier()
    {
        EvalPattern("1 of selection_*", 0, 1, 0).ShouldBeTrue();
        EvalPattern("1 of selection_*", 0, 0, 1).ShouldBeFalse();
    }

    [Fact]
    public void All_of_a_pattern_needs_every_matching_identifier()
    {
        EvalPattern("all of selection_*", 1, 1, 0).ShouldBeTrue();
        EvalPattern("all of selection_*", 1, 0, 0).ShouldBeFalse();
    }

    [Fact]
    public void Them_leaves_out_identifiers_starting_with_an_underscore()
    {
        EvalPattern("all of them", 1, 1, 0).ShouldBeTrue();
        EvalPattern("1 of them", 0, 0, 1).ShouldBeFalse();
        EvalPattern("1 of them and not _helper", 1, 0, 1).ShouldBeFalse();
    }

    [Fact]
    public void A_map_joins_its_fields_with_and_and_a_list_of_maps_with_or()
    {
        const string detection = "sel:\n    - A: 1\n      B: 1\n    - C: 1\ncondition: sel";
        Matches(detection, Event(("A", 1), ("B", 1), ("C", 0))).ShouldBeTrue();
        Matches(detection, Event(("A", 1), ("B", 0), ("C", 0))).ShouldBeFalse();
        Matches(detection, Event(("A", 0), ("B", 0), ("C", 1))).ShouldBeTrue();
    }

    [Fact]
    public void The_specification_example_with_a_filter_works()
    {
        // Specification: "selection and not filter".
        const string detection = "selection:\n    EventID: 4688\n    CommandLine|contains: 'whoami'\nfilter:\n    User|startswith: 'adm_'\ncondition: selection and not filter";
        Matches(detection, Event(("EventID", 4688), ("CommandLine", "whoami /all"), ("User", "bob"))).ShouldBeTrue();
        Matches(detection, Event(("EventID", 4688), ("CommandLine", "whoami /all"), ("User", "adm_bob"))).ShouldBeFalse();
    }
}
