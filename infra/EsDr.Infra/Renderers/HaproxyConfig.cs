using System.Globalization;
using System.Text;

namespace EsDr.Infra.Renderers;

/// <summary>One Elasticsearch node behind HAProxy. <paramref name="Port"/> is its HTTP port.</summary>
/// <param name="IsBackup">Used only while every non-backup server is down (e.g. a standby region's nodes).</param>
public sealed record HaproxyServer(string Name, string Address, int Port, bool IsBackup = false);

/// <summary>
/// The region's application servers behind the HAProxy VM: TCP on <paramref name="PublicPort"/> to each server's
/// <paramref name="Port"/>, with a plain-HTTP check of <paramref name="HealthPath"/>. Only
/// <paramref name="Sources"/> may connect (the host has no cloud firewall on OVH; elsewhere both filter).
/// </summary>
/// <param name="Servers">Name and address of each server; their port is <paramref name="Port"/>.</param>
public sealed record HaproxyApplication(int PublicPort, int Port, string HealthPath, IReadOnlyList<(string Name, string Address)> Servers, IReadOnlyList<string> Sources);

/// <summary>
/// The region's database host behind the HAProxy VM (OVH, whose hosts have no public interface): plain TCP on
/// <paramref name="Port"/> to the host's private <paramref name="Address"/>, MySQL's own TLS passing through untouched.
/// Only <paramref name="Sources"/> (the other regions' database hosts, the monitoring host) may connect; none refuses all.
/// </summary>
public sealed record HaproxyDatabase(int Port, string ServerName, string Address, IReadOnlyList<string> Sources);

/// <summary>What a region's HAProxy VM fronts and how.</summary>
/// <param name="Servers">Where client traffic on the HTTP port goes: primaries, and backups for when every primary is down.</param>
/// <param name="CaFilePath">PEM file of the CA(s) that signed every backend node's certificate.</param>
public sealed record HaproxyFrontendSettings(IReadOnlyList<HaproxyServer> Servers, string CaFilePath)
{
    public int HttpPort { get; init; } = 9200;

    /// <summary>
    /// The region's own nodes, or null when they are <see cref="Servers"/>. The transport passthrough and the
    /// <see cref="ClusterPort"/> always reach this cluster, whichever region serves client traffic.
    /// </summary>
    public IReadOnlyList<HaproxyServer>? LocalServers { get; init; }

    /// <summary>
    /// When set, a second HTTP passthrough on this port to <see cref="LocalServers"/> only (same sources as the
    /// HTTP port): how tools and the other regions' HAProxy reach this very cluster while clients follow the
    /// active region.
    /// </summary>
    public int? ClusterPort { get; init; }

    /// <summary>Also pass the transport port through, for cross-cluster replication in proxy mode.</summary>
    public bool ProxyTransport { get; init; }

    public int TransportPort { get; init; } = 9300;

    /// <summary>
    /// Sources (addresses or CIDRs) allowed to reach the HTTP frontend, or null to leave filtering to a
    /// cloud firewall. Where there is no cloud firewall (OVH) HAProxy itself refuses everyone else.
    /// </summary>
    public IReadOnlyList<string>? HttpSources { get; init; }

    /// <summary>Sources allowed to reach the transport frontend (the other regions' nodes), or null as above.</summary>
    public IReadOnlyList<string>? TransportSources { get; init; }

    /// <summary>Port of the VM's own health endpoint (<see cref="HaproxyConfig.MonitorUri"/>).</summary>
    public int MonitorPort { get; init; } = DefaultMonitorPort;

    public const int DefaultMonitorPort = 8404;

    /// <summary>
    /// Address every frontend binds to (e.g. 127.0.0.1), or null for all addresses. An IPv6 address is
    /// written as HAProxy reads it, without brackets: the last colon separates the port.
    /// </summary>
    public string? BindAddress { get; init; }

    /// <summary>The region's application pool, or null when it has none.</summary>
    public HaproxyApplication? Application { get; init; }

