using System.Security.Authentication;
using EsDr.Recovery.Execute.Lease;
using Grpc.Core;

namespace EsDr.Recovery.Tests.Execute.Lease;

/// <summary>The shared lease against a real etcd that serves clients over TLS only, with a certificate from a private CA.</summary>
[Collection("live processes")]
public sealed class EtcdLeaseOverTlsTests(TlsEtcdFixture etcd) : IClassFixture<TlsEtcdFixture>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private readonly string _key = "/es-dr/recovery-lease/" + Guid.NewGuid().ToString("N");

    private static CancellationToken Bounded(int seconds = 20) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task WithThePrivateCa_AcquiresAndKeepsTheLease()
    {
        using var a = new EtcdLease(etcd.Endpoint, _key, Ttl, TimeProvider.System, etcd.Tls!.CaPath);

        await using var held = await a.TryAcquireAsync("watch-a", Bounded());
        await Task.Delay(Ttl * 1.5);

        Assert.NotNull(held);
        Assert.True(held.IsHeld);
        Assert.Equal("watch-a", await a.CurrentHolderAsync(Bounded()));
    }

    [Fact]
    public async Task WithoutTheCa_TheServerIsNotTrusted_AndNothingIsTaken()
    {
        using var a = new EtcdLease(etcd.Endpoint, _key, Ttl, TimeProvider.System);

        var refused = await Assert.ThrowsAsync<RpcException>(() => a.TryAcquireAsync("watch-a", Bounded()));

        Assert.Contains(nameof(AuthenticationException), refused.Status.DebugException?.ToString() ?? refused.Message, StringComparison.Ordinal);
        using var trusted = new EtcdLease(etcd.Endpoint, _key, Ttl, TimeProvider.System, etcd.Tls!.CaPath);
        Assert.Null(await trusted.CurrentHolderAsync(Bounded()));
    }
}
