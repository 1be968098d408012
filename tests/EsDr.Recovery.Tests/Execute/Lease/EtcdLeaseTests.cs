using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using EsDr.Recovery.Execute.Lease;
using Xunit.Abstractions;

namespace EsDr.Recovery.Tests.Execute.Lease;

/// <summary>The shared lease of several recovery replicas, against a real etcd 3.4 on loopback.</summary>
public sealed class EtcdLeaseTests(EtcdFixture etcd, ITestOutputHelper output) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(5);
    private readonly string _key = "/es-dr/recovery-lease/" + Guid.NewGuid().ToString("N");

    private EtcdLease NewLease() => new(etcd.Endpoint, _key, Ttl, TimeProvider.System);

    private static CancellationToken Bounded(int seconds = 10) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task TwoContenders_AtOnce_OnlyOneAcquires()
    {
        using var a = NewLease();
        using var b = NewLease();

        var results = await Task.WhenAll(a.TryAcquireAsync("watch-a", Bounded()), b.TryAcquireAsync("watch-b", Bounded()));

        var winners = results.Where(h => h is not null).ToList();
        Assert.Single(winners);
        Assert.True(winners[0]!.IsHeld);
        Assert.Equal(winners[0]!.HolderId, await a.CurrentHolderAsync(Bounded()));
        foreach (var h in winners) await h!.DisposeAsync();
    }

    [Fact]
    public async Task Holder_WhileAlive_KeepsTheLeasePastSeveralTtls()
    {
        using var a = NewLease();
        using var b = NewLease();
        await using var held = await a.TryAcquireAsync("watch-a", Bounded());
        Assert.NotNull(held);

        await Task.Delay(Ttl * 3.5);

        Assert.True(held.IsHeld);
        Assert.False(held.Lost.IsCancellationRequested);
        Assert.Null(await b.TryAcquireAsync("watch-b", Bounded()));
        Assert.Equal("watch-a", await b.CurrentHolderAsync(Bounded()));
    }

    [Fact]
    public async Task Holder_StopsRenewingAsIfKilled_OtherTakesOverWithinTtlPlusMargin()
    {
        using var a = NewLease();
        using var b = NewLease();
        var held = Assert.IsType<EtcdLease.Handle>(await a.TryAcquireAsync("watch-a", Bounded()));
        await Task.Delay(Ttl); // renewed at least once, so the lease is not merely fresh

        await held.AbandonAsync();
        var clock = Stopwatch.StartNew();
        LeaseHandle? taken = null;
        while (taken is null && clock.Elapsed < TakeoverBound * 2)
        {
            taken = await b.TryAcquireAsync("watch-b", Bounded());
            if (taken is null) await Task.Delay(100);
        }
        var takeover = clock.Elapsed;
        output.WriteLine($"takeover after {takeover.TotalMilliseconds:F0} ms (TTL {Ttl.TotalSeconds} s)");

        Assert.NotNull(taken);
        Assert.True(takeover <= TakeoverBound, $"takeover took {takeover}");
        Assert.False(held.IsHeld);
        Assert.Equal("watch-b", await b.CurrentHolderAsync(Bounded()));
        await taken.DisposeAsync();
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Holder_DisposedByTheWorkItGuards_WhileBeingAbandoned_StopsCleanly()
    {
        using var a = NewLease();
        var held = Assert.IsType<EtcdLease.Handle>(await a.TryAcquireAsync("watch-a", Bounded()));
        // As the pipeline does: the guarded work ends when the lease is lost, and disposes the handle.
        Task? disposed = null;
        held.Lost.Register(() => disposed = held.DisposeAsync().AsTask());

        await held.AbandonAsync();

        Assert.NotNull(disposed);
        await disposed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(held.IsHeld);
    }

    [Fact]
    public async Task Holder_Releases_OtherAcquiresAtOnce()
    {
        using var a = NewLease();
        using var b = NewLease();
        var held = await a.TryAcquireAsync("watch-a", Bounded());
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync("watch-b", Bounded()));

        await held.ReleaseAsync(Bounded());
        var clock = Stopwatch.StartNew();
        await using var taken = await b.TryAcquireAsync("watch-b", Bounded());

        Assert.NotNull(taken);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"acquire after release took {clock.Elapsed}");
        Assert.False(held.IsHeld);
        Assert.True(held.Lost.IsCancellationRequested);
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Holder_KeyDeletedBehindItsBack_CountsTheLeaseLostWithinATtl()
    {
        using var a = NewLease();
        await using var held = await a.TryAcquireAsync("watch-a", Bounded());
        Assert.NotNull(held);

        using (var http = new HttpClient())
        {
            using var response = await http.PostAsJsonAsync(
                new Uri(etcd.Endpoint, "v3/kv/deleterange"),
                new { key = Convert.ToBase64String(Encoding.UTF8.GetBytes(_key)) },
                Bounded());
            response.EnsureSuccessStatusCode();
        }

        var clock = Stopwatch.StartNew();
        while (held.IsHeld && clock.Elapsed < Ttl * 2) await Task.Delay(50);

        Assert.False(held.IsHeld);
        Assert.True(held.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task FirstEndpointDown_TheLeaseIsTakenThroughAnother()
    {
        var down = new Uri($"http://127.0.0.1:{EsDr.TestSupport.Loopback.FreePort()}/");
        using var a = new EtcdLease([down, etcd.Endpoint], _key, Ttl, TimeProvider.System);

        await using var held = await a.TryAcquireAsync("watch-a", Bounded());

        Assert.NotNull(held);
        Assert.Equal("watch-a", await a.CurrentHolderAsync(Bounded()));
        await Task.Delay(Ttl * 1.5);
        Assert.True(held.IsHeld);
    }

    [Fact]
    public async Task HttpsEndpoint_OfAPlaintextEtcd_IsRefused_NeverSpokenToInPlaintext()
    {
        using var a = new EtcdLease(new Uri(etcd.Endpoint.AbsoluteUri.Replace("http://", "https://", StringComparison.Ordinal)), _key, Ttl, TimeProvider.System);

        await Assert.ThrowsAnyAsync<Exception>(() => a.TryAcquireAsync("watch-a", Bounded(20)));

        using var plain = NewLease();
        Assert.Null(await plain.CurrentHolderAsync(Bounded()));
    }
}
