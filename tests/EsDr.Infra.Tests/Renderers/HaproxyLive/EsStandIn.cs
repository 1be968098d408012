using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace EsDr.Infra.Tests.Renderers.HaproxyLive;

/// <summary>The cluster state an <see cref="EsStandIn"/> node reports.</summary>
internal enum StandInHealth
{
    Green,
    Yellow,
    Red,

    /// <summary>The node has lost its elected master: cluster-level requests fail with 503.</summary>
    NoMaster,
}

/// <summary>
/// A test double of one Elasticsearch node's HTTP layer on loopback, over TLS: HTTP/1.1, one request
/// per connection. <c>GET /_cluster/health</c> answers as Elasticsearch does (see
/// ../shared/es-api-spec/cluster/health): 200 with the health body once the cluster is at
/// <c>wait_for_status</c> or better; otherwise it holds the request for <c>timeout</c> and answers 408
/// with the same body and <c>"timed_out": true</c>; without a master, 503 with an error body. Any other
/// request is "traffic" and gets the <c>GET /</c> body, whose <c>name</c> says which node answered.
/// </summary>
internal sealed class EsStandIn : IAsyncDisposable
{
    private const string HealthPath = "/_cluster/health";
    private static readonly TimeSpan ConnectionLimit = TimeSpan.FromSeconds(5);

    private readonly TcpListener listener;
    private readonly X509Certificate2 certificate;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<TcpClient, Task> connections = new();
    private readonly Task acceptLoop;
    private volatile StandInHealth health = StandInHealth.Green;
    private int healthRequests;
    private int trafficRequests;

    private EsStandIn(string nodeName, string clusterName, X509Certificate2 certificate)
    {
        NodeName = nodeName;
        ClusterName = clusterName;
        this.certificate = certificate;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptAsync();
    }

    /// <summary>Listens on 127.0.0.1 on a free port until disposed or <see cref="StopAsync"/>.</summary>
    public static EsStandIn Start(string nodeName, string clusterName, X509Certificate2 certificate) =>
        new(nodeName, clusterName, certificate);

    public string NodeName { get; }

    public string ClusterName { get; }

    public int Port { get; }

    public StandInHealth Health
    {
        get => health;
        set => health = value;
    }

    /// <summary>Health requests answered (after a completed TLS handshake), whatever the status code.</summary>
    public int HealthRequests => Volatile.Read(ref healthRequests);

    public int TrafficRequests => Volatile.Read(ref trafficRequests);

