using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Vigie.Core.Identity;

/// <summary>
/// PBKDF2-HMAC-SHA512 (ASP.NET Core Identity's v3 format) with 210,000 iterations by default,
/// OWASP's figure for that function. Hashes carry their iteration count, so raising it later
/// upgrades each password at its next sign-in.
/// </summary>
public sealed class PasswordHashing
{
    public const int DefaultIterations = 210_000;

    private readonly PasswordHasher<User> _hasher;

    public PasswordHashing(int iterations = DefaultIterations)
    {
        _hasher = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = iterations,
        }));
        Iterations = iterations;
    }

    public int Iterations { get; }

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    public PasswordVerificationResult Verify(User user, string hash, string password) =>
        _hasher.VerifyHashedPassword(user, hash, password);

    /// <summary>A hash computed once so that an unknown username costs as much time as a known one.</summary>
    public string DummyHash { get; } = new PasswordHasher<User>().HashPassword(new User { Username = "-" }, Guid.NewGuid().ToString());
}
