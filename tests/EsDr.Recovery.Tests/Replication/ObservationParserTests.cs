using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using Elastic.Clients.Elasticsearch.LicenseManagement;
using EsDr.Recovery.Replication;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>The observer's readers get the specification's own response examples as the official client deserialises them.</summary>
public class ObservationParserTests
{
    [Fact]
    public void Followers_SpecExamples_ReadActiveAndPausedFollowers()
    {
        var active = ObservationParser.Followers(InMemoryElasticsearch.Read<FollowInfoResponse>(SpecExamples.Load("ccr.follow_info.response.active.json")));
        var paused = ObservationParser.Followers(InMemoryElasticsearch.Read<FollowInfoResponse>(SpecExamples.Load("ccr.follow_info.response.paused.json")));

        Assert.Equal(new ObservedFollower("follower_index", "remote_cluster", "leader_index", true), Assert.Single(active));
        Assert.Equal(new ObservedFollower("follower_index", "remote_cluster", "leader_index", false), Assert.Single(paused));
    }

    [Fact]
    public void AutoFollowPatterns_SpecExample_ReadsPatternsExclusionsAndFollowPattern()
    {
        var p = Assert.Single(ObservationParser.AutoFollowPatterns(InMemoryElasticsearch.Read<GetAutoFollowPatternResponse>(SpecExamples.Load("ccr.get_auto_follow_pattern.response.json"))));

        Assert.Equal(("my_auto_follow_pattern", "remote_cluster", "{{leader_index}}-follower", true), (p.Name, p.RemoteCluster, p.FollowIndexPattern, p.Active));
        Assert.Equal(["leader_index*"], p.LeaderIndexPatterns);
        Assert.Equal(["leader_index_001"], p.LeaderIndexExclusionPatterns);
    }

    [Fact]
    public void Indices_SpecExample_ReadsNamesAndOpenStatus()
    {
        var indices = ObservationParser.Indices(SpecExamples.Load("cat.indices.response.json"));

        Assert.Equal([new ObservedIndex("my-index-000001", true), new ObservedIndex("my-index-000002", true)], indices);
    }

    [Fact]
    public void Indices_ClosedRow_IsNotOpen()
    {
        var indices = ObservationParser.Indices(JsonNode.Parse("""[{"index":"old","status":"close"}]""")!);

        Assert.False(Assert.Single(indices).Open);
    }

    [Fact]
    public void License_SpecExample_IsAnActiveTrialThatAllowsCcr()
    {
        var license = ObservationParser.License(InMemoryElasticsearch.Read<GetLicenseResponse>(SpecExamples.Load("license.get.response.json")));

        Assert.Equal(new ObservedLicense("trial", "active"), license);
        Assert.True(license.AllowsCcr);
    }

    [Theory]
    [InlineData("basic", "active", false)]
    [InlineData("trial", "expired", false)]
    [InlineData("platinum", "active", true)]
    [InlineData("enterprise", "active", true)]
    public void License_OnlyActiveTrialPlatinumOrEnterprise_AllowsCcr(string type, string status, bool allows) =>
        Assert.Equal(allows, new ObservedLicense(type, status).AllowsCcr);

    [Fact]
    public void Remotes_SniffAndProxyInfo_ReadModeSeedsAddressAndServerName()
    {
        // The shape of cluster/remote_info/ClusterRemoteInfoResponse.ts (the specification has no example).
        var response = JsonNode.Parse("""
            {
              "fra": { "connected": true, "mode": "sniff", "seeds": ["10.1.0.11:9300"], "num_nodes_connected": 3,
                       "max_connections_per_cluster": 3, "initial_connect_timeout": "30s", "skip_unavailable": false },
              "ams": { "connected": false, "mode": "proxy", "proxy_address": "ams:9300", "server_name": "ams.example",
                       "num_proxy_sockets_connected": 0, "max_proxy_socket_connections": 18, "initial_connect_timeout": "30s",
                       "skip_unavailable": false }
            }
            """)!;

        var remotes = ObservationParser.Remotes(InMemoryElasticsearch.Read<RemoteInfoResponse>(response));

        Assert.Equal(2, remotes.Count);
        Assert.Equal(("ams", RemoteMode.Proxy, "ams:9300", "ams.example", false), (remotes[0].Alias, remotes[0].Mode, remotes[0].ProxyAddress, remotes[0].ServerName, remotes[0].Connected));
        Assert.Equal(("fra", RemoteMode.Sniff, true), (remotes[1].Alias, remotes[1].Mode, remotes[1].Connected));
        Assert.Equal(["10.1.0.11:9300"], remotes[1].Seeds);
    }

    [Fact]
    public void Followers_MissingField_IsAnErrorNamingTheField()
    {
        var e = Assert.Throws<FormatException>(() =>
            ObservationParser.Followers(InMemoryElasticsearch.Read<FollowInfoResponse>("""{"follower_indices":[{"follower_index":"a","remote_cluster":"fra","status":"active"}]}""")));

        Assert.Equal("_ccr/info.follower_indices[].leader_index: missing", e.Message);
    }
}
