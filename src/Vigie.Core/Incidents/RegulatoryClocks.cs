namespace Vigie.Core.Incidents;

/// <summary>
/// The legal deadlines an incident runs against once qualified, computed in UTC from the qualification time:
/// loi 05-20 (declaration to the national cybersecurity authority, article 8, "as soon as aware": a configurable
/// target), GDPR articles 33 (72 hours) and 34, NIS2 article 23 (24-hour early warning, 72-hour notification,
/// final report one month after the notification), HIPAA's breach notification rule (60 days; HHS and the media
/// when 500 or more people, of one state for the media), and the loi 09-08 breach record for the CNDP.
/// </summary>
public static class RegulatoryClocks
{
    public const string Loi0520 = "loi-05-20";
    public const string GdprArticle33 = "gdpr-art33";
    public const string GdprArticle34 = "gdpr-art34";
    public const string Nis2EarlyWarning = "nis2-early-warning";
    public const string Nis2Notification = "nis2-notification";
    public const string Nis2FinalReport = "nis2-final-report";
    public const string HipaaIndividuals = "hipaa-individuals";
    public const string HipaaHhs = "hipaa-hhs";
    public const string HipaaMedia = "hipaa-media";
    public const string Loi0908 = "loi-09-08";

    public static IReadOnlyList<string> All { get; } =
        [Loi0520, GdprArticle33, GdprArticle34, Nis2EarlyWarning, Nis2Notification, Nis2FinalReport, HipaaIndividuals, HipaaHhs, HipaaMedia, Loi0908];

    /// <summary>
    /// One clock: what is owed to whom, by when, and where it stands. Status is <c>running</c>, <c>overdue</c>,
    /// <c>met</c> (sent in time) or <c>late</c> (sent after the deadline); the time left runs until the deadline
    /// while nothing is sent (negative once overdue) and is null once sent.
    /// </summary>
    public sealed record Clock(string Regulation, string Title, string Recipient, string Basis, DateTime StartedAt, DateTime Deadline,
        string Status, TimeSpan? TimeLeft, DateTime? SubmittedAt, string? Reference);

    /// <summary>The clocks the qualification triggers, in deadline order; none before qualification.</summary>
    public static IReadOnlyList<Clock> Compute(Incident incident, Qualification? q, IReadOnlyList<IncidentNotification> notifications, IncidentOptions options, DateTime now)
    {
        if (incident.QualifiedAt is not { } start || q is null)
            return [];
        var clocks = new List<Clock>();
        void Add(string regulation, string title, string recipient, string basis, DateTime deadline)
        {
            var sent = notifications.Where(n => n.Regulation == regulation).OrderBy(n => n.SubmittedAt).FirstOrDefault();
            var status = sent is not null ? (sent.SubmittedAt <= deadline ? "met" : "late") : now > deadline ? "overdue" : "running";
            clocks.Add(new Clock(regulation, title, recipient, basis, start, deadline, status, sent is null ? deadline - now : null, sent?.SubmittedAt, sent?.Reference));
        }

        Add(Loi0520, "Declaration of the incident to the national cybersecurity authority", "DGSSI (national cybersecurity authority)",
            $"loi 05-20 article 8: as soon as aware; target {Hours(options.DeclarationTarget)}", start + options.DeclarationTarget);
        if (q.PersonalData)
        {
            Add(Loi0908, "Record of the personal-data breach for the CNDP", "CNDP (record of breaches)",
                $"loi 09-08: breach recorded with its facts, effects and measures; target {Hours(options.CndpRecordTarget)}", start + options.CndpRecordTarget);
        }
        if (q.PersonalData && q.EuResidents)
        {
            Add(GdprArticle33, "Notification of the personal-data breach to the supervisory authority", "the lead supervisory authority (GDPR)",
                "GDPR article 33: without undue delay and within 72 hours of becoming aware", start + TimeSpan.FromHours(72));
            if (q.HighRisk)
            {
                Add(GdprArticle34, "Communication of the breach to the people affected", "the people affected",
                    $"GDPR article 34: without undue delay when the risk to them is high; target {Hours(options.Article34Target)}", start + options.Article34Target);
            }
        }
        if (q.Nis2 ?? options.Nis2)
        {
            Add(Nis2EarlyWarning, "Early warning to the CSIRT or competent authority", "CSIRT / competent authority (NIS2)",
                "NIS2 article 23(4)(a): early warning within 24 hours of becoming aware", start + TimeSpan.FromHours(24));
            var notificationDeadline = start + TimeSpan.FromHours(72);
            Add(Nis2Notification, "Incident notification to the CSIRT or competent authority", "CSIRT / competent authority (NIS2)",
                "NIS2 article 23(4)(b): incident notification within 72 hours of becoming aware", notificationDeadline);
            var notified = notifications.Where(n => n.Regulation == Nis2Notification).Select(n => (DateTime?)n.SubmittedAt).Min();
            Add(Nis2FinalReport, "Final report to the CSIRT or competent authority", "CSIRT / competent authority (NIS2)",
                "NIS2 article 23(4)(d): final report one month after the incident notification", (notified ?? notificationDeadline).AddMonths(1));
        }
        if (q.Hipaa && q.PersonalData)
        {
            var sixtyDays = start + TimeSpan.FromDays(60);
            Add(HipaaIndividuals, "Notice to the individuals affected", "the individuals affected",
                "HIPAA 45 CFR 164.404: without unreasonable delay, at most 60 calendar days after discovery", sixtyDays);
            if ((q.PeopleAffected ?? 0) >= 500)
            {
                Add(HipaaHhs, "Notice to the Secretary of HHS", "HHS Office for Civil Rights",
                    "HIPAA 45 CFR 164.408(b): 500 or more people, at the same time as the individuals (60 days)", sixtyDays);
            }
            else
            {
                var endOfYear = new DateTime(start.Year, 12, 31, 23, 59, 59, DateTimeKind.Utc);
                Add(HipaaHhs, "Notice to the Secretary of HHS (annual log)", "HHS Office for Civil Rights",
                    "HIPAA 45 CFR 164.408(c): fewer than 500 people, within 60 days after the end of the calendar year", endOfYear.AddDays(60));
            }
            var states = q.PeopleByState.Where(s => s.Value >= 500).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
            if (states.Count > 0)
            {
                Add(HipaaMedia, "Notice to prominent media outlets", $"media serving {string.Join(", ", states)}",
                    $"HIPAA 45 CFR 164.406: more than 500 residents of {string.Join(", ", states)}, within 60 days", sixtyDays);
            }
        }
        return clocks.OrderBy(c => c.Deadline).ThenBy(c => c.Regulation, StringComparer.Ordinal).ToList();
    }

    private static string Hours(TimeSpan t) => t.TotalHours % 24 == 0 && t.TotalHours >= 48 ? $"{t.TotalDays:0} days" : $"{t.TotalHours:0} hours";
}
