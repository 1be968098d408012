using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>
/// Opt-in: observe → plan → dry run against a real Elasticsearch 9.x cluster at <c>ES_TEST_URL</c>
/// (credentials from <c>ES_TEST_USER</c>/<c>ES_TEST_PASSWORD</c>; for https the CA file in <c>ES_TEST_CA</c> is
/// required, as it is the only trust anchor). The same code path as production: the official client, its product
/// check, typed calls. Only GETs are sent; the cluster plays both leader and follower, under aliases no real remote uses.
/// </summary>
public class RealClusterReplicationTests
{
    [RealElasticsearchFact]
    public async Task ObserveAndPlan_RealCluster_ParsesItsStateAndPrintsTheDryRunWithoutSecrets()
    {
        using var http = Connect();
        using var log = new StringWriter();
        var spec = new ReplicationSpec(
            ClusterDescription.Sniff("es-dr-test-leader", "127.0.0.1:9300"),
            ClusterDescription.Proxy("es-dr-test-follower", "127.0.0.1:9300"),
            ["es-dr-test-*"]);

        var outcome = await new ReplicationSetup(http, http, TimeProvider.System, log)
            .RunAsync(spec, new ReplicationRunOptions(DryRun: true), CancellationToken.None);

        var printed = log.ToString();
        Assert.Contains("# dry run:", printed, StringComparison.Ordinal);
        // Neither alias exists on a cluster that never ran es-dr, so both remotes are planned.
        Assert.Contains(outcome.Final.Steps, s => s.Kind == StepKind.ConfigureRemote);
        var password = Environment.GetEnvironmentVariable("ES_TEST_PASSWORD");
        if (!string.IsNullOrEmpty(password)) Assert.DoesNotContain(password, printed, StringComparison.Ordinal);
    }

    [RealElasticsearchFact]
    public async Task Observe_RealCluster_ReadsHealthNodesAndFollowersThroughTheTypedClient()
    {
        using var es = Connect();

        var seen = await new ElasticsearchObserver(es, "real").ObserveAsync();

        Assert.True(seen.Reachable);
        Assert.True(seen.HasMaster);
        Assert.NotNull(seen.Status);
        Assert.NotEmpty(seen.NodeNames);
    }

    private static ElasticsearchConnection Connect()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("ES_TEST_URL")!);
        var ca = Environment.GetEnvironmentVariable("ES_TEST_CA");
        var credentials = ElasticsearchCredentials.FromEnvironment("ES_TEST_USER", "ES_TEST_PASSWORD");
        return ElasticsearchConnection.Create(new ElasticsearchEndpoint(url, string.IsNullOrEmpty(ca) ? null : ca), credentials, TimeSpan.FromSeconds(30));
    }
}

/// <summary>A fact that runs only when <c>ES_TEST_URL</c> names a real cluster.</summary>
internal sealed class RealElasticsearchFactAttribute : FactAttribute
{
    public RealElasticsearchFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ES_TEST_URL")))
            Skip = "opt-in: set ES_TEST_URL (and ES_TEST_USER/ES_TEST_PASSWORD; ES_TEST_CA for https) to run against a real Elasticsearch cluster";
    }
}
