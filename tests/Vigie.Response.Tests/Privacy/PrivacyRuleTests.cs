using System.Text.Json;
using Vigie.Core.Privacy;

namespace Vigie.Response.Tests.Privacy;

public sealed class PrivacyRuleTests
{
    private static readonly DateTime T = new(2026, 5, 4, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>A permitted read, by a nurse of the CHU, of a patient in her care: the normal case each test changes one thing of.</summary>
    private static Dictionary<string, object?> Normal(DateTime? at = null, string user = "nurse.a", string patient = "P-1") => new()
    {
        ["@timestamp"] = (at ?? T).ToString("o"),
        ["event"] = new Dictionary<string, object?> { ["dataset"] = "vigie.records", ["action"] = "read", ["outcome"] = "success" },
        ["user"] = new Dictionary<string, object?> { ["name"] = user, ["roles"] = new[] { "clinician" } },
        ["organization"] = new Dictionary<string, object?> { ["id"] = "CHU-A" },
        ["source"] = new Dictionary<string, object?> { ["ip"] = "10.1.2.3" },
        ["vigie.patient.id"] = patient,
        ["vigie.access.decision"] = "permit",
        ["vigie.access.purpose"] = "TREAT",
        ["vigie.access.break_glass"] = false,
        ["vigie.privacy.care_relationship"] = "encounter",
        ["vigie.privacy.same_family_name"] = false,
        ["vigie.privacy.vip"] = false,
        ["vigie.privacy.employee"] = false,
        ["vigie.privacy.deceased"] = false,
        ["vigie.privacy.self"] = false,
    };

    private static RecordAccess Access(Dictionary<string, object?> e, string? id = null) =>
        RecordAccess.Parse(JsonSerializer.Serialize(e), id ?? Guid.NewGuid().ToString("N"));

    private static PrivacyMonitor Monitor() => new(_ => null, _ => "UTC");

    private static List<string> Titles(PrivacyMonitor monitor, Dictionary<string, object?> e) => monitor.Process(Access(e)).Select(d => d.Title).ToList();

    [Fact]
    public void The_shipped_rules_load_without_errors_and_name_ATTACK_techniques()
    {
        var set = PrivacyRules.RuleSet;
        set.Errors.ShouldBeEmpty();
        set.Rules.Count.ShouldBeGreaterThanOrEqualTo(12);
        set.Correlations.Count.ShouldBe(3);
        var engine = PrivacyRules.Compile(withCatalog: true);
        engine.Diagnostics.ShouldBeEmpty();
        foreach (var rule in set.Rules.Where(r => !engine.IsCorrelationOnly(r)))
            rule.Tags.ShouldContain(t => t.StartsWith("attack.t", StringComparison.Ordinal), $"{rule.Title} names no technique");
        set.Rules.Concat<object>(set.Correlations).Count().ShouldBe(set.Rules.Select(r => r.Id).Concat(set.Correlations.Select(c => c.Id)).Distinct().Count());
    }

    [Fact]
    public void With_the_logsource_catalog_the_rules_apply_to_record_events_only()
    {
        var engine = PrivacyRules.Compile(withCatalog: true);
        var evaluator = engine.CreateEvaluator();
        var e = Normal();
        e["vigie.privacy.care_relationship"] = "none";
        var matches = new List<Vigie.Sigma.SigmaRule>();
        evaluator.Evaluate(Access(e).Event, matches);
        matches.Select(r => r.Title).ShouldContain("Patient record opened without a care relationship");
        ((Dictionary<string, object?>)e["event"]!)["dataset"] = "apache.access";
        matches.Clear();
        evaluator.Evaluate(Access(e).Event, matches);
        matches.ShouldBeEmpty();
    }

    [Fact]
    public void A_normal_access_in_care_raises_nothing()
    {
        Titles(Monitor(), Normal()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("vigie.privacy.care_relationship", "none", "Patient record opened without a care relationship")]
    [InlineData("vigie.privacy.care_relationship", false, "Patient record opened without a care relationship")]
    [InlineData("vigie.privacy.vip", true, "A VIP patient's record opened without a care relationship")]
    [InlineData("vigie.privacy.employee", true, "A colleague's patient record opened without a care relationship")]
    [InlineData("vigie.privacy.same_family_name", true, "A family member's patient record opened without a care relationship")]
    [InlineData("vigie.privacy.same_address", true, "A family member's patient record opened without a care relationship")]
    [InlineData("vigie.privacy.deceased", true, "A deceased patient's record opened without a care relationship")]
    [InlineData("vigie.privacy.patient_vip", true, "A VIP patient's record opened without a care relationship")]
    [InlineData("vigie.privacy.patient_employee", true, "A colleague's patient record opened without a care relationship")]
    [InlineData("vigie.privacy.patient_deceased", true, "A deceased patient's record opened without a care relationship")]
    public void Each_fact_about_the_patient_without_a_care_relationship_raises_its_rule(string field, object value, string title)
    {
        var e = Normal();
        e["vigie.privacy.care_relationship"] = "none";
        e[field] = value;
        var titles = Titles(Monitor(), e);
        titles.ShouldContain(title);
        // With a care relationship, none of it is suspicious.
        var inCare = Normal();
        if (field != "vigie.privacy.care_relationship")
            inCare[field] = value;
        Titles(Monitor(), inCare).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("vigie.privacy.self", "vigie.privacy.employee")]
    [InlineData("vigie.privacy.self_access", "vigie.privacy.patient_employee")]
    public void Reading_ones_own_record_is_flagged_and_explained(string self, string employee)
    {
        var e = Normal();
        e[self] = true;
        e[employee] = true;
        e["vigie.privacy.care_relationship"] = "none";
        var d = Monitor().Process(Access(e));
        d.Select(x => x.Title).ShouldBe(["Staff member opened their own patient record"]);
        d[0].Facts.ShouldContain("the user opened their own record");
        d[0].RiskScore.ShouldNotBeNull();
    }

    [Fact]
    public void Break_the_glass_is_flagged_without_an_emergency_context_and_when_repeated()
    {
        var monitor = Monitor();
        var emergency = Normal();
        emergency["vigie.access.break_glass"] = true;
        emergency["vigie.access.purpose"] = "ETREAT";
        emergency["vigie.privacy.care_relationship"] = "none";
        Titles(monitor, emergency).ShouldBeEmpty();

        var plain = Normal(T.AddHours(1));
        plain["vigie.access.break_glass"] = true;
        plain["vigie.access.purpose"] = "BTG";
        plain["vigie.privacy.care_relationship"] = "none";
        Titles(monitor, plain).ShouldBe(["Break-the-glass access without an emergency context"]);

        // The grants are counted: a third one within a day, emergency or not, is one too many.
        var repeated = Monitor();
        var fired = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var grant = Normal(T.AddHours(i));
            ((Dictionary<string, object?>)grant["event"]!)["action"] = "break-glass";
            grant["vigie.access.break_glass"] = true;
            grant["vigie.access.purpose"] = "ETREAT";
            fired.AddRange(Titles(repeated, grant));
            var read = Normal(T.AddHours(i).AddMinutes(1));
            read["vigie.access.break_glass"] = true;
            read["vigie.access.purpose"] = "ETREAT";
            read["vigie.privacy.care_relationship"] = "none";
            fired.AddRange(Titles(repeated, read));
        }
        fired.ShouldBe(["Break-the-glass used repeatedly by the same user"]);
    }

    [Fact]
    public void Disabled_expired_and_partner_accounts_reading_records_are_flagged()
    {
        foreach (var status in new[] { "disabled", "expired" })
        {
            var e = Normal();
            e["vigie.user.status"] = status;
            var d = Monitor().Process(Access(e)).Single();
            d.Title.ShouldBe("Patient record accessed by a disabled or expired account");
            d.Level.ShouldBe(Vigie.Sigma.SigmaLevel.Critical);
            d.RiskScore!.Value.ShouldBeGreaterThanOrEqualTo(80);
        }
        var partner = Normal();
        ((Dictionary<string, object?>)partner["user"]!)["roles"] = new[] { "partner" };
        Titles(Monitor(), partner).ShouldBe(["Patient record accessed by a partner account"]);
    }

    [Fact]
    public void Forty_distinct_patients_within_an_hour_is_a_bulk_look_up()
    {
        var monitor = Monitor();
        var fired = new List<string>();
        for (var i = 0; i < 45; i++)
            fired.AddRange(Titles(monitor, Normal(T.AddSeconds(60 * i), patient: $"P-{i}")));
        fired.ShouldBe(["Many distinct patients' records read in an hour"]);
        // The same few patients read all day long are not.
        var steady = Monitor();
        for (var i = 0; i < 200; i++)
            Titles(steady, Normal(T.AddSeconds(60 * i), patient: $"P-{i % 12}")).ShouldBeEmpty();
    }

    [Fact]
    public void Repeated_name_fragment_searches_without_care_context_are_fishing()
    {
        var monitor = Monitor();
        var fired = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var e = Normal(T.AddMinutes(10 * i));
            ((Dictionary<string, object?>)e["event"]!)["action"] = "search";
            e.Remove("vigie.patient.id");
            e["vigie.search.name_fragment"] = true;
            e["vigie.privacy.care_relationship"] = "none";
            fired.AddRange(Titles(monitor, e));
        }
        fired.ShouldBe(["Repeated patient searches by name fragments without a care context"]);
    }

