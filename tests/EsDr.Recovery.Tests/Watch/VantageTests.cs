using System.Net;
using System.Text;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Replication;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Watch;

using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Watch;

public sealed class VantageTests
{
    private static readonly DateTimeOffset At = WatchWorld.T0;

    [Fact]
    public void Peer_RegionConnectedFromAnyPeer_IsReachable_AndOnlyReachabilityIsObserved()
    {
        var snapshot = PeerVantage.Snapshot(At,
        [
            new PeerReport("dub", new Dictionary<string, bool> { ["fra"] = false, ["ams"] = true }),
            new PeerReport("ams", new Dictionary<string, bool> { ["fra"] = true, ["dub"] = true }),
        ]);

        Assert.Equal(PeerVantage.Name, snapshot.Vantage);
        Assert.Equal(["ams", "dub", "fra"], snapshot.Clusters.Select(c => c.Region));
        Assert.All(snapshot.Clusters, c => Assert.True(c.Reachable));
        Assert.All(snapshot.Clusters, c => Assert.Equal(ClusterFacets.Reachability, c.Observed));
    }

    [Fact]
    public void Peer_RegionNoPeerAnsweredAbout_IsLeftOut_AndAPeerNeverReportsOnItself()
    {
        var snapshot = PeerVantage.Snapshot(At,
            [new PeerReport("dub", new Dictionary<string, bool> { ["fra"] = false, ["dub"] = false })]);

        var fra = Assert.Single(snapshot.Clusters);
        Assert.Equal(("fra", false), (fra.Region, fra.Reachable));
    }

    [Fact]
    public async Task RemoteInfoPeerProbe_ReadsConnectedPerAliasOfTheSpecShape_IgnoringUnknownAliases()
    {
        const string body = """
            {
              "fra": { "mode": "proxy", "connected": false, "initial_connect_timeout": "30s", "skip_unavailable": false,
                       "proxy_address": "fra.example:9300", "server_name": "fra.example", "num_proxy_sockets_connected": 0,
                       "max_proxy_socket_connections": 18 },
              "ams": { "mode": "sniff", "connected": true, "max_connections_per_cluster": 3, "num_nodes_connected": 3,
                       "initial_connect_timeout": "30s", "skip_unavailable": false, "seeds": ["10.0.2.1:9300"] },
              "legacy": { "mode": "sniff", "connected": true, "max_connections_per_cluster": 3, "num_nodes_connected": 1,
                          "initial_connect_timeout": "30s", "skip_unavailable": true, "seeds": ["10.9.9.9:9300"] }
            }
            """;
        using var http = ElasticsearchConnection.WithInvoker(new Uri("http://dub.stand-in:9200"), InMemoryElasticsearch.Answering(body));
        var probe = new RemoteInfoPeerProbe("dub", http, new Dictionary<string, string> { ["fra"] = "fra", ["ams"] = "ams" });

        var report = await probe.ProbeAsync(CancellationToken.None);

        Assert.Equal("dub", report.From);
        Assert.Equal(new Dictionary<string, bool> { ["fra"] = false, ["ams"] = true }, report.ConnectedByRegion);
    }

    [Fact]
    public void Alerts_NoneFiring_EveryRegionLooksHealthyToPrometheus()
    {
        var snapshot = AlertVantage.Snapshot(At, [], WatchWorld.Topology);

        Assert.All(snapshot.Clusters, c => Assert.Equal(ClusterStatus.Green, c.Status));
        Assert.All(snapshot.Clusters, c => Assert.False(c.FewerNodesThanExpected));
        Assert.All(snapshot.Endpoints, e => Assert.True(e.Healthy));
        var replica = Assert.Single(snapshot.Databases);
        Assert.Equal(("dub", true, true, (int?)null), (replica.Region, replica.IoThreadRunning, replica.SqlThreadRunning, replica.SecondsBehind));
    }

    [Theory]
    [InlineData(AlertRules.ElasticsearchClusterRed)]
    [InlineData(AlertRules.ElasticsearchFewerNodesThanExpected)]
    [InlineData(AlertRules.EndpointProbeDown)]
    [InlineData(AlertRules.MysqlReplicaIoThreadStopped)]
    [InlineData(AlertRules.MysqlReplicaSqlThreadStopped)]
    public void Alerts_FiringInDub_ChangeOnlyWhatThatAlertMeans_InDubOnly(string alertName)
    {
        var snapshot = AlertVantage.Snapshot(At, [Alert(alertName, "dub")], WatchWorld.Topology);
        var dub = snapshot.Clusters.Single(c => c.Region == "dub");
        var db = snapshot.Databases.Single();

        Assert.Equal(alertName == AlertRules.ElasticsearchClusterRed ? ClusterStatus.Red : ClusterStatus.Green, dub.Status);
        Assert.Equal(alertName == AlertRules.ElasticsearchFewerNodesThanExpected, dub.FewerNodesThanExpected);
        Assert.Equal(alertName != AlertRules.EndpointProbeDown, snapshot.Endpoints.Single(e => e.Region == "dub").Healthy);
        Assert.Equal(alertName != AlertRules.MysqlReplicaIoThreadStopped, db.IoThreadRunning);
        Assert.Equal(alertName != AlertRules.MysqlReplicaSqlThreadStopped, db.SqlThreadRunning);
        Assert.Equal(AlertVantage.Snapshot(At, [], WatchWorld.Topology).Clusters.Single(c => c.Region == "fra"),
            snapshot.Clusters.Single(c => c.Region == "fra"));
    }

    [Fact]
    public void Alerts_SeeWhetherNodesAreMissing_NeverWhichNodesAreMembers()
    {
        var snapshot = AlertVantage.Snapshot(At, [Alert(AlertRules.ElasticsearchFewerNodesThanExpected, "dub")], WatchWorld.Topology);

        Assert.All(snapshot.Clusters, c => Assert.True(c.Saw(ClusterFacets.NodeCount)));
        Assert.All(snapshot.Clusters, c => Assert.False(c.Saw(ClusterFacets.Nodes)));
    }

    [Fact]
    public void FiringAlerts_ResolvedOrPastItsEnd_NoLongerFires()
    {
        var firing = new FiringAlerts();
        firing.Apply(Alert(AlertRules.ElasticsearchClusterRed, "fra", "a"));
        firing.Apply(Alert(AlertRules.EndpointProbeDown, "fra", "b") with { EndsAt = At.AddMinutes(5) });
        firing.Apply(Alert(AlertRules.ElasticsearchClusterRed, "fra", "a", "resolved"));

        Assert.Equal(["b"], firing.At(At.AddMinutes(4)).Select(a => a.Fingerprint));
        Assert.Empty(firing.At(At.AddMinutes(5)));
    }

    [Fact]
    public void FiringAlerts_BeyondItsBound_ForgetsTheOldest()
    {
        var firing = new FiringAlerts(maxAlerts: 2);
        for (var i = 0; i < 5; i++)
            firing.Apply(Alert(AlertRules.ElasticsearchClusterRed, "fra", "fp-" + i) with { ReceivedAt = At.AddSeconds(i) });

        Assert.Equal(["fp-3", "fp-4"], firing.At(At).Select(a => a.Fingerprint).Order());
    }

    private static AlertReceived Alert(string name, string region, string fingerprint = "fp", string status = "firing") =>
        new(fingerprint, name, status, At.AddMinutes(-10), null,
            new Dictionary<string, string> { ["alertname"] = name, ["region"] = region }, new Dictionary<string, string>(),
            null, null, "es-dr", At);
}
