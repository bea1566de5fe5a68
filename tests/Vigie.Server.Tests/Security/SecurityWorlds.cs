namespace Vigie.Server.Tests.Security;

/// <summary>
/// One <see cref="SecurityWorld"/> per store provider, built on first use and shared by the security review's
/// test classes: the world takes seconds to build, the probes milliseconds each.
/// </summary>
public sealed class SecurityWorlds : IAsyncLifetime
{
    private readonly Dictionary<string, Task<SecurityWorld>> _worlds = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The world on <paramref name="provider"/>; skips the test (with the reason) when the provider is not configured.</summary>
    public Task<SecurityWorld> GetAsync(string provider)
    {
        lock (_gate)
        {
            if (!_worlds.TryGetValue(provider, out var world))
                _worlds[provider] = world = SecurityWorld.BuildAsync(provider);
            return world;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var world in _worlds.Values)
        {
            if (world.IsCompletedSuccessfully)
                await world.Result.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityWorldCollection : ICollectionFixture<SecurityWorlds>
{
    public const string Name = "security world";
}
