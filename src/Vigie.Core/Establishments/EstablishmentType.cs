namespace Vigie.Core.Establishments;

/// <summary>What an establishment is; decides where it may sit in the hierarchy.</summary>
public enum EstablishmentType
{
    National = 1,
    Region = 2,
    Chu = 3,
    Hospital = 4,
    HealthCentre = 5,
    Clinic = 6,
    Laboratory = 7,
    Provider = 8,
}

public static class EstablishmentTypes
{
    private static readonly (EstablishmentType Type, string Name)[] Names =
    [
        (EstablishmentType.National, "national"),
        (EstablishmentType.Region, "region"),
        (EstablishmentType.Chu, "chu"),
        (EstablishmentType.Hospital, "hospital"),
        (EstablishmentType.HealthCentre, "health-centre"),
        (EstablishmentType.Clinic, "clinic"),
        (EstablishmentType.Laboratory, "laboratory"),
        (EstablishmentType.Provider, "provider"),
    ];

    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToArray();

    public static string ToName(this EstablishmentType type) =>
        Names.First(n => n.Type == type).Name;

    public static bool TryParse(string? text, out EstablishmentType type)
    {
        foreach (var (t, name) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>The hierarchy is national → region → establishment; a provider (contractor) may hang anywhere below national.</summary>
    public static string? ParentError(EstablishmentType child, EstablishmentType? parent) => (child, parent) switch
    {
        (EstablishmentType.National, null) => null,
        (EstablishmentType.National, _) => "a national centre has no parent",
        (_, null) => $"a {child.ToName()} needs a parent (--parent CODE)",
        (EstablishmentType.Region, EstablishmentType.National) => null,
        (EstablishmentType.Region, _) => "a region's parent must be the national centre",
        (EstablishmentType.Provider, _) => null,
        (_, EstablishmentType.National or EstablishmentType.Region) => null,
        _ => $"a {child.ToName()} must sit under a region or the national centre, not under a {parent.Value.ToName()}",
    };
}