    /// <summary>The region's database host, or null when it has none behind this VM.</summary>
    public HaproxyDatabase? Database { get; init; }
}

/// <summary>
/// Renders haproxy.cfg (HAProxy 2.6) from fixed sections: global, defaults, the VM's health endpoint,
/// the HTTP passthrough, then optionally the transport passthrough. TLS is never terminated here:
/// clients talk TLS to Elasticsearch itself.
/// </summary>
public static class HaproxyConfig
{
    public const string MonitorUri = "/haproxy-health";

    /// <summary>
    /// 200 only when the node sees a yellow-or-better cluster within 1s: a red cluster answers 408 and
    /// a cluster without an elected master 503, so either takes the node out of rotation.
    /// </summary>
    internal const string HealthCheckUri = "/_cluster/health?wait_for_status=yellow&timeout=1s";

    private const string HttpBackend = "es_http";
    private const string TransportBackend = "es_transport";
    private const string ClusterBackend = "es_cluster";
    private const string ApplicationBackend = "app";
    private const string DatabaseBackend = "mysql";

    public static string Render(HaproxyFrontendSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Servers.Count == 0)
        {
            throw new ArgumentException("HAProxy needs at least one backend server.", nameof(s));
        }

        var text = new StringBuilder();
        Global(text);
        Defaults(text);
        MonitorFrontend(text, s);
        var local = s.LocalServers ?? s.Servers;
        if (s.LocalServers is not null && (local.Count == 0 || local.Any(server => server.IsBackup)))
        {
            throw new ArgumentException("The region's own servers must be at least one, none of them a backup.", nameof(s));
        }
        Passthrough(text, HttpBackend, s.HttpPort, s, s.Servers, server => server.Port, idleTimeout: null, s.HttpSources);
        if (s.ClusterPort is { } clusterPort)
        {
            Passthrough(text, ClusterBackend, clusterPort, s, local, server => server.Port, idleTimeout: null, s.HttpSources);
        }
        if (s.ProxyTransport)
        {
            // Transport connections are long-lived and idle between requests; CCR must reach this cluster itself.
            Passthrough(text, TransportBackend, s.TransportPort, s, local, _ => s.TransportPort, idleTimeout: "1h", s.TransportSources);
        }
        if (s.Application is { } app) Application(text, s, app);
        if (s.Database is { } db) Database(text, s, db);
        return text.ToString();
    }

    private static void Global(StringBuilder text) => Section(text, "global",
        "log /dev/log local0",
        "maxconn 20000",
        "user haproxy",
        "group haproxy");

    private static void Defaults(StringBuilder text) => Section(text, "defaults",
        "log global",
        "mode tcp",
        "option dontlognull",
        "timeout connect 5s",
        "timeout client 5m",
        "timeout server 5m",
        // Longer than the 1s wait_for_status so a slow answer is a 408, not a check timeout.
        "timeout check 3s");

    private static void MonitorFrontend(StringBuilder text, HaproxyFrontendSettings s) => Section(text, "frontend vm_health",
        "mode http",
        Bind(s, s.MonitorPort),
        $"monitor-uri {MonitorUri}");

    private static void Passthrough(
        StringBuilder text,
        string name,
        int bindPort,
        HaproxyFrontendSettings s,
        IReadOnlyList<HaproxyServer> servers,
        Func<HaproxyServer, int> trafficPort,
        string? idleTimeout,
        IReadOnlyList<string>? sources)
    {
        var frontend = new List<string> { "option tcplog", Bind(s, bindPort) };
        if (sources is not null)
        {
            // Refused before a byte is read; with no allowed source at all, everyone is refused.
            frontend.Add(sources.Count == 0
                ? "tcp-request connection reject"
                : $"tcp-request connection reject unless {{ src {string.Join(' ', sources)} }}");
        }
        if (idleTimeout is not null)
        {
            frontend.Add($"timeout client {idleTimeout}");
        }
        frontend.Add($"default_backend {name}");
        Section(text, $"frontend {name}", [.. frontend]);

        var backend = new List<string> { "balance leastconn" };
        if (idleTimeout is not null)
        {
            backend.Add($"timeout server {idleTimeout}");
        }
        backend.AddRange(
        [
            // Spread over all backup servers, not only the first, once the primaries are down.
            "option allbackups",
            "option httpchk",
            $"http-check send meth GET uri {HealthCheckUri} ver HTTP/1.1 hdr Host elasticsearch",
            "http-check expect status 200",
            // The check speaks TLS to the node's HTTP port and verifies the chain against the cluster CA;
            // the host name is not checked because servers are addressed by IP.
            $"default-server inter 1s fall 2 rise 2 check-ssl verify required ca-file {s.CaFilePath}",
        ]);
        // Traffic goes to trafficPort; the check always goes to the node's HTTP port.
        backend.AddRange(servers.Select(server =>
            $"server {server.Name} {server.Address}:{Num(trafficPort(server))} check port {Num(server.Port)}"
            + (server.IsBackup ? " backup" : "")));
        Section(text, $"backend {name}", [.. backend]);
    }

    /// <summary>
    /// The application passthrough: the region's own servers only (each region's pool serves that region), a
    /// plain-HTTP check as the clouds' balancers do it, the same 1 s / 2 / 2 rhythm as the Elasticsearch checks.
    /// </summary>
    private static void Application(StringBuilder text, HaproxyFrontendSettings s, HaproxyApplication app)
    {
        if (app.Servers.Count == 0) throw new ArgumentException("The application frontend needs at least one server.", nameof(app));
        if (app.HealthPath.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || !app.HealthPath.StartsWith('/'))
            throw new ArgumentException($"The application health path must be a path without blanks, got '{app.HealthPath}'.", nameof(app));
        Section(text, $"frontend {ApplicationBackend}",
            "option tcplog",
            Bind(s, app.PublicPort),
            app.Sources.Count == 0 ? "tcp-request connection reject" : $"tcp-request connection reject unless {{ src {string.Join(' ', app.Sources)} }}",
            $"default_backend {ApplicationBackend}");
        Section(text, $"backend {ApplicationBackend}",
        [
            "balance leastconn",
            $"option httpchk GET {app.HealthPath}",
            "http-check expect status 200",
            "default-server inter 1s fall 2 rise 2",
            .. app.Servers.Select(server => $"server {server.Name} {server.Address}:{Num(app.Port)} check"),
        ]);
    }

    /// <summary>
    /// The database passthrough. No health check: there is one server, and MySQL counts every connection closed
    /// before its handshake against the checker's address (max_connect_errors), so a TCP check would in time get
    /// the HAProxy VM — and with it every peer — blocked. Replication connections idle between events; the
    /// replica's heartbeat (half of slave_net_timeout, 30 s by default) keeps them well inside the 5 min timeouts.
    /// </summary>
    private static void Database(StringBuilder text, HaproxyFrontendSettings s, HaproxyDatabase db)
    {
        if (db.ServerName.Length == 0 || db.ServerName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"The database server name must be one word, got '{db.ServerName}'.", nameof(db));
        Section(text, $"frontend {DatabaseBackend}",
            "option tcplog",
            Bind(s, db.Port),
            db.Sources.Count == 0 ? "tcp-request connection reject" : $"tcp-request connection reject unless {{ src {string.Join(' ', db.Sources)} }}",
            $"default_backend {DatabaseBackend}");
        Section(text, $"backend {DatabaseBackend}", $"server {db.ServerName} {db.Address}:{Num(db.Port)}");
    }

    private static string Bind(HaproxyFrontendSettings s, int port) => $"bind {s.BindAddress}:{Num(port)}";

    private static void Section(StringBuilder text, string header, params string[] lines)
    {
        if (text.Length > 0)
        {
            text.Append('\n');
        }
        text.Append(header).Append('\n');
        foreach (var line in lines)
        {
            text.Append("    ").Append(line).Append('\n');
        }
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
