using EsDr.Infra.Schemas;

namespace EsDr.Infra.Tests.Schemas;

public class ProviderSchemasTests
{
    [Theory]
    [InlineData("linode", "6.0.0")]
    [InlineData("digitalocean", "4.76.0")]
    [InlineData("aws", "7.48.0")]
    [InlineData("ovh", "2.12.0")]
    [InlineData("command", "1.2.1")]
    [InlineData("random", "4.21.1")]
    [InlineData("tls", "5.5.1")]
    public void LoadEmbedded_PinsEachPackageAtTheVersionOfItsSchema(string package, string version)
    {
        var schemas = ProviderSchemas.LoadEmbedded();

        Assert.Equal(version, schemas.PinnedVersions[package]);
        Assert.Equal(version, schemas.Packages[package].Version);
    }

    [Fact]
    public void LoadEmbedded_CalledTwice_ReadsTheSchemasOnce()
    {
        Assert.Same(ProviderSchemas.LoadEmbedded(), ProviderSchemas.LoadEmbedded());
    }

    [Fact]
    public void LoadEmbedded_ResourceSchema_HasInputsRequiredInputsAndOutputs()
    {
        var instance = ProviderSchemas.LoadEmbedded().Packages["linode"].Resources["linode:index/instance:Instance"];

        Assert.Equal(["region"], instance.RequiredInputs);
        Assert.Equal("integer", instance.InputProperties["swapSize"].Type);
        Assert.Equal("#/types/linode:index/InstanceMetadata:InstanceMetadata", instance.InputProperties["metadatas"].Items?.Ref);
        Assert.True(instance.HasOutput("ipAddress"));
        Assert.True(instance.HasOutput("id"));
        Assert.False(instance.HasOutput("ipAdress"));
    }

    [Fact]
    public void LoadEmbedded_NamedTypes_CarryPropertiesRequiredAndEnums()
    {
        var schemas = ProviderSchemas.LoadEmbedded();

        var inbound = schemas.Packages["linode"].Types["linode:index/FirewallInbound:FirewallInbound"];
        var logging = schemas.Packages["command"].Types["command:local:Logging"];

        Assert.True(inbound.IsObject);
        Assert.Contains("protocol", inbound.Required);
        Assert.False(logging.IsObject);
        Assert.Equal(["stdout", "stderr", "stdoutAndStderr", "none"], logging.Enum);
    }

    [Fact]
    public void FindResource_ProviderToken_ReturnsTheProvidersInputs()
    {
        var provider = ProviderSchemas.LoadEmbedded().FindResource("pulumi:providers:linode");

        Assert.NotNull(provider);
        Assert.Contains("token", provider.InputProperties.Keys);
    }

    [Theory]
    [InlineData("linode:index/instance:Instance", "linode")]
    [InlineData("pulumi:providers:aws", "aws")]
    [InlineData("random:index/randomPassword:RandomPassword", "random")]
    public void PackageOf_Token_IsThePackageThatOwnsIt(string token, string package)
    {
        Assert.Equal(package, ProviderSchemas.PackageOf(token));
    }

    [Fact]
    public void FromJson_EnumObjectsOfTheFullSchemaFormat_AreReadAsTheirValues()
    {
        const string schema = """
            {"name": "demo", "version": "1.0.0",
             "resources": {"demo:index:Thing": {"inputProperties": {"mode": {"$ref": "#/types/demo:index:Mode"}}}},
             "types": {"demo:index:Mode": {"type": "string", "enum": [{"name": "Fast", "value": "fast"}, {"value": "slow"}]}}}
            """;

        var schemas = ProviderSchemas.FromJson([schema]);
        var problems = ProgramValidator.Validate(
            "resources:\n  a:\n    type: demo:index:Thing\n    properties: {mode: quick}\n  b:\n    type: demo:index:Thing\n    properties: {mode: slow}",
            schemas);

        Assert.Equal(["fast", "slow"], schemas.Packages["demo"].Types["demo:index:Mode"].Enum);
        var problem = Assert.Single(problems);
        Assert.Equal("resources.a.properties.mode", problem.Where);
    }
}
