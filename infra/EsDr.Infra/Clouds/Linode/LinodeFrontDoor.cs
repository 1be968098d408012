using System.Globalization;
using System.Text;
using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Clouds.Linode;

/// <summary>
/// The node-local "front door" every Linode Elasticsearch node runs for its NodeBalancer (HAProxy 2.6 from
/// Debian 12). A NodeBalancer health check speaks only plain HTTP, and Elasticsearch's HTTP layer speaks
/// only TLS, so the balancer cannot ask Elasticsearch directly. The front door listens on the node's VPC
/// address, port <see cref="Port"/>, and looks at the first bytes of each connection:
/// <list type="bullet">
/// <item>a TLS ClientHello (client traffic the balancer passes through) goes byte for byte to Elasticsearch:
/// TLS still ends at Elasticsearch, with the client's own credentials;</item>
/// <item>plain HTTP (the balancer's check) may only be <c>GET /_cluster/health</c>; it is rewritten to
/// <see cref="LinodeAdapter.HealthCheckTarget"/> and sent to Elasticsearch over TLS, verified against the
/// cluster CA, as the anonymous health-only user. Elasticsearch's status goes back unchanged (200, or 408
/// for red, 503 without a master, 503 from HAProxy when Elasticsearch is down); anything else gets 403.</item>
/// </list>
/// A second listener, port <see cref="TransportPort"/>, does the same for the NodeBalancer's transport config
/// (cross-cluster replication in proxy mode): TLS goes byte for byte to Elasticsearch's transport port, plain
/// HTTP gets the same cluster-health answer, so that config's check is as meaningful as the HTTP one.
/// The firewall admits both ports only from the NodeBalancer's backend range.
/// </summary>
public static class LinodeFrontDoor
{
    public const int Port = 9201;

    /// <summary>The listener in front of Elasticsearch's transport port (the NodeBalancer's 9300 config).</summary>
    public const int TransportPort = 9301;

    /// <summary>
    /// Idle timeout of a passed-through transport connection: remote-cluster connections are long-lived and may
    /// sit idle between requests (HAProxy on a VM uses the same for its 9300 listener).
    /// </summary>
    public const string TransportIdleTimeout = "1h";

    /// <summary>Where user-data writes the rendered config; <see cref="RunCommands"/> installs it.</summary>
    public const string StagedConfigPath = "/etc/es-front-door/haproxy.cfg";

    private const string HaproxyConfig = "/etc/haproxy/haproxy.cfg";

    /// <summary>
    /// haproxy.cfg for one node. <paramref name="caFile"/> is the PEM of the cluster CA on the node;
    /// <paramref name="httpPort"/> and <paramref name="transportPort"/> are Elasticsearch's,
    /// <paramref name="port"/> and <paramref name="transportDoorPort"/> the front door's own.
    /// </summary>
    public static string Render(
        EsNode node, string caFile, int httpPort = 9200, int port = Port, int transportPort = 9300, int transportDoorPort = TransportPort)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrWhiteSpace(caFile);
        var ip = node.PrivateIp ?? throw new ArgumentException($"node {node.Name} has no fixed private address", nameof(node));
        var es = $"{ip}:{Num(httpPort)}";
        var text = new StringBuilder();
        Section(text, "global",
            "log /dev/log local0",
            "user haproxy",
            "group haproxy");
        Section(text, "defaults",
            "log global",
            "option dontlognull",
            "timeout connect 3s",
            "timeout client 5m",
            "timeout server 5m");
        Section(text, "frontend es_front_door",
            "mode tcp",
            $"bind {ip}:{Num(port)}",
            "tcp-request inspect-delay 3s",
            "tcp-request content accept if { req.ssl_hello_type 1 }",
            "tcp-request content accept if HTTP",
            "tcp-request content reject",
            "use_backend es_tls_passthrough if { req.ssl_hello_type 1 }",
            "default_backend es_cluster_health");
        Section(text, "backend es_tls_passthrough",
            "mode tcp",
            $"server es {es}");
        // The transport listener: the same split, TLS to the transport port, plain HTTP to the same health answer.
        Section(text, "frontend es_transport_front_door",
            "mode tcp",
            $"bind {ip}:{Num(transportDoorPort)}",
            $"timeout client {TransportIdleTimeout}",
            "tcp-request inspect-delay 3s",
            "tcp-request content accept if { req.ssl_hello_type 1 }",
            "tcp-request content accept if HTTP",
            "tcp-request content reject",
            "use_backend es_transport_passthrough if { req.ssl_hello_type 1 }",
            "default_backend es_cluster_health");
        Section(text, "backend es_transport_passthrough",
            "mode tcp",
            $"timeout server {TransportIdleTimeout}",
            $"server es {ip}:{Num(transportPort)}");
        Section(text, "backend es_cluster_health",
            "mode http",
            // The balancer has to percent-encode the underscores (see LinodeAdapter.HealthCheckPath).
            "http-request deny deny_status 403 unless METH_GET { path,url_dec -m str /_cluster/health }",
            $"http-request set-uri {LinodeAdapter.HealthCheckTarget}",
            $"server es {es} ssl verify required ca-file {caFile} verifyhost {node.Name} sni str({node.Name})");
        return text.ToString();
    }

    /// <summary>The user-data file carrying the rendered config (written after packages are installed).</summary>
    public static ExtraFile ConfigFile(EsNode node, string caFile, int httpPort = 9200, int transportPort = 9300) =>
        new(StagedConfigPath, Render(node, caFile, httpPort, Port, transportPort));

    /// <summary>
    /// Shell lines for user-data, after Elasticsearch has started: install HAProxy, put the config in place
    /// (after the package, so dpkg never asks about a changed conffile), check it, and start it.
    /// </summary>
    public static IReadOnlyList<string> RunCommands { get; } =
    [
        "DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy",
        $"install -m 0644 {StagedConfigPath} {HaproxyConfig}",
        $"haproxy -c -f {HaproxyConfig}",
        "systemctl enable haproxy",
        "systemctl restart haproxy",
    ];

    private static void Section(StringBuilder text, string header, params string[] lines)
    {
        if (text.Length > 0) text.Append('\n');
        text.Append(header).Append('\n');
        foreach (var line in lines) text.Append("    ").Append(line).Append('\n');
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
