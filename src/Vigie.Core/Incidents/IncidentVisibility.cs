using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;

namespace Vigie.Core.Incidents;

/// <summary>
/// Who sees and works on which incidents: administrators, SOC analysts and security officers on every
/// incident of their establishments' subtree; DPOs see those involving personal data, and may qualify them
/// and draft their notifications, nothing else.
/// </summary>
public sealed record IncidentVisibility(AccessScope Scope, bool Responder, bool Dpo)
{
    public static IncidentVisibility Everything { get; } = new(AccessScope.Everything, true, true);

    public static IncidentVisibility For(AccessScope scope, IReadOnlyCollection<string> roles) =>
        new(scope, roles.Contains(Roles.Admin) || roles.Contains(Roles.SocAnalyst) || roles.Contains(Roles.SecurityOfficer), roles.Contains(Roles.Dpo));

    /// <summary>What a user sees and works on, from their roles and their establishment's subtree among <paramref name="all"/>.</summary>
    public static IncidentVisibility Of(User user, IReadOnlyCollection<Establishment> all) =>
        For(AccessScope.Subtree(user.EstablishmentId, all), user.Roles.Select(r => r.Role.ToName()).ToList());

    /// <summary>The alerts the same person sees, for the alerts an incident is built from.</summary>
    public AlertVisibility Alerts => new(Scope, Responder, Responder || Dpo);

    public bool CanSee(Incident incident) =>
        Scope.Contains(incident.EstablishmentId) && (Responder || (Dpo && incident.PersonalData));

    /// <summary>Whether the person may qualify the incident and draft or record its notifications.</summary>
    public bool CanQualify(Incident incident) => CanSee(incident);

    /// <summary>Throws unless the person is a responder (a DPO only qualifies and notifies).</summary>
    public void EnsureResponder(Incident incident, string what)
    {
        if (!Responder)
            throw VigieException.Forbidden($"a DPO qualifies incidents and drafts their notifications; {what} is for the SOC and security officers");
    }

    public IQueryable<Incident> Apply(IQueryable<Incident> query)
    {
        if (!Scope.IsEverything)
        {
            var ids = Scope.Ids!.ToList();
            query = query.Where(i => ids.Contains(i.EstablishmentId));
        }
        if (!Responder)
            query = Dpo ? query.Where(i => i.PersonalData) : query.Where(i => false);
        return query;
    }
}
