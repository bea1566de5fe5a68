using System.CommandLine;
using System.Net.Sockets;
using Vigie.Server.Demo;
using Vigie.Server.Hosting;
using Vigie.Storage;

namespace Vigie.Server.Cli;

/// <summary><c>vigie serve</c> and <c>vigie demo</c>: everything in one process.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static Command Create(bool demo)
    {
        var command = new Command(demo ? "demo" : "serve", demo
            ? "Serve Vigie with demo establishments, users and traffic; prints the demo credentials."
            : "Serve Vigie: API, console and collectors in one process.");
        var data = CommonOptions.Data();
        var store = CommonOptions.Store();
        var urls = CommonOptions.Urls();
        var config = CommonOptions.Config();
        command.Options.Add(data);
        command.Options.Add(store);
        command.Options.Add(urls);
        command.Options.Add(config);
        var extra = ServeOptions.Create();
        foreach (var option in extra)
            command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CommonOptions.BuildConfiguration(parse, config, [data, store, urls, .. extra]);
            return await RunAsync(configuration, demo, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, bool demo, CancellationToken ct)
    {
        // SQLite calls block their thread (Microsoft.Data.Sqlite's async methods run synchronously): with the pool's
        // default of one thread per core, a few writers waiting for the lock stalled FHIR reads (p99 177 ms -> 52-100 ms
        // with 32, bench/fhir/run.sh under load; docs/BENCHMARKS.md). Only the server needs it: the CPU-bound verbs
        // (sigma scan) ran twice the CPU and four times the memory with 32 threads on two cores.
        ThreadPool.GetMinThreads(out var workers, out var completion);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completion);
        var store = CommonOptions.ResolveStore(configuration);
        var urls = ParseUrls(configuration["urls"] ?? DefaultUrls);
        var app = VigieApp.Build(new VigieHostOptions { Store = store, Configuration = configuration, Urls = urls, Demo = demo });
        await using (app)
        {
            var applied = await StoreSession.MigrateAsync(app.Services.GetRequiredService<SchemaMigrator>(), store, ct);
            if (applied.Count > 0)
                Console.WriteLine($"Store {store.Describe()}: applied {applied.Count} migration(s).");
            // The record keys are opened now, with the key-encryption key. Without it (or with another one) the demo has no
            // records to show, and stops; a server still collects and detects, and answers FHIR requests 503 until restarted
            // with the right one.
            try
            {
                await app.Services.GetRequiredService<Vigie.Core.Records.RecordKeyring>().EnsureLoadedAsync(ct);
            }
            catch (Vigie.Core.VigieException e) when (demo)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
            catch (Vigie.Core.VigieException e)
            {
                await Console.Error.WriteLineAsync($"vigie: warning: {e.Message}; until then FHIR requests are answered 503");
            }
            if (demo)
            {
                try
                {
                    await DemoContent.LoadAsync(app.Services, ct);
                }
                catch (Exception e) when (StoreSession.IsStoreUnavailable(e))
                {
                    throw new CliException($"cannot reach the store {store.Describe()}: {StoreSession.RootMessage(e)}", ExitCodes.Unavailable);
                }
            }
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"cannot listen on {string.Join(", ", urls)}: the address is already in use (choose another with --urls)", ExitCodes.Unavailable);
            }
            catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot listen on {string.Join(", ", urls)}: {e.Message}", ExitCodes.Unavailable);
            }
            Console.WriteLine($"Vigie {VersionCommand.Version} is listening on {string.Join(", ", app.Urls)} (store {store.Describe()}).");
            if (demo)
                DemoContent.PrintWelcome(Console.Out, app.Urls.FirstOrDefault() ?? urls[0]);
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Ok;
        }
    }

    public static IReadOnlyList<string> ParseUrls(string text)
    {
        var urls = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
            throw new CliException("--urls is empty", ExitCodes.Usage);
        foreach (var url in urls)
        {
            var normalised = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalised, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new CliException($"--urls: '{url}' is not an http:// or https:// address", ExitCodes.Usage);
        }
        return urls;
    }
}
