namespace Vigie.Core.Records;

/// <summary>
/// SMART App Launch v2 scopes carried by a token (<c>patient/*.rs user/Observation.cruds</c>; v1's <c>.read</c> and
/// <c>.write</c> are understood). A token without scopes is limited by its roles only.
/// </summary>
public sealed class SmartScopes
{
    private readonly List<(string Context, string Type, string Letters)> _scopes = [];

    public string Text { get; }

    private SmartScopes(string text) => Text = text;

    public static SmartScopes? Parse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var scopes = new SmartScopes(text.Trim());
        foreach (var scope in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (scope is "openid" or "fhirUser" or "launch" or "offline_access" or "online_access" || scope.StartsWith("launch/", StringComparison.Ordinal))
                continue;
            var slash = scope.IndexOf('/', StringComparison.Ordinal);
            var dot = scope.LastIndexOf('.');
            if (slash <= 0 || dot <= slash + 1)
            {
                error = $"scope '{scope}' is not a SMART scope (patient|user|system/Type.cruds)";
                return null;
            }
            var context = scope[..slash];
            var type = scope[(slash + 1)..dot];
            var permission = scope[(dot + 1)..];
            var questionMark = permission.IndexOf('?', StringComparison.Ordinal);
            if (questionMark >= 0)
                permission = permission[..questionMark];
            var letters = permission switch
            {
                "read" => "rs",
                "write" => "cud",
                "*" => "cruds",
                _ => permission,
            };
            if (context is not ("patient" or "user" or "system") || letters.Length == 0 || letters.Any(c => "cruds".IndexOf(c, StringComparison.Ordinal) < 0))
            {
                error = $"scope '{scope}' is not a SMART scope (patient|user|system/Type.cruds)";
                return null;
            }
            scopes._scopes.Add((context, type, letters));
        }
        return scopes;
    }

    public static char Letter(string interaction) => interaction switch
    {
        "create" => 'c',
        "read" or "vread" or "history" => 'r',
        "update" => 'u',
        "delete" => 'd',
        _ => 's',
    };

    /// <summary>True when a scope grants <paramref name="interaction"/> on <paramref name="type"/>; patient/ scopes only for the patient in context.</summary>
    public bool Grants(string interaction, string type, bool forContextPatient)
    {
        var letter = Letter(interaction);
        foreach (var (context, t, letters) in _scopes)
        {
            if ((t == "*" || t == type) && letters.Contains(letter, StringComparison.Ordinal) && (context != "patient" || forContextPatient))
                return true;
        }
        return false;
    }
}
