using Vigie.Core.Establishments;
using Vigie.Core.Identity;

namespace Vigie.Core.Alerts;

/// <summary>
/// Which alerts a person sees: those of their establishments' subtree, and among them security alerts for
/// administrators, SOC analysts and security officers, privacy alerts for those and for DPOs.
/// </summary>
public sealed record AlertVisibility(AccessScope Scope, bool Security, bool Privacy)
{
    public static AlertVisibility Everything { get; } = new(AccessScope.Everything, true, true);

    public static AlertVisibility For(AccessScope scope, IReadOnlyCollection<string> roles)
    {
        var security = roles.Contains(Roles.Admin) || roles.Contains(Roles.SocAnalyst) || roles.Contains(Roles.SecurityOfficer);
        return new AlertVisibility(scope, security, security || roles.Contains(Roles.Dpo));
    }

    /// <summary>What a user sees, from their roles and their establishment's subtree among <paramref name="all"/>.</summary>
    public static AlertVisibility Of(User user, IReadOnlyCollection<Establishment> all) =>
        For(AccessScope.Subtree(user.EstablishmentId, all), user.Roles.Select(r => r.Role.ToName()).ToList());

    public bool CanSee(Alert alert) =>
        Scope.Contains(alert.EstablishmentId) && alert.Category switch
        {
            AlertCategory.Security => Security,
            AlertCategory.Privacy => Privacy,
        };

    public IQueryable<Alert> Apply(IQueryable<Alert> query)
    {
        if (!Scope.IsEverything)
        {
            var ids = Scope.Ids!.Select(i => (Guid?)i).ToList();
            query = query.Where(a => ids.Contains(a.EstablishmentId));
        }
        if (!Security)
            query = Privacy ? query.Where(a => a.Category == AlertCategory.Privacy) : query.Where(a => false);
        return query;
    }
}
