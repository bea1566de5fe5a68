namespace Vigie.Core.Records;

/// <summary>The purposes of use (HL7 v3-ActReason) a request may state in <c>X-Purpose-Of-Use</c>.</summary>
public static class PurposeOfUse
{
    public const string System = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public const string Treatment = "TREAT";
    public const string BreakTheGlass = "BTG";
    public const string HeaderName = "X-Purpose-Of-Use";
    public const string BreakGlassHeaderName = "X-Break-Glass-Reason";

    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["TREAT"] = "treatment",
        ["ETREAT"] = "emergency treatment",
        ["BTG"] = "break the glass",
        ["CAREMGT"] = "care management",
        ["HPAYMT"] = "healthcare payment",
        ["HRESCH"] = "healthcare research",
        ["PUBHLTH"] = "public health",
        ["HOPERAT"] = "healthcare operations",
        ["HMARKT"] = "healthcare marketing",
        ["HLEGAL"] = "legal",
        ["PATRQT"] = "patient requested",
        ["FAMRQT"] = "family requested",
        ["COVERAGE"] = "coverage under policy",
        ["HSYSADMIN"] = "health system administration",
        ["TRAIN"] = "training",
    };

    public static bool IsKnown(string? code) => code is not null && Known.ContainsKey(code);
}
