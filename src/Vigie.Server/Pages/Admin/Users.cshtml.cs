using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Admin;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = "admin,security-officer")]
internal sealed class UsersModel(CurrentUser current, ConsoleFocus focus, UserAdministration users, EstablishmentRegistry registry,
    EstablishmentIndex index, SessionValidator sessions) : ConsolePage
{
    public sealed record Row(User User, string? Establishment);

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public IReadOnlyList<Establishment> Establishments { get; private set; } = [];
    public bool CanManage => current.IsInRole(Roles.Admin);

    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Role { get; set; } = Roles.Clinician;
    [BindProperty] public string? Establishment { get; set; }
    [BindProperty] public string? Profession { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        if (!CanManage)
            return Forbid();
        if (await TryAsync(async () =>
            {
                var user = await users.AddAsync(new UserAdministration.NewUser(Username ?? "", Password, [Role ?? ""], Establishment, Profession, DisplayName),
                    current.Actor, await current.ScopeAsync(ct), ct);
                Notice = $"{T("Added")}{Colon}{user.Username}";
            }))
        {
            Username = DisplayName = Profession = null;
        }
        Password = null;
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Replaces a user's roles; their sessions and tokens end (the security stamp changes).</summary>
    public async Task<IActionResult> OnPostRolesAsync(string username, string[] roles, CancellationToken ct)
    {
        if (!CanManage)
            return Forbid();
        await TryAsync(async () =>
        {
            var user = await users.SetRolesAsync(username, roles, current.Actor, await current.ScopeAsync(ct), ct);
            sessions.Forget(user.Id);
            Notice = $"{T("Roles changed")}{Colon}{user.Username} ({string.Join(", ", user.Roles.Select(r => r.Role.ToName()).Order(StringComparer.Ordinal))})";
        });
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostDisableAsync(string username, CancellationToken ct) => SetDisabledAsync(username, true, ct);

    public Task<IActionResult> OnPostEnableAsync(string username, CancellationToken ct) => SetDisabledAsync(username, false, ct);

    public async Task<IActionResult> OnPostResetAsync(string username, string password, CancellationToken ct)
    {
        if (!CanManage)
            return Forbid();
        await TryAsync(async () =>
        {
            var user = await users.ResetPasswordAsync(username, password, current.Actor, await current.ScopeAsync(ct), ct);
            sessions.Forget(user.Id);
            Notice = $"{T("Password reset")}{Colon}{user.Username}";
        });
        await LoadAsync(ct);
        return Page();
    }

    private async Task<IActionResult> SetDisabledAsync(string username, bool disabled, CancellationToken ct)
    {
        if (!CanManage)
            return Forbid();
        await TryAsync(async () =>
        {
            if (disabled && string.Equals(username, current.Username, StringComparison.OrdinalIgnoreCase))
                throw Vigie.Core.VigieException.Invalid(T("You cannot disable your own account."));
            var user = await users.SetDisabledAsync(username, disabled, current.Actor, await current.ScopeAsync(ct), ct);
            sessions.Forget(user.Id);
            Notice = $"{T(disabled ? "Disabled" : "Enabled")}{Colon}{user.Username}";
        });
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var all = await index.GetAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        Items = (await users.ListAsync(scope, ct)).Select(u => new Row(u, all.TryGetValue(u.EstablishmentId, out var e) ? e.Code : null)).ToList();
        Establishments = await registry.ListAsync(await current.ScopeAsync(ct), ct);
        Establishment ??= Establishments.FirstOrDefault(e => e.Id == current.EstablishmentId)?.Code;
    }
}
