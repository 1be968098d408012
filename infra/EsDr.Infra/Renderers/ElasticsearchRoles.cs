namespace EsDr.Infra.Renderers;

/// <summary>Renders roles.yml, the file-based roles every node loads.</summary>
public static class ElasticsearchRoles
{
    /// <summary>The only action the balancers' health check performs.</summary>
    internal const string ClusterHealthAction = "cluster:monitor/health";

    /// <summary>The monitoring host's exporters' user and role: read-only cluster monitoring, no index data.</summary>
    public const string MonitorPrincipal = "esdr_monitor";

    /// <summary>Cluster health, stats and CCR stats; nothing that changes state or reads documents.</summary>
    internal const string MonitorPrivilege = "monitor";

    // Load balancer health checks cannot send credentials, so elasticsearch.yml maps anonymous
    // requests to this role. It may read cluster health and nothing else: no other cluster action
    // and no index at all. Port 9200 is reachable only from the private network and the balancer.
    private const string Header = """
        # lb_health: the anonymous user's role. Load balancer health checks cannot send credentials,
        # so unauthenticated requests may call GET /_cluster/health and nothing else (no index access).
        # Port 9200 is reachable only from the private network and the regional load balancer.
        # esdr_monitor: the monitoring host's exporters (file-realm user of the same name, created only
        # when the stack has a monitoring host): the cluster `monitor` privilege, no index access.

        """;

    public static string Render()
    {
        var role = Yaml.Map(
        [
            Yaml.Entry("cluster", Yaml.List([ClusterHealthAction])),
            Yaml.Entry("indices", Yaml.List(Array.Empty<string>())),
        ]);
        var monitor = Yaml.Map(
        [
            Yaml.Entry("cluster", Yaml.List([MonitorPrivilege])),
            Yaml.Entry("indices", Yaml.List(Array.Empty<string>())),
        ]);
        return Header + Yaml.Serialize(Yaml.Map([Yaml.Entry(ElasticsearchYml.HealthCheckPrincipal, role), Yaml.Entry(MonitorPrincipal, monitor)]));
    }
}
