using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace EsDr.Recovery.Execute.Lease;

/// <summary>
/// The lease shared by several recovery replicas: an etcd lease with a key attached, over etcd's native gRPC API
/// (dotnet-etcd), balanced over every configured endpoint. Acquire grants a lease and creates the key only if it
/// is absent (a transaction comparing <c>create_revision == 0</c>); the holder's id is the value. The handle
/// renews the lease every TTL/3 and counts it lost when a renewal says it expired, when the key is gone or
/// belongs to another lease, or when no renewal succeeded for a whole TTL. The renewal loop is ours, not the
/// library's: its keep-alive ends silently when the lease is lost and keeps time on the wall clock.
/// </summary>
internal sealed class EtcdLease : IRecoveryLease, IDisposable
{
    /// <summary>The least time an acquire's calls get, so the client's retries can reach another endpoint.</summary>
    private static readonly TimeSpan MinimumCallTimeout = TimeSpan.FromSeconds(5);

    private readonly EtcdClient _client;
    private readonly ByteString _key;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;

    public EtcdLease(Uri endpoint, string key, TimeSpan ttl, TimeProvider time, string? caFile = null)
        : this([endpoint], key, ttl, time, caFile)
    {
    }

    /// <param name="endpoints">etcd's client URLs; any <c>https</c> one makes every connection TLS (never a downgrade).</param>
    /// <param name="caFile">PEM CA the servers' certificates chain to; null: the system's trust store.</param>
    public EtcdLease(IReadOnlyList<Uri> endpoints, string key, TimeSpan ttl, TimeProvider time, string? caFile = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0) throw new ArgumentException("at least one etcd endpoint is needed", nameof(endpoints));
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(time);
        if (ttl < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "etcd leases last at least one second");
        Endpoints = endpoints;
        _client = Connect(endpoints, caFile);
        _key = ByteString.CopyFromUtf8(key);
        _ttl = ttl;
        _time = time;
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    public async Task<LeaseHandle?> TryAcquireAsync(string holderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderId);
        using var bounded = Bounded(AcquireTimeout, cancellationToken);
        var grantedAt = _time.GetUtcNow();
        var grant = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(_ttl.TotalSeconds) },
            cancellationToken: bounded.Token).ConfigureAwait(false);
        if (grant.ID == 0 || grant.TTL <= 0) throw new InvalidOperationException($"etcd did not grant a lease: {grant}");

        bool created;
        try
        {
            created = (await _client.TransactionAsync(CreateIfAbsent(holderId, grant.ID), cancellationToken: bounded.Token).ConfigureAwait(false)).Succeeded;
        }
        catch
        {
            await TryRevokeAsync(grant.ID).ConfigureAwait(false);
            throw;
        }

        if (!created)
        {
            await TryRevokeAsync(grant.ID).ConfigureAwait(false);
            return null;
        }
        return new Handle(this, holderId, grant.ID, grantedAt + TimeSpan.FromSeconds(grant.TTL), TimeSpan.FromSeconds(grant.TTL));
    }

    /// <summary>The id stored under the key, or null when nobody holds the lease.</summary>
    public async Task<string?> CurrentHolderAsync(CancellationToken cancellationToken) =>
        (await RangeAsync(cancellationToken).ConfigureAwait(false))?.Value.ToStringUtf8();

    public void Dispose() => _client.Dispose();

    private TimeSpan AcquireTimeout => _ttl > MinimumCallTimeout ? _ttl : MinimumCallTimeout;

    /// <summary>Put the key with the holder's id on the lease, only if the key has never been created (or was deleted).</summary>
    private TxnRequest CreateIfAbsent(string holderId, long leaseId) => new()
    {
        Compare =
        {
            new Compare
            {
                Key = _key,
                Target = Compare.Types.CompareTarget.Create,
                Result = Compare.Types.CompareResult.Equal,
                CreateRevision = 0,
            },
        },
        Success = { new RequestOp { RequestPut = new PutRequest { Key = _key, Value = ByteString.CopyFromUtf8(holderId), Lease = leaseId } } },
    };

    private async Task<Mvccpb.KeyValue?> RangeAsync(CancellationToken cancellationToken)
    {
        var range = await _client.GetAsync(new RangeRequest { Key = _key }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return range.Kvs.Count > 0 ? range.Kvs[0] : null;
    }

    /// <summary>Renews once on its own keep-alive stream; returns the remaining TTL in seconds, 0 when the lease no longer exists.</summary>
    private async Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken)
    {
        long? ttl = null;
        await _client.LeaseKeepAlive(new LeaseKeepAliveRequest { ID = leaseId }, response => ttl ??= response.ID == leaseId ? response.TTL : 0,
            cancellationToken).ConfigureAwait(false);
        // A stream that closes without an answer says nothing about the lease: a transient failure.
        return ttl ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcd closed the keep-alive stream without an answer"));
    }

    private async Task<bool> KeyBelongsToAsync(long leaseId, CancellationToken cancellationToken) =>
        (await RangeAsync(cancellationToken).ConfigureAwait(false))?.Lease == leaseId;

    private async Task RevokeAsync(long leaseId, CancellationToken cancellationToken) =>
        await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, cancellationToken: cancellationToken).ConfigureAwait(false);

    private async Task TryRevokeAsync(long leaseId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_ttl, _time);
            await RevokeAsync(leaseId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e))
        {
            // Best effort: an unrevoked lease expires on its own after its TTL.
        }
    }

    private Deadline Bounded(TimeSpan timeout, CancellationToken cancellationToken) => new(timeout, _time, cancellationToken);

    /// <summary>etcd unreachable, slow or restarting: nothing is known about the lease.</summary>
    private static bool IsTransient(Exception e) => e is RpcException or OperationCanceledException or IOException;

    /// <summary>
    /// One client over every endpoint (the library balances round-robin and retries an unavailable one elsewhere).
    /// The library picks TLS from how it is constructed, not from the URLs: a plain constructor given an
    /// <c>https</c> URL speaks plaintext, so TLS is chosen here, for all endpoints, when any asks for it.
    /// </summary>
    private static EtcdClient Connect(IReadOnlyList<Uri> endpoints, string? caFile)
    {
        var connection = string.Join(',', endpoints.Select(e => $"{e.Scheme}://{e.Authority}"));
        var serverName = endpoints[0].IdnHost;
        if (!endpoints.Any(e => e.Scheme == Uri.UriSchemeHttps))
            return new EtcdClient(connection, serverName: serverName);
        var ca = caFile is null ? null : X509CertificateLoader.LoadCertificateFromFile(caFile);
        return new EtcdClient(connection, tls =>
        {
            if (ca is not null) tls.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ChainsTo(ca, certificate, errors);
        }, serverName: serverName);
    }

    /// <summary>The server's certificate names the host and chains to <paramref name="ca"/> (revocation is not checked: a private CA has no CRL).</summary>
    private static bool ChainsTo(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }

    /// <summary>A call's time limit on the injected clock, as every wait here is (gRPC's own deadlines use the wall clock).</summary>
    private sealed class Deadline : IDisposable
    {
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;

        public Deadline(TimeSpan timeout, TimeProvider time, CancellationToken outer)
        {
            _timer = new CancellationTokenSource(timeout, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(_timer.Token, outer);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timer.Dispose();
        }
    }

    internal sealed class Handle : LeaseHandle
    {
        private readonly EtcdLease _owner;
        private readonly long _leaseId;
        private readonly TimeSpan _ttl;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _keepAlive;
        private long _expiresAtTicks;
        private int _state; // 0 held, 1 lost, 2 released or abandoned

        public Handle(EtcdLease owner, string holderId, long leaseId, DateTimeOffset expiresAt, TimeSpan ttl)
            : base(holderId)
        {
            _owner = owner;
            _leaseId = leaseId;
            _ttl = ttl;
            _expiresAtTicks = expiresAt.UtcTicks;
            _keepAlive = Task.Run(KeepAliveLoopAsync);
        }

        public long LeaseId => _leaseId;

        public override bool IsHeld =>
            Volatile.Read(ref _state) == 0 && _owner._time.GetUtcNow().UtcTicks < Interlocked.Read(ref _expiresAtTicks);

        public override async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            if (!await StopAsync().ConfigureAwait(false)) return;
            await _owner.RevokeAsync(_leaseId, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Stops renewing without revoking, as a crashed holder would: the lease expires after its TTL
        /// and the key with it.
        /// </summary>
        public async Task AbandonAsync() => await StopAsync().ConfigureAwait(false);

        protected override async ValueTask DisposeCoreAsync()
        {
            if (await StopAsync().ConfigureAwait(false)) await _owner.TryRevokeAsync(_leaseId).ConfigureAwait(false);
            // A concurrent abandon marks the handle lost (which ends the guarded work and brings us here) before
            // it stops the renewals: wait for them, or they would read a disposed _stop.
            await _keepAlive.ConfigureAwait(false);
            _stop.Dispose();
        }

        /// <summary>Stops the renewals; true when this call is the one that ended a live lease.</summary>
        private async Task<bool> StopAsync()
        {
            var previous = Interlocked.Exchange(ref _state, 2);
            if (previous == 2) return false;
            MarkLost();
            await _stop.CancelAsync().ConfigureAwait(false);
            await _keepAlive.ConfigureAwait(false);
            return previous == 0;
        }

        private async Task KeepAliveLoopAsync()
        {
            var interval = _ttl / 3;
            using var timer = new PeriodicTimer(interval, _owner._time);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    if (!await RenewOnceAsync(interval).ConfigureAwait(false) || !IsHeld)
                    {
                        Lose();
                        return;
                    }
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Released or abandoned. A renewal in flight at that moment ends as gRPC's RpcException(Cancelled),
                // not an OperationCanceledException: whatever it threw, the stop is the cause.
            }
        }

        /// <summary>False when etcd says the lease or key is gone; transient failures leave the expiry as it was.</summary>
        private async Task<bool> RenewOnceAsync(TimeSpan timeout)
        {
            var sentAt = _owner._time.GetUtcNow();
            try
            {
                using var bounded = _owner.Bounded(timeout, _stop.Token);
                var remaining = await _owner.KeepAliveOnceAsync(_leaseId, bounded.Token).ConfigureAwait(false);
                if (remaining <= 0) return false;
                if (!await _owner.KeyBelongsToAsync(_leaseId, bounded.Token).ConfigureAwait(false)) return false;
                Interlocked.Exchange(ref _expiresAtTicks, (sentAt + TimeSpan.FromSeconds(remaining)).UtcTicks);
                return true;
            }
            catch (Exception e) when (IsTransient(e) && !_stop.IsCancellationRequested)
            {
                return true; // etcd unreachable for now: keep trying until the lease would have expired.
            }
        }

        private void Lose()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) == 0) MarkLost();
        }
    }
}
