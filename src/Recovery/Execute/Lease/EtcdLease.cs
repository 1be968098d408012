using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Execute.Lease;

/// <summary>
/// The lease shared by several recovery replicas: an etcd lease with a key attached, over etcd 3.4's
/// JSON gRPC gateway (<c>/v3/...</c>). Acquire grants a lease and creates the key only if it is absent
/// (a transaction comparing <c>create_revision == 0</c>); the holder's id is the value. The handle
/// renews the lease every TTL/3 and counts it lost when a renewal says it expired, when the key is gone
/// or belongs to another lease, or when no renewal succeeded for a whole TTL.
/// </summary>
internal sealed class EtcdLease : IRecoveryLease, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string _key;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;

    public EtcdLease(Uri endpoint, string key, TimeSpan ttl, TimeProvider time)
        : this(new HttpClient(), endpoint, key, ttl, time, ownsHttp: true)
    {
    }

    public EtcdLease(HttpClient http, Uri endpoint, string key, TimeSpan ttl, TimeProvider time)
        : this(http, endpoint, key, ttl, time, ownsHttp: false)
    {
    }

    private EtcdLease(HttpClient http, Uri endpoint, string key, TimeSpan ttl, TimeProvider time, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(time);
        if (ttl < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "etcd leases last at least one second");
        _http = http;
        _ownsHttp = ownsHttp;
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _key = key;
        _ttl = ttl;
        _time = time;
    }

    public Uri Endpoint { get; }

    public async Task<LeaseHandle?> TryAcquireAsync(string holderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderId);
        var ttlSeconds = (long)Math.Ceiling(_ttl.TotalSeconds);
        var grantedAt = _time.GetUtcNow();
        var grant = await PostAsync("v3/lease/grant", new JsonObject { ["TTL"] = ttlSeconds }, cancellationToken).ConfigureAwait(false);
        var leaseId = ReadInt64(grant["ID"]);
        var grantedTtl = ReadInt64(grant["TTL"]);
        if (leaseId == 0 || grantedTtl <= 0) throw new InvalidOperationException($"etcd did not grant a lease: {grant.ToJsonString()}");

        bool created;
        try
        {
            var txn = new JsonObject
            {
                ["compare"] = new JsonArray(new JsonObject
                {
                    ["key"] = Base64(_key),
                    ["target"] = "CREATE",
                    ["result"] = "EQUAL",
                    ["create_revision"] = "0",
                }),
                ["success"] = new JsonArray(new JsonObject
                {
                    ["request_put"] = new JsonObject
                    {
                        ["key"] = Base64(_key),
                        ["value"] = Base64(holderId),
                        ["lease"] = leaseId.ToString(CultureInfo.InvariantCulture),
                    },
                }),
            };
            var result = await PostAsync("v3/kv/txn", txn, cancellationToken).ConfigureAwait(false);
            created = result["succeeded"]?.GetValue<bool>() ?? false;
        }
        catch
        {
            await TryRevokeAsync(leaseId).ConfigureAwait(false);
            throw;
        }

        if (!created)
        {
            await TryRevokeAsync(leaseId).ConfigureAwait(false);
            return null;
        }
        return new Handle(this, holderId, leaseId, grantedAt + TimeSpan.FromSeconds(grantedTtl), TimeSpan.FromSeconds(grantedTtl));
    }

    /// <summary>The id stored under the key, or null when nobody holds the lease.</summary>
    public async Task<string?> CurrentHolderAsync(CancellationToken cancellationToken)
    {
        var kv = await RangeAsync(cancellationToken).ConfigureAwait(false);
        var value = kv?["value"]?.GetValue<string>();
        return value is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(value));
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    private async Task<JsonObject?> RangeAsync(CancellationToken cancellationToken)
    {
        var range = await PostAsync("v3/kv/range", new JsonObject { ["key"] = Base64(_key) }, cancellationToken).ConfigureAwait(false);
        return range["kvs"] is JsonArray { Count: > 0 } kvs ? kvs[0] as JsonObject : null;
    }

    /// <summary>Renews once; returns the remaining TTL in seconds, 0 when the lease no longer exists.</summary>
    private async Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken)
    {
        // A streaming call in gRPC; the gateway answers one {"result": ...} line per request message.
        var response = await PostAsync("v3/lease/keepalive", new JsonObject { ["ID"] = leaseId.ToString(CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
        if (response["error"] is not null) throw new HttpRequestException($"etcd keepalive failed: {response.ToJsonString()}");
        return ReadInt64(response["result"]?["TTL"]);
    }

    private async Task<bool> KeyBelongsToAsync(long leaseId, CancellationToken cancellationToken)
    {
        var kv = await RangeAsync(cancellationToken).ConfigureAwait(false);
        return kv is not null && ReadInt64(kv["lease"]) == leaseId;
    }

    private async Task RevokeAsync(long leaseId, CancellationToken cancellationToken) =>
        await PostAsync("v3/lease/revoke", new JsonObject { ["ID"] = leaseId.ToString(CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);

    private async Task TryRevokeAsync(long leaseId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_ttl, _time);
            await RevokeAsync(leaseId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // Best effort: an unrevoked lease expires on its own after its TTL.
        }
    }

    private async Task<JsonObject> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(Endpoint, path), body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"etcd {path} answered {(int)response.StatusCode}: {text}", null, response.StatusCode);
        // Streaming endpoints may answer several newline-separated messages; the first is ours.
        var first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "{}";
        return JsonNode.Parse(first) as JsonObject ?? throw new HttpRequestException($"etcd {path} answered a non-object: {text}");
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    // The gateway writes int64 fields as JSON strings and omits zero values.
    private static long ReadInt64(JsonNode? node) => node switch
    {
        null => 0,
        JsonValue v when v.TryGetValue<string>(out var s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        _ => throw new FormatException($"not an integer: {node.ToJsonString()}"),
    };

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
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Released or abandoned.
            }
        }

        /// <summary>False when etcd says the lease or key is gone; transient failures leave the expiry as it was.</summary>
        private async Task<bool> RenewOnceAsync(TimeSpan timeout)
        {
            var sentAt = _owner._time.GetUtcNow();
            try
            {
                using var bounded = new CancellationTokenSource(timeout, _owner._time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(bounded.Token, _stop.Token);
                var remaining = await _owner.KeepAliveOnceAsync(_leaseId, linked.Token).ConfigureAwait(false);
                if (remaining <= 0) return false;
                if (!await _owner.KeyBelongsToAsync(_leaseId, linked.Token).ConfigureAwait(false)) return false;
                Interlocked.Exchange(ref _expiresAtTicks, (sentAt + TimeSpan.FromSeconds(remaining)).UtcTicks);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
                                          || (e is OperationCanceledException && !_stop.IsCancellationRequested))
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
