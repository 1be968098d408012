using System.Text;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>Observe → plan → apply against two stand-ins that check every request against the specification.</summary>
[Collection("live processes")]
public sealed class ReplicationEndToEndTests : IDisposable
{
    internal const string Password = "s3cret-Pa55";
    internal static readonly ElasticsearchCredentials Credentials = new("elastic", Password);

    private readonly StandInNetwork network = new();
    private readonly CcrStandIn fra;
    private readonly CcrStandIn ams;
    private readonly List<IDisposable> owned = [];
    private readonly StringWriter log = new();

    public ReplicationEndToEndTests()
    {
        fra = new CcrStandIn(network, "fra", ["10.1.0.11:9300", "10.1.0.12:9300", "10.1.0.13:9300"], password: Password);
        ams = new CcrStandIn(network, "ams", ["ams-es.example.net:9300"], password: Password);
        foreach (var index in new[] { "logs-1", "logs-2", "orders", "other" }) fra.CreateIndex(index);
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        fra.Dispose();
        ams.Dispose();
        log.Dispose();
    }

    private ElasticsearchConnection Http(CcrStandIn cluster)
    {
        var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(cluster.Url), Credentials);
        owned.Add(http);
        return http;
    }

    private ReplicationSetup Setup(CcrStandIn leader, CcrStandIn follower) => new(Http(leader), Http(follower), TimeProvider.System, log);

    private static readonly string[] Observation =
    [
        "GET /_license",
        "GET /_remote/info",
        "GET /_cat/indices?format=json&h=index,status&expand_wildcards=open,closed",
        "GET /_ccr/auto_follow",
        "GET /_all/_ccr/info",
    ];

    [Fact]
    public async Task Apply_FreshFollower_SendsExactlyTheSetUpThenConvergesAndAFollowerKeepsTheLeaderNames()
    {
        var outcome = await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);

        Assert.True(outcome.Converged, log.ToString());
        Assert.Equal(6, outcome.Applied.Count);
        Assert.All(outcome.Applied, a => Assert.Equal(200, a.StatusCode));
        Assert.Equal(
            [
                .. Observation,
                """PUT /_cluster/settings {"persistent":{"cluster.remote.fra.mode":"sniff","cluster.remote.fra.seeds":["10.1.0.11:9300","10.1.0.12:9300","10.1.0.13:9300"]}}""",
                """PUT /_ccr/auto_follow/es-dr-fra {"follow_index_pattern":"{{leader_index}}","leader_index_patterns":["logs-*","orders"],"remote_cluster":"fra"}""",
                """PUT /logs-1/_ccr/follow?wait_for_active_shards=1 {"leader_index":"logs-1","remote_cluster":"fra"}""",
                """PUT /logs-2/_ccr/follow?wait_for_active_shards=1 {"leader_index":"logs-2","remote_cluster":"fra"}""",
                """PUT /orders/_ccr/follow?wait_for_active_shards=1 {"leader_index":"orders","remote_cluster":"fra"}""",
                .. Observation,
            ],
            ams.Requests.Select(r => r.ToString()));
        Assert.Equal(
            [
                .. Observation,
                """PUT /_cluster/settings {"persistent":{"cluster.remote.ams.mode":"proxy","cluster.remote.ams.proxy_address":"ams-es.example.net:9300","cluster.remote.ams.server_name":"ams-es.example.net"}}""",
                .. Observation,
            ],
            fra.Requests.Select(r => r.ToString()));
        Assert.Equal(
            [("logs-1", "fra", "logs-1", true), ("logs-2", "fra", "logs-2", true), ("orders", "fra", "orders", true)],
            ams.Followers);
    }

    [Fact]
    public async Task Apply_Twice_TheSecondRunSendsOnlyGets()
    {
        var setup = Setup(fra, ams);
        await setup.RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);
        fra.ClearRequests();
        ams.ClearRequests();

        var second = await setup.RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);

        Assert.Empty(second.Applied);
        Assert.True(second.Converged);
        Assert.Equal(Observation, ams.Requests.Select(r => r.ToString()));
        Assert.Equal(Observation, fra.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public async Task Apply_ThenANewLeaderIndex_IsFollowedByTheAutoFollowPattern()
    {
        await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);

        fra.CreateIndex("logs-3");

        Assert.Contains(("logs-3", "fra", "logs-3", true), ams.Followers);
    }

    [Fact]
    public async Task Reverse_AfterFailoverToAmsAndARebuiltFra_FraFollowsAmsAndAmsDropsItsOldPattern()
    {
        await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);
        // Recovery promotes ams's followers (pause, close, unfollow, open) and the fra region is rebuilt
        // as a brand-new, empty cluster on the same transport addresses.
        foreach (var (index, _, _, _) in ams.Followers) ams.CreateIndex(index);
        fra.Dispose();
        using var rebuilt = new CcrStandIn(network, "fra", ["10.1.0.11:9300", "10.1.0.12:9300", "10.1.0.13:9300"], password: Password);
        ams.ClearRequests();

        var outcome = await Setup(ams, rebuilt).RunAsync(ReplicationPlannerTests.Spec.Reversed(), new ReplicationRunOptions(), CancellationToken.None);

        Assert.True(outcome.Converged, log.ToString());
        Assert.Equal(
            ["PUT /_cluster/settings", "PUT /_ccr/auto_follow/es-dr-ams", "PUT /logs-1/_ccr/follow?wait_for_active_shards=1",
             "PUT /logs-2/_ccr/follow?wait_for_active_shards=1", "PUT /orders/_ccr/follow?wait_for_active_shards=1"],
            rebuilt.Requests.Where(r => r.Method != "GET").Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.Equal(["DELETE /_ccr/auto_follow/es-dr-fra"], ams.Requests.Where(r => r.Method != "GET").Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.Empty(ams.PatternNames);
        Assert.Equal(["logs-1", "logs-2", "orders"], rebuilt.Followers.Select(f => f.Index));
        Assert.All(rebuilt.Followers, f => Assert.Equal("ams", f.Remote));
    }

    [Fact]
    public async Task Reverse_OntoTheOldLeaderStillHoldingItsIndices_IsBlockedAndDeletesNoData()
    {
        await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);
        foreach (var (index, _, _, _) in ams.Followers) ams.CreateIndex(index);

        var outcome = await Setup(ams, fra).RunAsync(ReplicationPlannerTests.Spec.Reversed(), new ReplicationRunOptions(), CancellationToken.None);

        Assert.False(outcome.Converged);
        Assert.Equal(3, outcome.Final.Blockers.Count);
        Assert.All(outcome.Final.Blockers, b => Assert.Contains("exists as a regular index", b, StringComparison.Ordinal));
        Assert.DoesNotContain(fra.Requests, r => r.Method == "DELETE" || r.PathAndQuery.Contains("_ccr/follow", StringComparison.Ordinal));
        Assert.Contains("blocked: follower: 'logs-1' exists as a regular index", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_PrintsEveryRequestWithItsUrlAndBody_AndSendsOnlyGets()
    {
        var outcome = await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(DryRun: true), CancellationToken.None);

        var printed = log.ToString();
        Assert.Empty(outcome.Applied);
        Assert.All(fra.Requests.Concat(ams.Requests), r => Assert.Equal("GET", r.Method));
        Assert.Contains("# dry run: 6 requests would be sent; nothing was sent", printed, StringComparison.Ordinal);
        foreach (var step in outcome.Final.Steps)
        {
            var url = new Uri((step.Target == ClusterRole.Leader ? fra : ams).Url, step.Path);
            Assert.Contains($"{step.Method} {url}\n" + (step.Body is null ? "" : step.Body + "\n"), printed, StringComparison.Ordinal);
        }
        Assert.Contains($"PUT {ams.Url}logs-1/_ccr/follow?wait_for_active_shards=1\n{{\"leader_index\":\"logs-1\",\"remote_cluster\":\"fra\"}}\n", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_StepRefused_StopsThereAndNamesTheStepAndTheReason()
    {
        ams.Override = (method, path) => path.StartsWith("/logs-2/", StringComparison.Ordinal)
            ? (400, """{"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"leader index [logs-2] does not have soft deletes enabled"},"status":400}""")
            : null;

        var e = await Assert.ThrowsAsync<ReplicationStepFailedException>(() =>
            Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None));

        Assert.Equal(
            "replication step 5 of 6 failed — follower: follow existing index 'logs-2' of 'fra' (PUT /logs-2/_ccr/follow?wait_for_active_shards=1): " +
            "400 illegal_argument_exception: leader index [logs-2] does not have soft deletes enabled; steps 1–4 were applied. " +
            "Every step is idempotent: fix the cause and apply again.",
            e.Message);
        Assert.Equal(4, e.Applied.Count);
        Assert.DoesNotContain(ams.Requests, r => r.PathAndQuery.StartsWith("/orders/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_BasicLicenceWithTrialWanted_StartsTrialsThenSetsUpReplication()
    {
        var net = new StandInNetwork();
        using var leader = new CcrStandIn(net, "fra", ["10.1.0.11:9300"], password: Password, license: "basic");
        using var follower = new CcrStandIn(net, "ams", ["ams-es.example.net:9300"], password: Password, license: "basic");
        leader.CreateIndex("orders");

        var outcome = await Setup(leader, follower).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);

        Assert.True(outcome.Converged, log.ToString());
        Assert.Equal(("trial", "trial"), (leader.LicenseType, follower.LicenseType));
        Assert.Equal("POST /_license/start_trial?acknowledge=true", follower.Requests.First(r => r.Method != "GET").ToString());
        Assert.Equal(["orders"], follower.Followers.Select(f => f.Index));
        // On basic the observer does not call CCR's APIs, which would answer 403.
        Assert.Equal(["GET /_license", "GET /_remote/info", "GET /_cat/indices?format=json&h=index,status&expand_wildcards=open,closed"],
            follower.Requests.TakeWhile(r => r.Method == "GET").Select(r => r.ToString()));
    }

    [Fact]
    public async Task EveryRequest_CarriesTheBasicAuthHeader()
    {
        await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"elastic:{Password}"));
        Assert.NotEmpty(ams.Requests);
        Assert.All(fra.Requests.Concat(ams.Requests), r => Assert.Equal(expected, r.Authorization));
    }

    [Fact]
    public async Task Readiness_ClusterStillForming_IsWaitedForBeforeObserving()
    {
        ams.HealthUnavailableCount = 2;
        var options = new ReplicationRunOptions(ReadyTimeout: TimeSpan.FromMinutes(10)) { ReadyPollInterval = TimeSpan.FromMilliseconds(10) };

        var outcome = await Setup(fra, ams).RunAsync(ReplicationPlannerTests.Spec, options, CancellationToken.None);

        Assert.True(outcome.Converged);
        Assert.Equal(3, ams.Requests.Count(r => r.PathAndQuery.StartsWith("/_cluster/health", StringComparison.Ordinal)));
        Assert.Equal("GET /_cluster/health?wait_for_status=yellow&timeout=10s", ams.Requests[0].ToString());
    }
}