    /// <summary>The process dies: the listener closes and open connections are reset.</summary>
    public async Task StopAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }
        await stopping.CancelAsync();
        listener.Stop();
        foreach (var client in connections.Keys)
        {
            client.Dispose();
        }
        await Task.WhenAll([acceptLoop, .. connections.Values]).WaitAsync(ConnectionLimit);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stopping.Dispose();
        certificate.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            connections[client] = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        await Task.Yield();
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            limit.CancelAfter(ConnectionLimit);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, limit.Token);
            var target = await ReadRequestTargetAsync(tls, limit.Token);
            if (target is null)
            {
                return;
            }
            var (status, body) = target.StartsWith(HealthPath, StringComparison.Ordinal)
                ? await AnswerHealthAsync(target, limit.Token)
                : AnswerTraffic();
            await WriteResponseAsync(tls, status, body, limit.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            // A failed handshake, a peer that went away or a stop: the connection just ends.
        }
        finally
        {
            connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task<(int Status, string Body)> AnswerHealthAsync(string target, CancellationToken cancel)
    {
        Interlocked.Increment(ref healthRequests);
        var query = Query(target);
        if (Health == StandInHealth.NoMaster)
        {
            return (503, NoMasterBody());
        }

        var wanted = query.TryGetValue("wait_for_status", out var status) ? Rank(status) : 0;
        var waitUntil = DateTime.UtcNow + (query.TryGetValue("timeout", out var timeout) ? Duration(timeout) : TimeSpan.FromSeconds(30));
        // Elasticsearch answers as soon as the cluster reaches the wanted status, or when the wait runs out.
        while (Rank(Health) < wanted && DateTime.UtcNow < waitUntil)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancel);
        }
        var now = Health;
        if (now == StandInHealth.NoMaster)
        {
            return (503, NoMasterBody());
        }
        var timedOut = Rank(now) < wanted;
        return (timedOut ? 408 : 200, HealthBody(now, timedOut));
    }

    private (int Status, string Body) AnswerTraffic()
    {
        Interlocked.Increment(ref trafficRequests);
        var body = new JsonObject
        {
            ["name"] = NodeName,
            ["cluster_name"] = ClusterName,
            ["cluster_uuid"] = "Yp3CkYHMSrGCtRg8cqzW1A",
            ["version"] = new JsonObject { ["number"] = "9.5.7", ["build_flavor"] = "default" },
            ["tagline"] = "You Know, for Search",
        };
        return (200, body.ToJsonString());
    }

    private string HealthBody(StandInHealth now, bool timedOut)
    {
        // One index, one primary and one replica, as in the spec's example.
        var (activePrimaries, activeShards, unassigned) = now switch
        {
            StandInHealth.Green => (1, 2, 0),
            StandInHealth.Yellow => (1, 1, 1),
            _ => (0, 0, 2),
        };
        return new JsonObject
        {
            ["cluster_name"] = ClusterName,
            ["status"] = now.ToString().ToLowerInvariant(),
            ["timed_out"] = timedOut,
            ["number_of_nodes"] = 3,
            ["number_of_data_nodes"] = 3,
            ["active_primary_shards"] = activePrimaries,
            ["active_shards"] = activeShards,
            ["relocating_shards"] = 0,
            ["initializing_shards"] = 0,
            ["unassigned_shards"] = unassigned,
            ["unassigned_primary_shards"] = 1 - activePrimaries,
            ["delayed_unassigned_shards"] = 0,
            ["number_of_pending_tasks"] = 0,
            ["number_of_in_flight_fetch"] = 0,
            ["task_max_waiting_in_queue_millis"] = 0,
            ["active_shards_percent_as_number"] = activeShards * 50.0,
        }.ToJsonString();
    }

    private static string NoMasterBody()
    {
        JsonObject Cause() => new() { ["type"] = "master_not_discovered_exception", ["reason"] = null };
        var error = Cause();
        error["root_cause"] = new JsonArray(Cause());
        return new JsonObject { ["error"] = error, ["status"] = 503 }.ToJsonString();
    }

    private static int Rank(StandInHealth health) => health switch
    {
        StandInHealth.Green => 2,
        StandInHealth.Yellow => 1,
        _ => 0,
    };

    private static int Rank(string status) => status switch
    {
        "green" => 2,
        "yellow" => 1,
        _ => 0,
    };

    /// <summary>An Elasticsearch time value such as "1s", "500ms" or "2m".</summary>
    private static TimeSpan Duration(string value)
    {
        var digits = value.TakeWhile(char.IsAsciiDigit).Count();
        var amount = int.Parse(value.AsSpan(0, digits), CultureInfo.InvariantCulture);
        return value[digits..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            var unit => throw new FormatException($"Unsupported time unit '{unit}' in '{value}'."),
        };
    }

    private static Dictionary<string, string> Query(string target)
    {
        var start = target.IndexOf('?', StringComparison.Ordinal);
        return start < 0
            ? []
            : target[(start + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2))
                .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : "");
    }

    /// <summary>The request line's target, once the whole request head has arrived; null if the peer closed first.</summary>
    private static async Task<string?> ReadRequestTargetAsync(SslStream tls, CancellationToken cancel)
    {
        var head = new List<byte>();
        var buffer = new byte[1024];
        while (!EndsHead(head))
        {
            var read = await tls.ReadAsync(buffer, cancel);
            if (read == 0 || head.Count > 16 * 1024)
            {
                return null;
            }
            head.AddRange(buffer.AsSpan(0, read));
        }
        var requestLine = Encoding.ASCII.GetString([.. head]).Split("\r\n", 2)[0].Split(' ');
        return requestLine.Length == 3 ? requestLine[1] : null;
    }

    private static bool EndsHead(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    private static async Task WriteResponseAsync(SslStream tls, int status, string body, CancellationToken cancel)
    {
        var reason = status switch
        {
            200 => "OK",
            408 => "Request Timeout",
            503 => "Service Unavailable",
            _ => "Unknown",
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {reason}\r\n"
            + "X-elastic-product: Elasticsearch\r\n"
            + "content-type: application/json\r\n"
            + $"content-length: {bytes.Length.ToString(CultureInfo.InvariantCulture)}\r\n"
            + "connection: close\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head), cancel);
        await tls.WriteAsync(bytes, cancel);
        await tls.FlushAsync(cancel);
        await tls.ShutdownAsync();
    }
}
