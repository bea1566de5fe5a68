using Npgsql;
using Vigie.Storage;

namespace Vigie.Server.Tests.Support;

/// <summary>
/// A fresh, empty store for one test: a SQLite file in a temp folder, or a new database on the test
/// PostgreSQL server, dropped afterwards. Tests run against both (<see cref="Providers"/>).
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly string? _database;

    private TestStore(StoreLocation location, string dataDirectory, string? database, string url)
    {
        Location = location;
        DataDirectory = dataDirectory;
        _database = database;
        Url = url;
    }

    public StoreLocation Location { get; }
    public string DataDirectory { get; }
    /// <summary>What to pass to <c>--store</c> (empty for SQLite, which lives under <c>--data</c>).</summary>
    public string Url { get; }

    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    /// <summary>Creates the store, or skips the test with a reason when PostgreSQL is not configured.</summary>
    public static async Task<TestStore> CreateAsync(string provider)
    {
        var data = TestEnvironment.NewTempDirectory();
        if (provider == "sqlite")
            return new TestStore(StoreLocation.Parse(null, data), data, null, "");

        Skip.If(TestEnvironment.Postgres is null, "PostgreSQL is not configured for tests (VIGIE_TEST_POSTGRES unset; ./test.sh starts it)");
        var admin = StoreLocation.Parse(TestEnvironment.Postgres, data);
        var database = $"vigie_t_{Guid.NewGuid():N}"[..30];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = database };
        var uri = new Uri(TestEnvironment.Postgres!.Replace("postgresql://", "postgres://", StringComparison.Ordinal));
        var url = $"postgres://{uri.UserInfo}@{uri.Host}:{(uri.Port > 0 ? uri.Port : 5432)}/{database}";
        return new TestStore(StoreLocation.Parse(builder.ConnectionString, data), data, database, url);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            var admin = StoreLocation.Parse(TestEnvironment.Postgres, DataDirectory);
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background task; the temp folder is cleaned by the OS.
        }
    }
}
