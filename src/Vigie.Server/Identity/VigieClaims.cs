namespace Vigie.Server.Identity;

/// <summary>Claim names carried by console sessions and API tokens.</summary>
internal static class VigieClaims
{
    public const string UserId = "sub";
    public const string Username = "name";
    public const string Role = "role";
    public const string Establishment = "est";
    public const string SecurityStamp = "sstamp";
    public const string Collector = "collector";
    public const string Language = "lang";
}
