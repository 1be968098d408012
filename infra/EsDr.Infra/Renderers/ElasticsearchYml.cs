using YamlDotNet.RepresentationModel;
using Setting = System.Collections.Generic.KeyValuePair<string, YamlDotNet.RepresentationModel.YamlNode>;

namespace EsDr.Infra.Renderers;

/// <summary>
/// What one Elasticsearch node needs in its elasticsearch.yml. Addresses may be Pulumi references
/// (e.g. <c>${fra-es-1.privateIp}</c>); they are placed verbatim.
/// </summary>
/// <param name="NetworkHost">A private IP or a special value such as <c>_eth1_</c>.</param>
/// <param name="InitialMasterNodes">
/// Node names that bootstrap a brand-new cluster. Empty for every node joining a running cluster:
/// the key is then not written at all, so a running cluster is never re-bootstrapped.
/// </param>
public sealed record ElasticsearchNodeSettings(
    string ClusterName,
    string NodeName,
    IReadOnlyList<string> Roles,
    string NetworkHost,
    IReadOnlyList<string> SeedHosts,
    IReadOnlyList<string> InitialMasterNodes)
{
    /// <summary>When set, shard allocation is spread across zones.</summary>
    public string? Zone { get; init; }
    public int HttpPort { get; init; } = 9200;
    public int TransportPort { get; init; } = 9300;
    public string DataPath { get; init; } = "/var/lib/elasticsearch";
    public string LogPath { get; init; } = "/var/log/elasticsearch";

    /// <summary>
    /// Transport TLS verification: <c>full</c> (chain and the peer's address in its SANs) or <c>certificate</c>
    /// (chain only) where a node's address is not known when its certificate is issued.
    /// </summary>
    public string TransportVerification { get; init; } = "full";
}

/// <summary>
/// Renders elasticsearch.yml from small pieces merged in a fixed order (node, paths, network,
/// discovery, zone awareness, security), so the output is deterministic and each concern is one function.
/// </summary>
public static class ElasticsearchYml
{
    /// <summary>Certificate files, relative to the config directory (/etc/elasticsearch).</summary>
    public const string CaCertificateFile = "certs/ca.crt";
    public const string NodeCertificateFile = "certs/node.crt";
    public const string NodeKeyFile = "certs/node.key";

    /// <summary>The anonymous user and role the load balancers' unauthenticated checks run as.</summary>
    public const string HealthCheckPrincipal = "lb_health";

    internal const string ClusterName = "cluster.name";
    internal const string NodeName = "node.name";
    internal const string NodeRoles = "node.roles";
    internal const string NodeAttrZone = "node.attr.zone";
    internal const string PathData = "path.data";
    internal const string PathLogs = "path.logs";
    internal const string NetworkHost = "network.host";
    internal const string HttpPort = "http.port";
    internal const string TransportPort = "transport.port";
    internal const string DiscoverySeedHosts = "discovery.seed_hosts";
    internal const string InitialMasterNodes = "cluster.initial_master_nodes";
    internal const string AwarenessAttributes = "cluster.routing.allocation.awareness.attributes";
    internal const string SecurityEnabled = "xpack.security.enabled";
    internal const string TransportSsl = "xpack.security.transport.ssl";
    internal const string HttpSsl = "xpack.security.http.ssl";
    internal const string Anonymous = "xpack.security.authc.anonymous";

    private const string ZoneAttribute = "zone";

    public static string Render(ElasticsearchNodeSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var pieces = new[] { Node(s), Paths(s), Network(s), Discovery(s), ZoneAwareness(s), Security(s) };
        return Yaml.Serialize(Yaml.Map(pieces.SelectMany(p => p)));
    }

    private static IEnumerable<Setting> Node(ElasticsearchNodeSettings s)
    {
        yield return Yaml.Entry(ClusterName, Yaml.Str(s.ClusterName));
        yield return Yaml.Entry(NodeName, Yaml.Str(s.NodeName));
        yield return Yaml.Entry(NodeRoles, Yaml.List(s.Roles));
    }

    private static IEnumerable<Setting> Paths(ElasticsearchNodeSettings s)
    {
        yield return Yaml.Entry(PathData, Yaml.Str(s.DataPath));
        yield return Yaml.Entry(PathLogs, Yaml.Str(s.LogPath));
    }

    private static IEnumerable<Setting> Network(ElasticsearchNodeSettings s)
    {
        yield return Yaml.Entry(NetworkHost, Yaml.Str(s.NetworkHost));
        yield return Yaml.Entry(HttpPort, Yaml.Int(s.HttpPort));
        yield return Yaml.Entry(TransportPort, Yaml.Int(s.TransportPort));
    }

    private static IEnumerable<Setting> Discovery(ElasticsearchNodeSettings s)
    {
        yield return Yaml.Entry(DiscoverySeedHosts, Yaml.List(s.SeedHosts));
        if (s.InitialMasterNodes.Count > 0)
        {
            yield return Yaml.Entry(InitialMasterNodes, Yaml.List(s.InitialMasterNodes));
        }
    }

    private static IEnumerable<Setting> ZoneAwareness(ElasticsearchNodeSettings s)
    {
        if (s.Zone is null)
        {
            yield break;
        }
        yield return Yaml.Entry(NodeAttrZone, Yaml.Str(s.Zone));
        yield return Yaml.Entry(AwarenessAttributes, Yaml.Str(ZoneAttribute));
    }

    private static IEnumerable<Setting> Security(ElasticsearchNodeSettings s)
    {
        yield return Yaml.Entry(SecurityEnabled, Yaml.Bool(true));

        yield return Yaml.Entry($"{TransportSsl}.enabled", Yaml.Bool(true));
        // Full verification: a node must present a certificate from our CA naming its address.
        yield return Yaml.Entry($"{TransportSsl}.verification_mode", Yaml.Str(s.TransportVerification));
        foreach (var entry in PemFiles(TransportSsl))
        {
            yield return entry;
        }

        yield return Yaml.Entry($"{HttpSsl}.enabled", Yaml.Bool(true));
        foreach (var entry in PemFiles(HttpSsl))
        {
            yield return entry;
        }

        // Balancer health checks cannot send credentials, so unauthenticated requests run as a user
        // that may only read cluster health (see ElasticsearchRoles). authz_exception false answers
        // anything else with 401 and a challenge rather than 403, so real clients still log in.
        yield return Yaml.Entry($"{Anonymous}.username", Yaml.Str(HealthCheckPrincipal));
        yield return Yaml.Entry($"{Anonymous}.roles", Yaml.Str(HealthCheckPrincipal));
        yield return Yaml.Entry($"{Anonymous}.authz_exception", Yaml.Bool(false));
    }

    private static IEnumerable<Setting> PemFiles(string prefix)
    {
        yield return Yaml.Entry($"{prefix}.key", Yaml.Str(NodeKeyFile));
        yield return Yaml.Entry($"{prefix}.certificate", Yaml.Str(NodeCertificateFile));
        yield return Yaml.Entry($"{prefix}.certificate_authorities", Yaml.List([CaCertificateFile]));
    }
}
