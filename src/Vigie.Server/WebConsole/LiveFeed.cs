using System.Threading.Channels;

namespace Vigie.Server.WebConsole;

/// <summary>One thing that happened, pushed to open consoles: its kind, the establishment it belongs to, and what to show.</summary>
internal sealed record LiveMessage(string Kind, Guid? EstablishmentId, IReadOnlyCollection<string> Roles, object Payload);

/// <summary>
/// Fans out live messages to every open console connection of this node. Each connection has a small
/// bounded queue; a slow browser loses its oldest messages rather than holding anyone else back.
/// </summary>
internal sealed class LiveFeed
{
    private readonly Lock _gate = new();
    private readonly List<Channel<LiveMessage>> _subscribers = [];

    public int Subscribers
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    public ChannelReader<LiveMessage> Subscribe(CancellationToken until)
    {
        var channel = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
            _subscribers.Add(channel);
        until.Register(() =>
        {
            lock (_gate)
                _subscribers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Publish(LiveMessage message)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
                subscriber.Writer.TryWrite(message);
        }
    }
}
