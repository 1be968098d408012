using System.Net;
using System.Net.Sockets;
using EsDr.Recovery.Replication;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Observe.Elasticsearch;

public sealed class ElasticsearchObserverTests : IDisposable
{
    private readonly EsPromotionStandIn es = new();

    public void Dispose() => es.Dispose();

    private static async Task<ClusterObservation> Observe(Uri url, TimeSpan? timeout = null)
    {
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(url), null, timeout);
        return await new ElasticsearchObserver(http, "dub").ObserveAsync();
    }

    [Theory]
    [InlineData("green", ClusterStatus.Green)]
    [InlineData("yellow", ClusterStatus.Yellow)]
    [InlineData("red", ClusterStatus.Red)]
    public async Task Health_status_and_node_names_are_read_from_the_cluster(string status, ClusterStatus expected)
    {
        es.HealthStatus = status;

        var seen = await Observe(es.Url);

        Assert.Equal("dub", seen.Region);
        Assert.True(seen.Reachable);
        Assert.True(seen.HasMaster);
        Assert.Equal(expected, seen.Status);
        Assert.Equal(["es-dub-0", "es-dub-1", "es-dub-2"], seen.NodeNames);
        Assert.Contains("GET /_cat/nodes?format=json&h=name", es.Requests);
    }

    [Fact]
    public async Task Health_answering_503_means_reachable_without_a_master()
    {
        es.NoMaster = true;

        var seen = await Observe(es.Url);

        Assert.True(seen.Reachable);
        Assert.False(seen.HasMaster);
        Assert.Null(seen.Status);
    }

    [Fact]
    public async Task Cluster_without_a_master_lists_no_nodes_so_it_is_no_evidence_against_any()
    {
        es.NoMaster = true;

        var seen = await Observe(es.Url);

        // Its empty node list was never read from the cluster: analysis must not count it as three nodes gone.
        Assert.False(seen.Saw(ClusterFacets.Nodes));
        Assert.True(seen.Saw(ClusterFacets.Reachability | ClusterFacets.Master));
    }

    [Fact]
    public async Task Health_timing_out_means_reachable_without_a_master()
    {
        es.HealthDelay = TimeSpan.FromSeconds(3);

        var seen = await Observe(es.Url, TimeSpan.FromMilliseconds(300));

        Assert.True(seen.Reachable);
        Assert.False(seen.HasMaster);
    }

    [Fact]
    public async Task A_refused_connection_means_unreachable()
    {
        var port = Loopback.FreePort(); // nothing listens there

        var seen = await Observe(new Uri($"http://127.0.0.1:{port}/"));

        Assert.False(seen.Reachable);
        Assert.False(seen.HasMaster);
        Assert.Empty(seen.NodeNames);
    }

    [Fact]
    public async Task Follower_lag_is_the_checkpoint_difference_summed_over_shards_as_in_the_example()
    {
        // The stand-in's default checkpoints are the example's (leader 1024, follower 768): lag 256,
        // the example's own total_global_checkpoint_lag.
        var example = EsExamples.Load("ccr.stats.response.json")["follow_stats"]!["indices"]![0]!;
        es.Indices["orders"] = new StandInIndex { Follow = "active" };

        var seen = await Observe(es.Url);

        var follower = Assert.Single(seen.Followers);
        Assert.Equal(new FollowerObservation("orders", true, 256, null, "orders"), follower);
        Assert.Equal(example["total_global_checkpoint_lag"]!.GetValue<long>(), follower.LagOperations);
    }

    [Fact]
    public async Task Paused_followers_fatal_errors_and_regular_indices_are_told_apart()
    {
        es.Indices["customers"] = new StandInIndex { Follow = "paused" };
        es.Indices["orders"] = new StandInIndex { Follow = "active", LeaderGlobalCheckpoint = 50, FollowerGlobalCheckpoint = 50, FatalError = "leader index [orders] was deleted" };
        es.Indices["scratch"] = new StandInIndex();

        var seen = await Observe(es.Url);

        Assert.Equal(
            [new FollowerObservation("customers", false, 0, null, "customers"), new FollowerObservation("orders", true, 0, "leader index [orders] was deleted", "orders")],
            seen.Followers);
    }

    [Fact]
    public async Task Without_followers_the_stats_are_not_asked_for()
    {
        es.Indices["scratch"] = new StandInIndex();

        var seen = await Observe(es.Url);

        Assert.Empty(seen.Followers);
        Assert.Equal(["GET /_cluster/health", "GET /_cat/nodes?format=json&h=name", "GET /_all/_ccr/info"], es.Requests);
    }

    [Fact]
    public async Task Health_answered_with_an_error_status_is_never_read_as_green_even_with_a_green_body()
    {
        // The typed client fills a failed health response with defaults (status green, 0 nodes): the status must win.
        var greenBody = EsExamples.Load("cluster.health.response.json");
        greenBody["status"] = "green";
        es.Override = (method, path) => path == "/_cluster/health" ? (500, greenBody) : null;
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(es.Url), null);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => new ElasticsearchObserver(http, "dub").ObserveAsync());

        Assert.Equal(500, e.StatusCode);
        Assert.False(e.Unreachable);
        Assert.Contains("answered 500", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_the_product_header_is_refused_by_the_clients_product_check()
    {
        es.SendsProductHeader = false;
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(es.Url), null);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => new ElasticsearchObserver(http, "dub").ObserveAsync());

        Assert.Contains("without 'X-Elastic-Product: Elasticsearch'", e.Message, StringComparison.Ordinal);
        Assert.IsType<Elastic.Clients.Elasticsearch.UnsupportedProductException>(e.InnerException);
    }

    [Fact]
    public async Task A_cancelled_caller_gets_cancellation_never_an_unreachable_or_failed_cluster()
    {
        es.HealthDelay = TimeSpan.FromSeconds(3);
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(es.Url), null, TimeSpan.FromSeconds(10));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ElasticsearchObserver(http, "dub").ObserveAsync(cancel.Token));
    }
}
