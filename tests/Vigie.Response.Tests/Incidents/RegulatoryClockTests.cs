using Vigie.Core.Incidents;

namespace Vigie.Response.Tests.Incidents;

public sealed class RegulatoryClockTests
{
    private static readonly DateTime Qualified = new(2026, 5, 4, 14, 30, 0, DateTimeKind.Utc);
    private static readonly IncidentOptions Options = new();

    private static IReadOnlyList<RegulatoryClocks.Clock> Clocks(Qualification q, DateTime now, IncidentOptions? options = null, params IncidentNotification[] sent) =>
        RegulatoryClocks.Compute(new Incident { Title = "t", CreatedBy = "x", QualifiedAt = Qualified }, q, sent, options ?? Options, now);

    private static RegulatoryClocks.Clock Clock(IReadOnlyList<RegulatoryClocks.Clock> clocks, string regulation) => clocks.Single(c => c.Regulation == regulation);

    [Fact]
    public void An_unqualified_incident_runs_no_clock()
    {
        RegulatoryClocks.Compute(new Incident { Title = "t", CreatedBy = "x" }, null, [], Options, Qualified).ShouldBeEmpty();
    }

    [Fact]
    public void Every_qualified_incident_is_declared_under_loi_05_20_within_the_configured_target()
    {
        var clocks = Clocks(new Qualification { PersonalData = false }, Qualified.AddHours(3));
        clocks.Select(c => c.Regulation).ShouldBe([RegulatoryClocks.Loi0520]);
        var clock = clocks[0];
        clock.Deadline.ShouldBe(Qualified.AddHours(24));
        clock.Status.ShouldBe("running");
        clock.TimeLeft.ShouldBe(TimeSpan.FromHours(21));

        var faster = Clocks(new Qualification(), Qualified, new IncidentOptions { DeclarationTarget = TimeSpan.FromHours(6) });
        faster[0].Deadline.ShouldBe(Qualified.AddHours(6));
    }

    [Fact]
    public void A_breach_of_EU_residents_data_runs_GDPR_article_33_for_72_hours_and_article_34_when_the_risk_is_high()
    {
        var low = Clocks(new Qualification { PersonalData = true, EuResidents = true }, Qualified);
        Clock(low, RegulatoryClocks.GdprArticle33).Deadline.ShouldBe(Qualified.AddHours(72));
        low.ShouldNotContain(c => c.Regulation == RegulatoryClocks.GdprArticle34);
        Clock(low, RegulatoryClocks.Loi0908).ShouldNotBeNull();

        var high = Clocks(new Qualification { PersonalData = true, EuResidents = true, HighRisk = true }, Qualified);
        Clock(high, RegulatoryClocks.GdprArticle34).Deadline.ShouldBe(Qualified.AddHours(72));

        var notEu = Clocks(new Qualification { PersonalData = true }, Qualified);
        notEu.Select(c => c.Regulation).ShouldBe([RegulatoryClocks.Loi0520, RegulatoryClocks.Loi0908]);
    }

    [Fact]
    public void NIS2_runs_an_early_warning_a_notification_and_a_final_report_a_month_after_the_notification()
    {
        var clocks = Clocks(new Qualification { Nis2 = true }, Qualified);
        Clock(clocks, RegulatoryClocks.Nis2EarlyWarning).Deadline.ShouldBe(Qualified.AddHours(24));
        Clock(clocks, RegulatoryClocks.Nis2Notification).Deadline.ShouldBe(Qualified.AddHours(72));
        Clock(clocks, RegulatoryClocks.Nis2FinalReport).Deadline.ShouldBe(Qualified.AddHours(72).AddMonths(1));

        var notifiedAt = Qualified.AddHours(50);
        var after = Clocks(new Qualification { Nis2 = true }, Qualified.AddHours(60), null,
            new IncidentNotification { Regulation = RegulatoryClocks.Nis2Notification, SubmittedAt = notifiedAt, SubmittedBy = "x" });
        Clock(after, RegulatoryClocks.Nis2Notification).Status.ShouldBe("met");
        Clock(after, RegulatoryClocks.Nis2FinalReport).Deadline.ShouldBe(notifiedAt.AddMonths(1));

        // Off unless the qualification or the installation says the establishment is a NIS2 entity.
        Clocks(new Qualification(), Qualified).ShouldNotContain(c => c.Regulation.StartsWith("nis2", StringComparison.Ordinal));
        Clocks(new Qualification(), Qualified, new IncidentOptions { Nis2 = true }).ShouldContain(c => c.Regulation == RegulatoryClocks.Nis2EarlyWarning);
        Clocks(new Qualification { Nis2 = false }, Qualified, new IncidentOptions { Nis2 = true }).ShouldNotContain(c => c.Regulation == RegulatoryClocks.Nis2EarlyWarning);
    }

