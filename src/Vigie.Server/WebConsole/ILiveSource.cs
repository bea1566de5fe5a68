namespace Vigie.Server.WebConsole;

/// <summary>
/// Something the console shows live, read from the store so that every node sees what any node wrote.
/// A source keeps its own cursor; it starts at what exists when the node starts.
/// </summary>
internal interface ILiveSource
{
    Task<IReadOnlyList<LiveMessage>> PollAsync(IServiceProvider services, CancellationToken ct);
}
