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

        var role = Assert.Single(roles);
        Assert.Equal("lb_health", role.Key);
        Assert.Equal(["cluster:monitor/health"], role.Value["cluster"]);
        Assert.Empty(role.Value["indices"]);
        Assert.Equal(["cluster", "indices"], role.Value.Keys);
    }

    [Fact]
    public void Render_HealthRole_IsTheRoleAnonymousRequestsRunAs()
    {
        var settings = ElasticsearchYmlTests.Parse(ElasticsearchYml.Render(RendererSamples.NewClusterNode()));
        var roles = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(ElasticsearchRoles.Render());

        Assert.Contains((string)settings["xpack.security.authc.anonymous.roles"], roles.Keys);
    }
}
