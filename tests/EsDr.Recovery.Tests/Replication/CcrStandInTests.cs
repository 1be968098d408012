using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>
/// The stand-in is only as good as its fidelity to the specification: it must accept the specification's
/// own example requests and refuse what Elasticsearch refuses, or the end-to-end tests prove nothing.
/// </summary>
[Collection("live processes")]
public sealed class CcrStandInTests : IDisposable
{
    private readonly StandInNetwork network = new();
    private readonly CcrStandIn leader;
    private readonly CcrStandIn follower;
    private readonly HttpClient client = new();

    public CcrStandInTests()
    {
        leader = new CcrStandIn(network, "leader", ["10.1.0.11:9300"]);
        follower = new CcrStandIn(network, "follower", ["10.2.0.11:9300"]);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("elastic:s3cret-Pa55")));
        // The specification's examples call the remote "remote_cluster" and the leader index "leader_index".
        follower.SetPersistent("cluster.remote.remote_cluster.seeds", new JsonArray("10.1.0.11:9300"));
        leader.CreateIndex("leader_index");
    }

    public void Dispose()
    {
        client.Dispose();
        leader.Dispose();
        follower.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Send(CcrStandIn to, string method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(to.Url, path));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Theory]
    [InlineData("PUT", "/follower_index/_ccr/follow?wait_for_active_shards=1", "ccr.follow.request.json", "ccr.follow.response.json")]
    [InlineData("PUT", "/_ccr/auto_follow/my_auto_follow_pattern", "ccr.put_auto_follow_pattern.request.json", "ccr.put_auto_follow_pattern.response.json")]
    [InlineData("PUT", "/_cluster/settings", "cluster.put_settings.request1.json", null)]
    [InlineData("PUT", "/_cluster/settings", "cluster.put_settings.request2.json", null)]
    public async Task SpecExampleRequest_IsAcceptedWithTheExampleResponse(string method, string path, string requestExample, string? responseExample)
    {
        var (status, body) = await Send(follower, method, path, SpecExamples.Text(requestExample));

        Assert.Equal(HttpStatusCode.OK, status);
        if (responseExample is not null) Assert.True(JsonNode.DeepEquals(SpecExamples.Load(responseExample), body), body?.ToJsonString());
    }

    [Fact]
    public async Task SpecExampleResumeFollow_IsAcceptedForAPausedFollower()
    {
        follower.AddFollower("follower_index", "remote_cluster", "leader_index", active: false);

        var (status, body) = await Send(follower, "POST", "/follower_index/_ccr/resume_follow", SpecExamples.Text("ccr.resume_follow.request.json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonNode.DeepEquals(SpecExamples.Load("ccr.resume_follow.response.json"), body));
    }

    [Fact]
    public async Task FollowBody_WithAFieldOutsideTheSpec_IsRefusedLikeElasticsearch()
    {
        var (status, body) = await Send(follower, "PUT", "/x/_ccr/follow",
            """{"remote_cluster":"remote_cluster","leader_index":"leader_index","follow_index_pattern":"{{leader_index}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("x_content_parse_exception", body!["error"]!["type"]!.GetValue<string>());
        Assert.Contains("[put_follow_request] unknown field [follow_index_pattern]", body["error"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("x", follower.IndexNames);
    }

    [Fact]
    public async Task AutoFollowBody_WithAWrongType_IsRefused()
    {
        var (status, body) = await Send(follower, "PUT", "/_ccr/auto_follow/p", """{"remote_cluster":"remote_cluster","leader_index_patterns":"logs-*"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("failed to parse field [leader_index_patterns]", body!["error"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowBody_WithoutARequiredField_IsRefusedAsAValidationFailure()
    {
        var (status, body) = await Send(follower, "PUT", "/x/_ccr/follow", """{"leader_index":"leader_index"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("action_request_validation_exception", body!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task QueryParameterOutsideTheSpec_IsRefused()
    {
        var (status, body) = await Send(follower, "PUT", "/x/_ccr/follow?wait_for_completion=true", """{"remote_cluster":"remote_cluster","leader_index":"leader_index"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unrecognized parameter: [wait_for_completion]", body!["error"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterSettings_UnknownSettingOrSeedsInProxyMode_AreRefusedAndNothingChanges()
    {
        var unknown = await Send(follower, "PUT", "/_cluster/settings", """{"persistent":{"cluster.remote.fra.seedz":["a:1"]}}""");
        var mixed = await Send(follower, "PUT", "/_cluster/settings",
            """{"persistent":{"cluster.remote.fra.mode":"proxy","cluster.remote.fra.proxy_address":"a:9300","cluster.remote.fra.seeds":["a:9300"]}}""");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("setting [cluster.remote.fra.seedz], not recognized", unknown.Body!["error"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, mixed.Status);
        Assert.Contains("cannot be used with the configured", mixed.Body!["error"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(follower.PersistentSettings.Keys, k => k.StartsWith("cluster.remote.fra.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Follow_OfAnUnknownRemoteOrLeaderIndex_IsRefused()
    {
        var remote = await Send(follower, "PUT", "/x/_ccr/follow", """{"remote_cluster":"nowhere","leader_index":"leader_index"}""");
        var index = await Send(follower, "PUT", "/x/_ccr/follow", """{"remote_cluster":"remote_cluster","leader_index":"missing"}""");

        Assert.Equal((HttpStatusCode.NotFound, "no_such_remote_cluster_exception"), (remote.Status, remote.Body!["error"]!["type"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.NotFound, "index_not_found_exception"), (index.Status, index.Body!["error"]!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Follow_IsListedByFollowInfoAndCatIndicesAfterwards()
    {
        await Send(follower, "PUT", "/leader_index/_ccr/follow?wait_for_active_shards=1", """{"remote_cluster":"remote_cluster","leader_index":"leader_index"}""");

        var (_, info) = await Send(follower, "GET", "/_all/_ccr/info");
        var (_, cat) = await Send(follower, "GET", "/_cat/indices?format=json&h=index,status");

        var entry = Assert.Single(info!["follower_indices"]!.AsArray())!;
        Assert.Equal(("leader_index", "remote_cluster", "active"),
            (entry["follower_index"]!.GetValue<string>(), entry["remote_cluster"]!.GetValue<string>(), entry["status"]!.GetValue<string>()));
        Assert.Equal("""[{"index":"leader_index","status":"open"}]""", cat!.ToJsonString());
    }

    [Fact]
    public async Task RemoteInfo_ListsConfiguredRemotes_ConnectedWhenTheSeedsReachACluster()
    {
        await Send(follower, "PUT", "/_cluster/settings", """{"persistent":{"cluster.remote.lost.seeds":["10.9.9.9:9300"]}}""");

        var (_, info) = await Send(follower, "GET", "/_remote/info");

        Assert.True(info!["remote_cluster"]!["connected"]!.GetValue<bool>());
        Assert.False(info["lost"]!["connected"]!.GetValue<bool>());
        Assert.Equal("sniff", info["lost"]!["mode"]!.GetValue<string>());
    }

    [Fact]
    public async Task NewLeaderIndex_IsAutoFollowedOnlyWhenCreatedAfterThePattern()
    {
        leader.CreateIndex("logs-old");
        await Send(follower, "PUT", "/_ccr/auto_follow/p", """{"remote_cluster":"remote_cluster","leader_index_patterns":["logs-*"],"follow_index_pattern":"{{leader_index}}"}""");

        leader.CreateIndex("logs-new");
        leader.CreateIndex("other");

        Assert.Equal([("logs-new", "remote_cluster", "logs-new", true)], follower.Followers);
    }

    [Fact]
    public async Task RequestWithoutCredentials_IsRefusedWith401()
    {
        using var anonymous = new HttpClient();

        using var response = await anonymous.GetAsync(new Uri(follower.Url, "/_remote/info"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CcrCall_OnABasicLicence_IsRefusedWith403()
    {
        var network2 = new StandInNetwork();
        using var basic = new CcrStandIn(network2, "basic", ["10.3.0.11:9300"], license: "basic");

        var (status, body) = await Send(basic, "GET", "/_ccr/auto_follow");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("non-compliant for [ccr]", body!["error"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
