using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using Vigie.Core;
using Vigie.Server.Hosting;
using Vigie.Storage;

namespace Vigie.Server.Cli;

/// <summary>Opens the store for a data verb: applies migrations, builds the services, runs the work in one scope.</summary>
internal static class StoreSession
{
    public static async Task<int> RunAsync(IConfiguration configuration, Func<IServiceProvider, Task<int>> work, CancellationToken ct)
    {
        var store = CommonOptions.ResolveStore(configuration);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddVigieCore(store, configuration);
        await using var provider = services.BuildServiceProvider();
        await MigrateAsync(provider.GetRequiredService<SchemaMigrator>(), store, ct);
        await using var scope = provider.CreateAsyncScope();
        try
        {
            return await work(scope.ServiceProvider);
        }
        catch (VigieException e)
        {
            throw new CliException(e.Message, e.Kind == ProblemKind.NotFound ? ExitCodes.Failed : ExitCodes.Failed);
        }
        catch (Exception e) when (IsStoreUnavailable(e))
        {
            throw new CliException($"cannot reach the store {store.Describe()}: {RootMessage(e)}", ExitCodes.Unavailable);
        }
    }

    public static async Task<IReadOnlyList<SchemaMigrator.Migration>> MigrateAsync(SchemaMigrator migrator, StoreLocation store, CancellationToken ct)
    {
        try
        {
            return await migrator.MigrateAsync(ct);
        }
        catch (Exception e) when (IsStoreUnavailable(e))
        {
            throw new CliException($"cannot reach the store {store.Describe()}: {RootMessage(e)}", ExitCodes.Unavailable);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"store {store.Describe()}: {e.Message}", ExitCodes.Unavailable);
        }
    }

    public static bool IsStoreUnavailable(Exception e) => e switch
    {
        NpgsqlException or SqliteException or SocketException or TimeoutException => true,
        UnauthorizedAccessException => true,
        IOException => e.InnerException is SocketException || e.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase),
        Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException => true,
        _ => e.InnerException is not null && IsStoreUnavailable(e.InnerException),
    };

    public static string RootMessage(Exception e)
    {
        while (e.InnerException is not null && e is not PostgresException)
            e = e.InnerException;
        return e is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : e.Message.Split('\n')[0].Trim();
    }
}
