namespace Vigie.Core.Privacy;

/// <summary>
/// How suspicious an access is, from the facts around it: each fact has a weight (the chance it alone makes the
/// access inappropriate, as judged by privacy officers' practice), and the score combines them as independent
/// pieces of evidence: 100 × (1 − Π(1 − weight)). The facts, in words, are the explanation shown with the alert.
/// </summary>
public static class PrivacyRisk
{
    public sealed record Fact(string Text, double Weight);

    /// <summary>The facts the event itself carries (care relationship, who the patient is, break-the-glass, account state).</summary>
    public static List<Fact> Facts(RecordAccess a)
    {
        var facts = new List<Fact>();
        var care = a.CareRelationship;
        var noCare = care is "none" or "false";
        if (noCare && (a.IsRecordRead || a.Action == "search"))
            facts.Add(new("no care relationship with the patient", 0.35));
        if (a.Flag("self"))
            facts.Add(new("the user opened their own record", 0.3));
        if (a.Flag("same_family_name"))
            facts.Add(new("the user shares the patient's family name", 0.35));
        if (a.Flag("same_address"))
            facts.Add(new("the user shares the patient's address", 0.4));
        if (a.Flag("vip"))
            facts.Add(new("the patient is a VIP", 0.4));
        if (a.Flag("employee") && !a.Flag("self"))
            facts.Add(new("the patient is a member of staff", 0.3));
        if (a.Flag("deceased"))
            facts.Add(new("the patient is deceased", 0.25));
        if (a.BreakGlass)
        {
            var emergency = a.Purpose == "ETREAT" || a.IsTrue("vigie.access.emergency");
            facts.Add(emergency
                ? new("the glass was broken, in an emergency context", 0.1)
                : new("the glass was broken without an emergency context", 0.45));
        }
        switch (a.Field("vigie.user.status"))
        {
            case "disabled":
                facts.Add(new("the account was disabled", 0.8));
                break;
            case "expired":
                facts.Add(new("the account had expired", 0.8));
                break;
        }
        if (a.Field("user.roles") is { } roles && roles.Contains("partner", StringComparison.OrdinalIgnoreCase))
            facts.Add(new("a partner account (contractor, vendor) read patient data", 0.5));
        if (a.Decision is "deny" or "break-the-glass-required")
            facts.Add(new("the gateway refused the access", 0.2));
        return facts;
    }

    public static int Score(IEnumerable<Fact> facts)
    {
        var keep = 1.0;
        foreach (var f in facts)
            keep *= 1 - Math.Clamp(f.Weight, 0, 1);
        return (int)Math.Round(100 * (1 - keep));
    }
}
