using Microsoft.Data.Sqlite;
using Npgsql;

namespace Vigie.Storage;

/// <summary>
/// Where Vigie keeps its state: SQLite files in a data folder (the default), or PostgreSQL given as a
/// libpq URL (<c>postgres://user:pass@host:port/db?sslmode=…</c>) or an Npgsql connection string.
/// </summary>
public sealed record StoreLocation(StoreProvider Provider, string ConnectionString, string DataDirectory)
{
    public const string DefaultDataDirectory = "vigie-data";
    public const string SqliteFileName = "vigie.db";

    /// <summary>Parses <c>--store</c>; throws <see cref="FormatException"/> with a message naming the problem.</summary>
    public static StoreLocation Parse(string? store, string? dataDirectory)
    {
        var data = Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? DefaultDataDirectory : dataDirectory);
        if (string.IsNullOrWhiteSpace(store) || store.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
            return Sqlite(Path.Combine(data, SqliteFileName), data);

        store = store.Trim();
        if (store.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = store["sqlite:".Length..].TrimStart('/');
            if (store.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
                path = "/" + path;
            if (path.Length == 0)
                throw new FormatException("store URL 'sqlite:' needs a file path, e.g. sqlite:///var/lib/vigie/vigie.db");
            return Sqlite(Path.GetFullPath(path), data);
        }
        if (store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new StoreLocation(StoreProvider.Postgres, FromLibpqUrl(store), data);
        if (store.Contains('=', StringComparison.Ordinal))
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(store);
                if (string.IsNullOrEmpty(builder.Host))
                    throw new FormatException("PostgreSQL connection string has no Host");
                return new StoreLocation(StoreProvider.Postgres, builder.ConnectionString, data);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"store connection string is malformed: {e.Message}");
            }
        }
        throw new FormatException($"store '{Redact(store)}' is not understood: use postgres://user:pass@host:port/db, an Npgsql connection string (Host=…;Database=…), or sqlite:///path/to/file.db");
    }

    private static StoreLocation Sqlite(string file, string data)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = SqliteWaits.Seconds,
        };
        return new StoreLocation(StoreProvider.Sqlite, builder.ConnectionString, data);
    }

    private static string FromLibpqUrl(string url)
    {
        Uri uri;
        try
        {
            // Uri cannot hold several hosts; libpq's multi-host form is handled by splitting first.
            uri = new Uri(url.Replace("postgresql://", "postgres://", StringComparison.OrdinalIgnoreCase));
        }
        catch (UriFormatException)
        {
            throw new FormatException($"store URL '{Redact(url)}' is malformed: expected postgres://user:pass@host:port/database");
        }
        if (string.IsNullOrEmpty(uri.Host))
            throw new FormatException($"store URL '{Redact(url)}' has no host");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0)
            throw new FormatException($"store URL '{Redact(url)}' names no database (…/database)");
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = database,
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
                builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = value.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new FormatException($"store URL: sslmode '{value}' is unknown"),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.TryParse(value, out var t) ? t : throw new FormatException($"store URL: connect_timeout '{value}' is not a number");
                    break;
                default:
                    throw new FormatException($"store URL: parameter '{key}' is not supported (sslmode, application_name, connect_timeout are)");
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The location without its password, fit for logs and messages.</summary>
    public string Describe() => Provider switch
    {
        StoreProvider.Sqlite => $"sqlite:{new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
        StoreProvider.Postgres => DescribePostgres(),
        _ => "unknown",
    };

    private string DescribePostgres()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static string Redact(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (at > 0 && scheme > 0 && at > scheme)
        {
            var colon = text.IndexOf(':', scheme + 3);
            if (colon > 0 && colon < at)
                return text[..(colon + 1)] + "***" + text[at..];
        }
        return text.Contains("password", StringComparison.OrdinalIgnoreCase) ? "(connection string hidden: it holds a password)" : text;
    }
}
