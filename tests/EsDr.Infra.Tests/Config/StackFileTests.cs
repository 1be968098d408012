using EsDr.Infra.Config;

namespace EsDr.Infra.Tests.Config;

public class StackFileTests
{
    private const string Yaml = """
        config:
          es-dr:namePrefix: shop
          linode:token:
            secure: v1:abc
          es-dr:elasticsearch:
            version: 9.5.7
            security: true
          es-dr:regions:
            - name: fra
              elasticsearch:
                nodes: 3
                size: "5"
        """;

    [Fact]
    public void Parse_FlattensConfigTheWayPulumiHandsItOver()
    {
        var file = StackFile.Parse(Yaml, "prod", "es-dr");

        Assert.Equal("shop", file.Config["es-dr:namePrefix"]);
        Assert.Equal("""{"version":"9.5.7","security":true}""", file.Config["es-dr:elasticsearch"]);
        Assert.Equal("""[{"name":"fra","elasticsearch":{"nodes":3,"size":"5"}}]""", file.Config["es-dr:regions"]);
    }

    [Fact]
    public void Parse_SecureValues_BecomeAPlaceholderAndAreReportedAsSecret()
    {
        var file = StackFile.Parse(Yaml, "prod", "es-dr");

        Assert.Equal(StackFile.SecretPlaceholder, file.Config["linode:token"]);
        Assert.Equal(["linode:token"], file.SecretKeys);
    }

    [Fact]
    public void Parse_InvalidYaml_IsAConfigErrorNamingTheFileLineAndColumn()
    {
        var error = Assert.Throws<InvalidConfigException>(() => StackFile.Parse("config: [", "x", "es-dr", "Pulumi.x.yaml"));

        Assert.StartsWith("Pulumi.x.yaml:2:1: is not valid YAML", error.Errors.Single().ToString(), StringComparison.Ordinal);
    }
}
