namespace Vigie.Core.Alerts;

/// <summary>What a detection is about, for grouping: the account first, else the host, else the address.</summary>
public static class AlertEntity
{
    private static readonly (string Field, string Kind)[] Fields =
    [
        ("user.name", "user"),
        ("TargetUserName", "user"),
        ("User", "user"),
        ("host.name", "host"),
        ("Computer", "host"),
        ("source.ip", "address"),
        ("IpAddress", "address"),
    ];

    /// <summary><c>kind:value</c> (<c>user:alice</c>), lower-cased; null when the detection names none.</summary>
    public static string? Of(IncomingDetection detection)
    {
        foreach (var (field, kind) in Fields)
        {
            if (detection.Field(field) is { } value && value != "-")
                return $"{kind}:{value.Trim().ToLowerInvariant()}";
        }
        return null;
    }

    /// <summary>Normalises an entity typed by a person (<c>user:Alice</c> → <c>user:alice</c>); null with an error when malformed.</summary>
    public static string? Parse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? text[..colon].Trim().ToLowerInvariant() : "";
        if (colon <= 0 || colon == text.Length - 1 || kind is not ("user" or "host" or "address"))
        {
            error = $"entity '{text}' must read user:NAME, host:NAME or address:IP";
            return null;
        }
        return $"{kind}:{text[(colon + 1)..].Trim().ToLowerInvariant()}";
    }
}
