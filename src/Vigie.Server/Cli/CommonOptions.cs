using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Vigie.Storage;

namespace Vigie.Server.Cli;

/// <summary>
/// Options shared by the verbs that reach the store. Every value may also come from the JSON file named by
/// <c>--config</c> (key = flag name with '_' for '-': <c>{"store": …, "syslog_udp": …}</c>) or from an
/// environment variable (<c>VIGIE_STORE</c>, <c>VIGIE_SYSLOG_UDP</c>, nested with '__': <c>VIGIE_LDAP__URL</c>).
/// Flags win over the environment, which wins over the file.
/// </summary>
internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data") { Description = "Folder of the SQLite store and key files (default ./vigie-data).", HelpName = "DIR" };

    public static Option<string?> Store() => new("--store") { Description = "postgres://user:pass@host:port/db or an Npgsql connection string; SQLite files under --data when absent.", HelpName = "URL" };

    public static Option<string?> Config() => new("--config") { Description = "JSON configuration file; flags and VIGIE_* environment variables take precedence.", HelpName = "FILE" };

    public static Option<string?> Urls() => new("--urls") { Description = "Addresses to listen on, separated by ';' (default http://127.0.0.1:8080).", HelpName = "URL" };

    /// <summary>The configuration key of an option: its name without dashes, '_' between words.</summary>
    public static string Key(Option option) => option.Name.TrimStart('-').Replace('-', '_');

    public static IConfigurationRoot BuildConfiguration(ParseResult parse, Option<string?> config, IEnumerable<Option> options)
    {
        var builder = new ConfigurationBuilder();
        var file = parse.GetValue(config) ?? Environment.GetEnvironmentVariable("VIGIE_CONFIG");
        if (!string.IsNullOrWhiteSpace(file))
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full))
                throw new CliException($"configuration file '{file}' does not exist", ExitCodes.Usage);
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables("VIGIE_");
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in options)
        {
            var result = parse.GetResult(option);
            if (result is null || result.Implicit || result.Tokens.Count == 0)
                continue;
            flags[Key(option)] = string.Join(';', result.Tokens.Select(t => t.Value));
        }
        builder.AddInMemoryCollection(flags);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"configuration file '{file}' is not valid JSON: {e.InnerException?.Message ?? e.Message}", ExitCodes.Usage);
        }
        catch (FormatException e)
        {
            throw new CliException($"configuration file '{file}' is not valid JSON: {e.Message}", ExitCodes.Usage);
        }
    }

    public static StoreLocation ResolveStore(IConfiguration configuration)
    {
        try
        {
            return StoreLocation.Parse(configuration["store"], configuration["data"]);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }
}
