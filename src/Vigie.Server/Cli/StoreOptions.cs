using System.CommandLine;

namespace Vigie.Server.Cli;

/// <summary>The <c>--data</c>, <c>--store</c>, <c>--config</c> trio every data verb takes, and how to run with them.</summary>
internal sealed class StoreOptions
{
    public Option<string?> Data { get; } = CommonOptions.Data();
    public Option<string?> Store { get; } = CommonOptions.Store();
    public Option<string?> Config { get; } = CommonOptions.Config();

    public static StoreOptions AddTo(Command command)
    {
        var o = new StoreOptions();
        command.Options.Add(o.Data);
        command.Options.Add(o.Store);
        command.Options.Add(o.Config);
        return o;
    }

    public IConfigurationRoot Configuration(ParseResult parse, params Option[] more) =>
        CommonOptions.BuildConfiguration(parse, Config, [Data, Store, .. more]);

    /// <summary>Runs <paramref name="work"/> in a store session built from this verb's options.</summary>
    public void SetAction(Command command, Func<ParseResult, IServiceProvider, CancellationToken, Task<int>> work) =>
        command.SetAction((parse, ct) => StoreSession.RunAsync(Configuration(parse), sp => work(parse, sp, ct), ct));
}
