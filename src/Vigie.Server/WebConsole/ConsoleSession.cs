using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Vigie.Core.Identity;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.WebConsole;

/// <summary>Console sessions: an encrypted, HttpOnly, SameSite=Strict cookie; and the short-lived state between password and code.</summary>
internal static class ConsoleSession
{
    private const string PendingCookie = "vigie.mfa";
    private static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(5);

    public static async Task SignInAsync(HttpContext http, User user)
    {
        var claims = new List<Claim>
        {
            new(VigieClaims.UserId, user.Id.ToString()),
            new(VigieClaims.Username, user.Username),
            new(VigieClaims.Establishment, user.EstablishmentId.ToString()),
            new(VigieClaims.SecurityStamp, user.SecurityStamp),
            new(VigieClaims.Language, user.Language),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(VigieClaims.Role, r.Role.ToName())));
        var identity = new ClaimsIdentity(claims, VigieApp.ConsoleScheme, VigieClaims.Username, VigieClaims.Role);
        http.Response.Cookies.Delete(PendingCookie);
        await http.SignInAsync(VigieApp.ConsoleScheme, new ClaimsPrincipal(identity));
    }

    public static void SetPending(HttpContext http, User user)
    {
        var protector = Protector(http);
        var expires = DateTimeOffset.UtcNow + PendingLifetime;
        var value = protector.Protect($"{user.Id}|{user.SecurityStamp}|{expires.ToUnixTimeSeconds()}");
        http.Response.Cookies.Append(PendingCookie, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Expires = expires,
            Path = "/login",
        });
    }

    public static (Guid UserId, string Stamp)? GetPending(HttpContext http)
    {
        var value = http.Request.Cookies[PendingCookie];
        if (string.IsNullOrEmpty(value))
            return null;
        try
        {
            var parts = Protector(http).Unprotect(value).Split('|');
            if (parts.Length != 3 || !Guid.TryParse(parts[0], out var id) ||
                DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)) < DateTimeOffset.UtcNow)
                return null;
            return (id, parts[1]);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static IDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("Vigie.Console.PendingSecondFactor.v1");

    /// <summary>Only local paths are followed after sign-in, never another site.</summary>
    public static string SafeReturn(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
