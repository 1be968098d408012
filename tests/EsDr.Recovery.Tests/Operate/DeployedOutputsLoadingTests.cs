using System.Text.Json.Nodes;
using EsDr.Infra.Outputs;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// Recovery plans from what is deployed: commands read the outputs contract, and refuse outputs of an older compiler
/// or of another shape with a clear error (exit 69), never a crash.
/// </summary>
public sealed class DeployedOutputsLoadingTests : IDisposable
{
    private readonly OperatorTestbed bed = new();

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Outputs_without_a_contract_are_refused_as_an_older_compiler_with_exit_69()
    {
        var older = DeployedOutputsJson.ToJson(bed.Deployed);
        older.Remove("contract");
        bed.Pulumi.StackOutputJson = older.ToJsonString();

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("status"));
        Assert.Contains("deployed with an older compiler", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("run pulumi up with this version first", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outputs_missing_a_required_field_are_refused_naming_where()
    {
        var broken = DeployedOutputsJson.ToJson(bed.Deployed);
        ((JsonObject)broken["regions"]!["dub"]!).Remove("nodes");
        bed.Pulumi.StackOutputJson = broken.ToJsonString();

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("status"));
        Assert.Contains("not the shape this program reads", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("nodes", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("NullReference", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_contract_is_refused_naming_both_versions()
    {
        var newer = DeployedOutputsJson.ToJson(bed.Deployed);
        newer["contract"] = DeployedOutputs.CurrentContract + 1;
        bed.Pulumi.StackOutputJson = newer.ToJsonString();

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("status"));
        Assert.Contains($"newer compiler (output contract {DeployedOutputs.CurrentContract + 1}", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_rebuild_targets_by_the_types_the_deployment_lists_not_those_a_recompile_would_give()
    {
        // The deployed program typed dub's third node differently from what this config compiles to today (another
        // compiler version): the up must name the deployed URN, and the new node's by its predecessor's type.
        const string DeployedType = "aws:ec2/instance:InstanceDeployedByAnOlderCompiler";
        var old = bed.Nodes("dub")[2];
        var logical = bed.Deployed.Region("dub").Nodes[2].Resources[0];
        bed.Serve(bed.Deployed with
        {
            Resources = bed.Deployed.Resources.Select(r => r.Name == logical ? r with { Type = DeployedType } : r).ToList(),
        });
        Assert.Equal(0, await bed.RunAsync("rebuild-node", "--region", "dub", "--node", old, "--dry-run"));
        string replacement;
        using (var audit = EsDr.Recovery.Execute.Audit.AuditTrail.Open(bed.AuditPath, EsDr.Recovery.Execute.Audit.Redactor.None))
            replacement = audit.History(1)[0].Steps.Select(s => System.Text.RegularExpressions.Regex.Match(s.Description, @"^Wait for (\S+) to join$"))
                .Single(m => m.Success).Groups[1].Value;
        bed.Dub.NodeNames = [.. bed.Dub.NodeNames, replacement];

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", old, "--yes");

        Assert.True(exit == 0, bed.Error.ToString() + bed.Out);
        var up = bed.Changes.Single(c => c.StartsWith("up ", StringComparison.Ordinal));
        Assert.Contains($"urn:pulumi:prod::es-dr::{DeployedType}::{logical} ", up, StringComparison.Ordinal);
        Assert.Matches($@"urn:pulumi:prod::es-dr::{System.Text.RegularExpressions.Regex.Escape(DeployedType)}::{logical}-\S+", up);
    }
}