    [Fact]
    public void HIPAA_gives_60_days_and_tells_HHS_and_the_media_from_500_people_of_one_state()
    {
        var large = Clocks(new Qualification { PersonalData = true, Hipaa = true, PeopleAffected = 800, PeopleByState = new Dictionary<string, int> { ["CA"] = 600, ["NV"] = 200 } }, Qualified);
        Clock(large, RegulatoryClocks.HipaaIndividuals).Deadline.ShouldBe(Qualified.AddDays(60));
        Clock(large, RegulatoryClocks.HipaaHhs).Deadline.ShouldBe(Qualified.AddDays(60));
        var media = Clock(large, RegulatoryClocks.HipaaMedia);
        media.Deadline.ShouldBe(Qualified.AddDays(60));
        media.Recipient.ShouldContain("CA");
        media.Recipient.ShouldNotContain("NV");

        // 800 people but fewer than 500 in any one state: HHS now, no media.
        var spread = Clocks(new Qualification { PersonalData = true, Hipaa = true, PeopleAffected = 800, PeopleByState = new Dictionary<string, int> { ["CA"] = 400, ["NV"] = 400 } }, Qualified);
        Clock(spread, RegulatoryClocks.HipaaHhs).Deadline.ShouldBe(Qualified.AddDays(60));
        spread.ShouldNotContain(c => c.Regulation == RegulatoryClocks.HipaaMedia);

        // Fewer than 500: HHS hears of it in the annual log, within 60 days after the end of the year.
        var small = Clocks(new Qualification { PersonalData = true, Hipaa = true, PeopleAffected = 40 }, Qualified);
        Clock(small, RegulatoryClocks.HipaaHhs).Deadline.ShouldBe(new DateTime(2027, 3, 1, 23, 59, 59, DateTimeKind.Utc));
    }

    [Fact]
    public void A_clock_is_overdue_after_its_deadline_met_when_sent_in_time_and_late_when_sent_after()
    {
        var q = new Qualification { PersonalData = true, EuResidents = true };
        var overdue = Clock(Clocks(q, Qualified.AddHours(80)), RegulatoryClocks.GdprArticle33);
        overdue.Status.ShouldBe("overdue");
        overdue.TimeLeft.ShouldBe(TimeSpan.FromHours(-8));

        var met = Clock(Clocks(q, Qualified.AddHours(80), null, new IncidentNotification { Regulation = RegulatoryClocks.GdprArticle33, SubmittedAt = Qualified.AddHours(70), SubmittedBy = "dpo" }), RegulatoryClocks.GdprArticle33);
        met.Status.ShouldBe("met");
        met.TimeLeft.ShouldBeNull();

        var late = Clock(Clocks(q, Qualified.AddHours(80), null, new IncidentNotification { Regulation = RegulatoryClocks.GdprArticle33, SubmittedAt = Qualified.AddHours(75), SubmittedBy = "dpo" }), RegulatoryClocks.GdprArticle33);
        late.Status.ShouldBe("late");
    }

    [Fact]
    public void Clocks_come_in_deadline_order()
    {
        var clocks = Clocks(new Qualification { PersonalData = true, EuResidents = true, HighRisk = true, Nis2 = true, Hipaa = true, PeopleAffected = 10 }, Qualified);
        clocks.Select(c => c.Deadline).ShouldBeInOrder();
        clocks[0].Regulation.ShouldBeOneOf(RegulatoryClocks.Loi0520, RegulatoryClocks.Nis2EarlyWarning);
    }
}
