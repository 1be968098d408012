using EsDr.Infra.Renderers;
using YamlDotNet.Serialization;

namespace EsDr.Infra.Tests.Renderers;

public class ElasticsearchRolesTests
{
    [Fact]
    public void Render_HealthRole_MayOnlyReadClusterHealth()
    {
        var roles = new DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, Dictionary<string, List<string>>>>(ElasticsearchRoles.Render());

        var role = roles["lb_health"];
        Assert.Equal(["cluster:monitor/health"], role["cluster"]);
        Assert.Empty(role["indices"]);
        Assert.Equal(["cluster", "indices"], role.Keys);
    }

    [Fact]
    public void Render_MonitorRole_MayMonitorTheClusterAndReadNoIndex()
    {
        var roles = new DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, Dictionary<string, List<string>>>>(ElasticsearchRoles.Render());

        Assert.Equal(["lb_health", ElasticsearchRoles.MonitorPrincipal], roles.Keys);
        Assert.Equal(["monitor"], roles[ElasticsearchRoles.MonitorPrincipal]["cluster"]);
        Assert.Empty(roles[ElasticsearchRoles.MonitorPrincipal]["indices"]);
    }

    [Fact]
    public void Render_HealthRole_IsTheRoleAnonymousRequestsRunAs()
    {
        var settings = ElasticsearchYmlTests.Parse(ElasticsearchYml.Render(RendererSamples.NewClusterNode()));
        var roles = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(ElasticsearchRoles.Render());

        Assert.Contains((string)settings["xpack.security.authc.anonymous.roles"], roles.Keys);
    }
}
