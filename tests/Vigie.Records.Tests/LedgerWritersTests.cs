using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Core.Audit;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>
/// Several nodes on one store each have their own ledger writer; together they must still build one chain, with no
/// entry refused for having raced another node's batch.
/// </summary>
public sealed class LedgerWritersTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Two_writers_on_one_store_build_one_intact_chain(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var sp = host.Services;
        var first = sp.GetRequiredService<LedgerWriter>();
        await using var second = new LedgerWriter(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<LedgerSigner>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LedgerWriter>>());
        static LedgerEntry Read(string node, int i) => LedgerForgery.Read($"dr.{node}", $"{node}{i}");
        // Many callers on each node at once, so that both writers keep committing batches side by side.
        var appends = Enumerable.Range(0, 300).SelectMany(i => new[] { first.AppendAsync(Read("a", i)), second.AppendAsync(Read("b", i)) }).ToList();
        await Task.WhenAll(appends);
        await first.CheckpointNowAsync();

        var verification = await host.WithServicesAsync(s => s.GetRequiredService<LedgerVerifier>().VerifyAsync(s.GetRequiredService<LedgerSigner>().PublicKey()));
        verification.Intact.ShouldBeTrue(verification.Message);
        verification.Entries.ShouldBe(600);
    }
}
