using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Vigie.Core.Data;

namespace Vigie.Server.Identity;

/// <summary>
/// Checks that the user behind a token or session is still enabled and that their security stamp has not
/// changed (password reset, roles changed, disabled). Answers are cached for 30 seconds: that is how long
/// a revoked session may live on, against one query per request.
/// </summary>
internal sealed class SessionValidator(IMemoryCache cache, IServiceScopeFactory scopes, TimeProvider clock, ValidatedTokenCache tokens)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private sealed record State(string Stamp, bool Disabled, DateTime? ExpiresAt);

    public async Task<bool> IsValidAsync(string? userId, string? stamp, CancellationToken ct)
    {
        if (!Guid.TryParse(userId, out var id) || string.IsNullOrEmpty(stamp))
            return false;
        var state = await cache.GetOrCreateAsync($"session:{id}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
            var user = await db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new State(u.SecurityStamp, u.Disabled, u.ExpiresAt)).SingleOrDefaultAsync(ct);
            return user;
        });
        return state is not null && !state.Disabled && state.Stamp == stamp &&
               (state.ExpiresAt is null || state.ExpiresAt > clock.GetUtcNow().UtcDateTime);
    }

    public void Forget(Guid userId)
    {
        cache.Remove($"session:{userId}");
        tokens.Forget(userId);
    }
}
