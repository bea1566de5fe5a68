namespace Vigie.Core.Identity;

/// <summary>What the directory says of a person who just proved their password to it.</summary>
public sealed record DirectoryAccount(
    string Username,
    string? DisplayName,
    IReadOnlyList<Role> Roles,
    string? EstablishmentCode,
    string? Profession);

/// <summary>Checks a password against the hospital's directory (LDAP); null when the directory refuses it.</summary>
public interface IDirectoryAuthenticator
{
    bool IsConfigured { get; }

    Task<DirectoryAccount?> AuthenticateAsync(string username, string password, CancellationToken ct);
}