    [Fact]
    public void Name_fragment_searches_are_recognised_from_the_ledgers_parameter_names_and_need_no_care_context()
    {
        List<string> Run(string parameters, string? care)
        {
            var monitor = Monitor();
            var fired = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var e = Normal(T.AddMinutes(10 * i));
                ((Dictionary<string, object?>)e["event"]!)["action"] = "search";
                e.Remove("vigie.patient.id");
                e["vigie.search.parameters"] = parameters;
                if (care is null)
                    e.Remove("vigie.privacy.care_relationship");
                else
                    e["vigie.privacy.care_relationship"] = care;
                fired.AddRange(Titles(monitor, e));
            }
            return fired;
        }
        Run("family:contains,birthdate", null).ShouldBe(["Repeated patient searches by name fragments without a care context"]);
        Run("family:contains,birthdate", "encounter").ShouldBeEmpty();
        Run("identifier", null).ShouldBeEmpty();
    }

    [Fact]
    public void The_risk_score_grows_with_the_facts_and_the_explanation_names_them()
    {
        var plain = Normal();
        plain["vigie.privacy.care_relationship"] = "none";
        var worse = Normal();
        worse["vigie.privacy.care_relationship"] = "none";
        worse["vigie.privacy.vip"] = true;
        worse["vigie.privacy.same_family_name"] = true;
        var a = Monitor().Process(Access(plain)).Single();
        var b = Monitor().Process(Access(worse)).First();
        b.RiskScore!.Value.ShouldBeGreaterThan(a.RiskScore!.Value);
        b.Facts.ShouldBe(["no care relationship with the patient", "the user shares the patient's family name", "the patient is a VIP"]);
    }

    [Fact]
    public void The_baseline_flags_hours_establishments_networks_and_volumes_unusual_for_the_user()
    {
        var monitor = Monitor();
        // Ten working days, 08:00 to 16:00, 12 patients a day, at CHU-A from 10.1.2.x.
        for (var day = 0; day < 10; day++)
        {
            for (var i = 0; i < 24; i++)
                monitor.Process(Access(Normal(T.AddDays(day).AddMinutes(-60 + 20 * i), patient: $"P-{day}-{i % 12}"))).ShouldBeEmpty();
        }
        var night = monitor.Process(Access(Normal(T.AddDays(10).AddHours(-6), patient: "P-10-1")));
        night.Select(d => d.Title).ShouldBe(["Record access at an hour unusual for the user"]);
        night[0].Facts.ShouldContain(f => f.StartsWith("at 03:00, outside the user's usual hours (08:00–", StringComparison.Ordinal));

        var elsewhere = Normal(T.AddDays(10));
        ((Dictionary<string, object?>)elsewhere["organization"]!)["id"] = "HOSP-B";
        ((Dictionary<string, object?>)elsewhere["source"]!)["ip"] = "192.168.40.7";
        monitor.Process(Access(elsewhere)).Select(d => d.Title).ShouldBe(
            ["Record access from an establishment unusual for the user", "Record access from a network unusual for the user"], ignoreOrder: true);

        var volume = new List<string>();
        for (var i = 0; i < 40; i++)
            volume.AddRange(monitor.Process(Access(Normal(T.AddDays(11).AddMinutes(5 * i), patient: $"Q-{i}"))).Select(d => d.Title));
        volume.ShouldBe(["Many more distinct patients than the user's usual"]);
    }
}
