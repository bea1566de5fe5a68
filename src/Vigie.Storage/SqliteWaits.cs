namespace Vigie.Storage;

/// <summary>
/// How long a SQLite connection waits for another writer before giving up, the same for every connection Vigie
/// opens: the ledger writer, the event store and the migrations share one file and commit in turn.
/// </summary>
internal static class SqliteWaits
{
    /// <summary>The wait in seconds, for connection strings (<c>Default Timeout</c>).</summary>
    public const int Seconds = 30;

    /// <summary>The same wait as a pragma, for connections opened outside the connection string's settings.</summary>
    public const string BusyTimeoutPragma = "PRAGMA busy_timeout=30000;";
}
