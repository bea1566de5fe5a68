using System.Text.Json;

namespace Vigie.Core.Records;

/// <summary>
/// A resource's confidentiality (v3-Confidentiality N, R, V; L and M read as N, U as N) and sensitivity classes
/// (v3-ActCode: HIV, PSY, MH, SUD, ETH, SDV, SEX, STD, GDIS …), read from <c>meta.security</c>. A resource with a
/// sensitivity class is at least restricted (R).
/// </summary>
public readonly record struct ResourceLabels(string Confidentiality, string? Sensitivity, bool Vip, bool Employee)
{
    public const string ConfidentialitySystem = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
    public const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    /// <summary>The sensitivity classes Vigie recognises (v3-ActCode information sensitivity codes).</summary>
    public static readonly IReadOnlySet<string> SensitivityCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "HIV", "PSY", "MH", "BH", "SUD", "ETH", "SDV", "SEX", "STD", "GDIS", "SICKLE", "TBOO", "PSYTHPN", "ETHUD", "OPIOIDUD",
    };

    public static ResourceLabels Of(JsonElement resource)
    {
        var confidentiality = "N";
        var sensitivity = new SortedSet<string>(StringComparer.Ordinal);
        bool vip = false, employee = false;
        if (resource.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object &&
            meta.TryGetProperty("security", out var security) && security.ValueKind == JsonValueKind.Array)
        {
            foreach (var coding in security.EnumerateArray())
            {
                var system = coding.TryGetProperty("system", out var s) ? s.GetString() : null;
                var code = coding.TryGetProperty("code", out var c) ? c.GetString() : null;
                if (code is null)
                    continue;
                if (system == ConfidentialitySystem)
                {
                    var level = code switch { "V" => "V", "R" => "R", _ => "N" };
                    if (Rank(level) > Rank(confidentiality))
                        confidentiality = level;
                }
                else if (code is "CEL" or "VIP")
                {
                    vip = true;
                }
                else if (code is "EMP" or "EMPL")
                {
                    employee = true;
                }
                else if (SensitivityCodes.Contains(code))
                {
                    sensitivity.Add(code);
                }
            }
        }
        if (sensitivity.Count > 0 && confidentiality == "N")
            confidentiality = "R";
        return new ResourceLabels(confidentiality, sensitivity.Count == 0 ? null : string.Join(',', sensitivity), vip, employee);
    }

    public static int Rank(string level) => level switch { "V" => 2, "R" => 1, _ => 0 };
}
