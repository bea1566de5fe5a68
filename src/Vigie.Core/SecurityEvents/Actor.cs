namespace Vigie.Core.SecurityEvents;

/// <summary>Who performs an action, as recorded in security events.</summary>
public sealed record Actor(string Name, Guid? UserId = null, Guid? EstablishmentId = null, string? Address = null)
{
    public static Actor System { get; } = new("system");

    public static Actor CommandLine() => new($"cli:{Environment.UserName}");
}
