using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Outputs;

/// <summary>
/// The outputs contract: what the compiler writes is what recovery reads (one definition), every resource with its
/// type, versioned, and a reader that refuses older, newer or misshapen outputs with a message naming what.
/// </summary>
public class DeployedOutputsTests
{
    private static StackCompilation CompileProd()
    {
        var stack = Repository.Load("Pulumi.prod.yaml");
        return StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys));
    }

    [Fact]
    public void Compiled_program_carries_the_current_contract_with_every_resource_and_its_type_in_program_order()
    {
        var program = CompileProd().Program;

        var outputs = StackOutputs.Of(program);

        Assert.Equal(DeployedOutputs.CurrentContract, outputs.Contract);
        Assert.Equal(program.Resources.Select(r => (r.Name, r.Type)), outputs.Resources.Select(r => (r.Name, r.Type)));
        Assert.Equal(["fra", "dub"], outputs.Regions.Keys);
        Assert.Equal("fra", outputs.ActiveRegion);
        Assert.Equal("standby", outputs.Region("dub").State);
        Assert.NotNull(outputs.Region("dub").Database);
        Assert.NotNull(outputs.Monitoring);
    }

    [Theory]
    [MemberData(nameof(Repository.StackFileData), MemberType = typeof(Repository))]
    public void The_compiler_writes_the_contract_exactly_as_its_serializer_would(string file)
    {
        var stack = Repository.Load(file);
        var program = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys)).Program;

        var written = StackOutputs.ContractJson(program).ToJsonString();

        Assert.Equal(DeployedOutputsJson.ToJson(StackOutputs.Of(program)).ToJsonString(), written);
    }

    [Fact]
    public void Every_region_resource_the_outputs_name_is_a_resource_of_the_program()
    {
        var outputs = StackOutputs.Of(CompileProd().Program);
        var names = outputs.Resources.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var region in outputs.Regions.Values)
        {
            var named = region.Nodes.SelectMany(n => n.Resources).Concat(region.Balancer.Resources).Concat(region.NetworkResources)
                .Concat(region.Database?.Resources ?? []).Concat(region.Application?.Resources ?? []);
            Assert.All(named, n => Assert.Contains(n, names));
        }
    }

    [Fact]
    public void The_contract_round_trips_through_the_json_pulumi_prints()
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));

        var again = DeployedOutputsJson.ToJson(DeployedOutputsJson.Parse(json));

        Assert.Equal(json.ToJsonString(), again.ToJsonString());
        Assert.Equal("contract", json.First().Key);
    }

    [Fact]
    public void Masked_secret_output_and_unknown_outputs_are_ignored()
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));
        json["credentials"] = "[secret]";
        json["somethingNew"] = new JsonObject { ["x"] = 1 };

        Assert.Equal("fra", DeployedOutputsJson.Parse(json).ActiveRegion);
    }

    [Fact]
    public void Outputs_without_a_contract_read_as_contract_0_and_are_refused_where_the_current_one_is_required()
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));
        json.Remove("contract");
        json.Remove("resources");

        var older = DeployedOutputsJson.Parse(json);

        Assert.Equal(0, older.Contract);
        Assert.Empty(older.Resources);
        var error = Assert.Throws<DeployedOutputsFormatException>(() => DeployedOutputsJson.RequireCurrent(older, "prod"));
        Assert.Equal("stack prod was deployed with an older compiler (output contract none, this program reads 1): run pulumi up with this version first", error.Message);
    }

    [Fact]
    public void A_newer_contract_is_refused_naming_both_versions()
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));
        json["contract"] = DeployedOutputs.CurrentContract + 1;

        var error = Assert.Throws<DeployedOutputsFormatException>(() => DeployedOutputsJson.Parse(json));

        Assert.Contains($"newer compiler (output contract {DeployedOutputs.CurrentContract + 1}; this program reads up to {DeployedOutputs.CurrentContract})", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nodes")]
    [InlineData("state")]
    public void A_missing_required_field_is_refused_naming_it(string field)
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));
        ((JsonObject)json["regions"]!["dub"]!).Remove(field);

        var error = Assert.Throws<DeployedOutputsFormatException>(() => DeployedOutputsJson.Parse(json));

        Assert.Contains("not the shape this program reads", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_where_text_is_required_is_refused_naming_the_path()
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));
        json["regions"]!["fra"]!["nodes"]![0]!["name"] = null;

        var error = Assert.Throws<DeployedOutputsFormatException>(() => DeployedOutputsJson.Parse(json));

        Assert.Contains("$.regions.fra.nodes[0].name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_deployed_as_null_is_read_as_absent_not_refused()
    {
        var json = DeployedOutputsJson.ToJson(StackOutputs.Of(CompileProd().Program));
        json["regions"]!["fra"]!["nodes"]![0]!["publicIp"] = null;
        json["regions"]!["fra"]!["database"]!["host"] = null;

        var fra = DeployedOutputsJson.Parse(json).Region("fra");

        Assert.Null(fra.Nodes[0].PublicIp);
        Assert.Null(fra.Database!.Host);
    }
}
