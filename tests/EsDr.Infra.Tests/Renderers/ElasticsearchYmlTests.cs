using EsDr.Infra.Renderers;
using YamlDotNet.Serialization;
using static EsDr.Infra.Tests.Renderers.RendererSamples;

namespace EsDr.Infra.Tests.Renderers;

public class ElasticsearchYmlTests
{
    public static TheoryData<string> Rows => new() { "new cluster", "replacement", "pulumi references", "coordinating only" };

    private static ElasticsearchNodeSettings Row(string row) => row switch
    {
        "new cluster" => NewClusterNode(),
        "replacement" => ReplacementNode(),
        "pulumi references" => PulumiReferenceNode(),
        "coordinating only" => CoordinatingOnlyNode(),
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    /// <summary>Parses the rendered file the way a YAML reader sees it: flat dotted keys to values.</summary>
    internal static Dictionary<string, object> Parse(string yaml) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(yaml);

    [Fact]
    public void Render_BrandNewCluster_WritesInitialMasterNodes()
    {
        var settings = Parse(ElasticsearchYml.Render(NewClusterNode()));

        Assert.Equal(ThreeNodeNames, settings["cluster.initial_master_nodes"]);
    }

    [Theory]
    [InlineData("replacement")]
    [InlineData("coordinating only")]
    public void Render_ReplacementNode_NeverWritesInitialMasterNodes(string row)
    {
        var yaml = ElasticsearchYml.Render(Row(row));

        Assert.DoesNotContain("initial_master_nodes", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replacement", "fra-b")]
    [InlineData("pulumi references", "${ams-es-1.zone}")]
    public void Render_WithZone_WritesAwarenessAttributes(string row, string zone)
    {
        var settings = Parse(ElasticsearchYml.Render(Row(row)));

        Assert.Equal(zone, settings["node.attr.zone"]);
        Assert.Equal("zone", settings["cluster.routing.allocation.awareness.attributes"]);
    }

    [Fact]
    public void Render_WithoutZone_WritesNoAwarenessAttributes()
    {
        var settings = Parse(ElasticsearchYml.Render(NewClusterNode()));

        Assert.DoesNotContain("node.attr.zone", settings.Keys);
        Assert.DoesNotContain("cluster.routing.allocation.awareness.attributes", settings.Keys);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Render_AnyNode_PlacesIdentityNetworkAndPaths(string row)
    {
        var node = Row(row);

        var settings = Parse(ElasticsearchYml.Render(node));

        Assert.Equal(node.ClusterName, settings["cluster.name"]);
        Assert.Equal(node.NodeName, settings["node.name"]);
        Assert.Equal(node.Roles, settings["node.roles"]);
        Assert.Equal(node.NetworkHost, settings["network.host"]);
        Assert.Equal(node.SeedHosts, settings["discovery.seed_hosts"]);
        Assert.Equal(node.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["http.port"]);
        Assert.Equal(node.TransportPort.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["transport.port"]);
        Assert.Equal(node.DataPath, settings["path.data"]);
        Assert.Equal(node.LogPath, settings["path.logs"]);
    }

    [Fact]
    public void Render_NodeWhoseAddressIsUnknownAtIssue_VerifiesTheCertificateChainOnly()
    {
        var settings = Parse(ElasticsearchYml.Render(Row("new cluster") with { TransportVerification = "certificate" }));

        Assert.Equal("certificate", settings["xpack.security.transport.ssl.verification_mode"]);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Render_AnyNode_TurnsOnSecurityWithTransportAndHttpTls(string row)
    {
        var settings = Parse(ElasticsearchYml.Render(Row(row)));

        Assert.Equal("true", settings["xpack.security.enabled"]);
        Assert.Equal("full", settings["xpack.security.transport.ssl.verification_mode"]);
        foreach (var layer in new[] { "transport", "http" })
        {
            Assert.Equal("true", settings[$"xpack.security.{layer}.ssl.enabled"]);
            Assert.Equal("certs/node.key", settings[$"xpack.security.{layer}.ssl.key"]);
            Assert.Equal("certs/node.crt", settings[$"xpack.security.{layer}.ssl.certificate"]);
            Assert.Equal(new[] { "certs/ca.crt" }, settings[$"xpack.security.{layer}.ssl.certificate_authorities"]);
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Render_AnyNode_AnonymousRequestsGetOnlyTheHealthRoleAndA401Challenge(string row)
    {
        var settings = Parse(ElasticsearchYml.Render(Row(row)));

        Assert.Equal("lb_health", settings["xpack.security.authc.anonymous.username"]);
        Assert.Equal("lb_health", settings["xpack.security.authc.anonymous.roles"]);
        Assert.Equal("false", settings["xpack.security.authc.anonymous.authz_exception"]);
    }

    [Fact]
    public void Render_CoordinatingOnlyNode_WritesAnEmptyRoleList()
    {
        var settings = Parse(ElasticsearchYml.Render(CoordinatingOnlyNode()));

        Assert.Empty(Assert.IsType<List<object>>(settings["node.roles"]));
    }

    [Theory]
    [InlineData("prod: eu # primary")]
    [InlineData("true")]
    [InlineData("9200")]
    [InlineData("null")]
    [InlineData("quote \" and backslash \\")]
    public void Render_ValueThatLooksLikeYamlSyntax_StaysTheSameString(string clusterName)
    {
        var yaml = ElasticsearchYml.Render(NewClusterNode() with { ClusterName = clusterName });

        var parsed = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(yaml);
        Assert.Equal(clusterName, parsed["cluster.name"]);
    }

    /// <summary>
    /// Node settings Elasticsearch 9.0 removed (https://www.elastic.co/docs/release-notes/elasticsearch/breaking-changes,
    /// 9.0.0): a node that finds one in elasticsearch.yml refuses to start.
    /// </summary>
    private static readonly string[] SettingsRemovedIn9 =
    [
        "cluster.routing.allocation.disk.watermark.enable_for_single_data_node",
        "xpack.searchable.snapshot.allocate_on_rolling_restart",
        "client.type",
        "tracing.apm.",
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Render_EveryRow_WritesNoSettingElasticsearch9Removed(string row)
    {
        var settings = Parse(ElasticsearchYml.Render(Row(row)));

        Assert.DoesNotContain(settings.Keys, key => SettingsRemovedIn9.Any(removed => key.StartsWith(removed, StringComparison.Ordinal)));
    }
}
