using System.Security.Claims;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;

namespace Vigie.Server.Identity;

/// <summary>The signed-in person of a request: identity, roles, and the establishments they may see.</summary>
internal sealed class CurrentUser(IHttpContextAccessor accessor, EstablishmentRegistry establishments)
{
    private AccessScope? _scope;

    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public Guid? Id => Guid.TryParse(Principal.FindFirstValue(VigieClaims.UserId), out var id) ? id : null;

    public string Username => Principal.FindFirstValue(VigieClaims.Username) ?? "anonymous";

    public Guid? EstablishmentId => Guid.TryParse(Principal.FindFirstValue(VigieClaims.Establishment), out var id) ? id : null;

    public IReadOnlyList<string> Roles => Principal.FindAll(VigieClaims.Role).Select(c => c.Value).ToList();

    public bool IsInRole(string role) => Principal.HasClaim(VigieClaims.Role, role);

    public string? Address => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public Actor Actor => new(Username, Id, EstablishmentId, Address);

    /// <summary>The caller's establishment and everything under it; everything for the national centre.</summary>
    public async Task<AccessScope> ScopeAsync(CancellationToken ct = default)
    {
        if (_scope is not null)
            return _scope;
        _scope = EstablishmentId is { } id ? await establishments.ScopeOfAsync(id, ct) : AccessScope.Nothing;
        return _scope;
    }

    public static string? RoleNames(Role role) => role.ToName();
}
