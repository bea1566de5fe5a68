using Vigie.Storage;

namespace Vigie.Server.Hosting;

/// <summary>How to start the web host: from the command line, or from a test.</summary>
internal sealed class VigieHostOptions
{
    public required StoreLocation Store { get; init; }
    public required IConfiguration Configuration { get; init; }
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];
    /// <summary>Demo mode: known credentials exist and demo content is loaded.</summary>
    public bool Demo { get; init; }
    /// <summary>Where log lines go besides (or instead of) the console; tests read them.</summary>
    public ILoggerProvider? ExtraLogger { get; init; }
    public bool ConsoleLogging { get; init; } = true;
}
