namespace EsDr.Infra.Renderers;

/// <summary>Renders roles.yml, the file-based roles every node loads.</summary>
public static class ElasticsearchRoles
{
    /// <summary>The only action the balancers' health check performs.</summary>
    internal const string ClusterHealthAction = "cluster:monitor/health";

    // Load balancer health checks cannot send credentials, so elasticsearch.yml maps anonymous
    // requests to this role. It may read cluster health and nothing else: no other cluster action
    // and no index at all. Port 9200 is reachable only from the private network and the balancer.
    private const string Header = """
        # lb_health: the anonymous user's role. Load balancer health checks cannot send credentials,
        # so unauthenticated requests may call GET /_cluster/health and nothing else (no index access).
        # Port 9200 is reachable only from the private network and the regional load balancer.

        """;

    public static string Render()
    {
        var role = Yaml.Map(
        [
            Yaml.Entry("cluster", Yaml.List([ClusterHealthAction])),
            Yaml.Entry("indices", Yaml.List(Array.Empty<string>())),
        ]);
        return Header + Yaml.Serialize(Yaml.Map([Yaml.Entry(ElasticsearchYml.HealthCheckPrincipal, role)]));
    }
}
