using Vigie.Core.Establishments;
using Vigie.Server.Api;
using Vigie.Server.Identity;

namespace Vigie.Server.WebConsole;

/// <summary>
/// The establishment a console user looks at: people whose scope holds several establishments (national
/// roles, regional officers) narrow their views to one subtree with the switcher; the choice never widens
/// the scope (a code outside it is ignored).
/// </summary>
internal sealed class ConsoleFocus(IHttpContextAccessor accessor, CurrentUser current, EstablishmentIndex index)
{
    public const string CookieName = "vigie.focus";

    private AccessScope? _scope;

    /// <summary>Establishments the user may focus on, in tree order with their depth.</summary>
    public async Task<IReadOnlyList<(Establishment Establishment, int Depth)>> ChoicesAsync(CancellationToken ct = default)
    {
        var scope = await current.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        var visible = all.Values.Where(e => scope.Contains(e.Id)).ToList();
        var ids = visible.Select(e => e.Id).ToHashSet();
        var children = visible.ToLookup(e => e.ParentId is { } p && ids.Contains(p) ? p : Guid.Empty);
        var result = new List<(Establishment, int)>();
        void Visit(Guid parent, int depth)
        {
            foreach (var e in children[parent].OrderBy(e => e.Code, StringComparer.Ordinal))
            {
                result.Add((e, depth));
                Visit(e.Id, depth + 1);
            }
        }
        Visit(Guid.Empty, 0);
        return result;
    }

    public async Task<Establishment?> FocusedAsync(CancellationToken ct = default)
    {
        var code = accessor.HttpContext?.Request.Cookies[CookieName];
        if (string.IsNullOrEmpty(code))
            return null;
        var scope = await current.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        var chosen = all.Values.FirstOrDefault(e => e.Code == code);
        return chosen is not null && scope.Contains(chosen.Id) ? chosen : null;
    }

    /// <summary>The user's scope narrowed to the focused subtree, or the whole scope.</summary>
    public async Task<AccessScope> ScopeAsync(CancellationToken ct = default)
    {
        if (_scope is not null)
            return _scope;
        var focused = await FocusedAsync(ct);
        _scope = focused is null
            ? await current.ScopeAsync(ct)
            : AccessScope.Subtree(focused.Id, [.. (await index.GetAsync(ct)).Values]);
        return _scope;
    }

    /// <summary>The time zone of the user's own establishment, for showing times.</summary>
    public async Task<string> TimeZoneAsync(CancellationToken ct = default)
    {
        var all = await index.GetAsync(ct);
        return current.EstablishmentId is { } id && all.TryGetValue(id, out var e) ? e.TimeZone : Establishment.DefaultTimeZone;
    }
}
