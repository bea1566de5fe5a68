using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;

namespace Vigie.Core.Records;

/// <summary>
/// A database transaction run through the provider's execution strategy (PostgreSQL retries transient failures,
/// and a retrying strategy only accepts transactions it runs itself).
/// </summary>
public static class StoreTransaction
{
    public static Task<T> RunAsync<T>(VigieDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(token);
            var result = await work(token);
            await tx.CommitAsync(token);
            return result;
        }, ct);

    public static Task RunAsync(VigieDbContext db, Func<CancellationToken, Task> work, CancellationToken ct) =>
        RunAsync(db, async token =>
        {
            await work(token);
            return true;
        }, ct);
}
