using EsDr.Recovery.Replication;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Tests.Observe.Elasticsearch;

namespace EsDr.Recovery.Tests.Observe;

/// <summary>The region probe the daemon and the operator commands share, against the Elasticsearch stand-in.</summary>
[Collection("live processes")]
public sealed class RegionProbeTests : IDisposable
{
    private readonly EsPromotionStandIn es = new();
    private readonly ElasticsearchConnection http;

    public RegionProbeTests() => http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(es.Url), null, TimeSpan.FromSeconds(5));

    public void Dispose()
    {
        http.Dispose();
        es.Dispose();
    }

    [Fact]
    public async Task AnsweringCluster_IsObservedWithAHealthyEndpoint_AndNoDatabaseWhereTheStackHasNone()
    {
        es.Indices["logs-1"] = new StandInIndex { Follow = "active" };

        var seen = await new RegionProbe("dub", new ElasticsearchObserver(http, "dub"), null, null).ProbeAsync(CancellationToken.None);

        Assert.Equal(ClusterStatus.Green, seen.Cluster!.Status);
        Assert.Equal(["logs-1"], seen.Cluster.Followers.Select(f => f.Index));
        Assert.Equal(new EndpointObservation("dub", true), seen.Endpoint);
        Assert.Null(seen.Database);
    }

    [Fact]
    public async Task ClusterWithoutMaster_MakesTheEndpointUnhealthy()
    {
        es.NoMaster = true;

        var seen = await new RegionProbe("dub", new ElasticsearchObserver(http, "dub"), null, null).ProbeAsync(CancellationToken.None);

        Assert.False(seen.Cluster!.HasMaster);
        Assert.False(seen.Endpoint!.Healthy);
    }

    [Fact]
    public async Task UnusableAnswer_IsReportedUnreachable_WithItsReason()
    {
        using var wrongPath = ElasticsearchConnection.Create(new ElasticsearchEndpoint(new Uri(es.Url, "/nothing-here/")), null, TimeSpan.FromSeconds(5));
        var problems = new List<string>();

        var seen = await new RegionProbe("dub", new ElasticsearchObserver(wrongPath, "dub"), null, null, (_, p) => problems.Add(p))
            .ProbeAsync(CancellationToken.None);

        Assert.False(seen.Cluster!.Reachable);
        Assert.Contains("answered 400", Assert.Single(problems), StringComparison.Ordinal);
        var snapshot = RegionProbe.Snapshot(DateTimeOffset.UnixEpoch, [seen]);
        Assert.Equal(("probe", 1, 1, 0), (snapshot.Vantage, snapshot.Clusters.Count, snapshot.Endpoints.Count, snapshot.Databases.Count));
    }

    [Fact]
    public async Task ServerThatIsNotElasticsearch_IsAProblemNeverAHealthyCluster()
    {
        es.SendsProductHeader = false;
        var problems = new List<string>();

        var seen = await new RegionProbe("dub", new ElasticsearchObserver(http, "dub"), null, null, (_, p) => problems.Add(p))
            .ProbeAsync(CancellationToken.None);

        Assert.Equal((false, (ClusterStatus?)null), (seen.Cluster!.Reachable, seen.Cluster.Status));
        Assert.False(seen.Endpoint!.Healthy);
        Assert.Contains("X-Elastic-Product", Assert.Single(problems), StringComparison.Ordinal);
    }
}
