using System.Text.Json.Nodes;
using EsDr.Infra.Outputs;
using EsDr.Recovery.Tests.Operate;

namespace EsDr.Recovery.Tests;

/// <summary>
/// <c>check-drift</c> as CI runs it, on the prod stack deployed onto the stand-in pulumi: exit codes, the one pulumi
/// call it makes (no credentials), no audit database, and the deployed outputs of an older compiler still checked.
/// </summary>
public sealed class CheckDriftCommandTests : IDisposable
{
    private readonly OperatorTestbed bed = new();

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Agreeing_config_exits_0_reading_only_the_outputs_and_creating_no_audit_database()
    {
        var exit = await bed.RunAsync("check-drift");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("agrees", bed.Out.ToString(), StringComparison.Ordinal);
        var call = Assert.Single(bed.Pulumi.Calls);
        Assert.Equal(["stack", "output", "--stack", "prod", "--json", "--non-interactive"], call);
        Assert.False(File.Exists(bed.AuditPath));
    }

    [Fact]
    public async Task Config_moving_the_active_region_exits_8_naming_field_values_and_commands_in_json()
    {
        bed.Serve(bed.Deployed with
        {
            ActiveRegion = "dub",
            Regions = bed.Deployed.Regions.ToDictionary(kv => kv.Key, kv => kv.Value with { State = kv.Key == "dub" ? "active" : "standby" }),
        });

        var exit = await bed.RunAsync("check-drift", "--json");

        Assert.Equal(ExitCodes.Drift, exit);
        var report = JsonNode.Parse(bed.Out.ToString())!;
        Assert.False((bool)report["agrees"]!);
        var active = report["drift"]!.AsArray().Single(d => (string)d!["field"]! == "activeRegion")!;
        Assert.Equal("dub", (string)active["deployed"]!);
        Assert.Equal("fra", (string)active["config"]!);
        Assert.Contains("es-dr-recovery failback --to fra", (string)active["recovery"]!, StringComparison.Ordinal);
        Assert.Contains("pulumi config set --stack prod activeRegion dub", (string)active["accept"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_in_text_names_each_field_with_both_values_and_the_recovery_command()
    {
        bed.Serve(bed.Deployed with { Regions = bed.Deployed.Regions.ToDictionary(kv => kv.Key, kv => kv.Key == "dub" ? kv.Value with { State = "lost" } : kv.Value) });

        var exit = await bed.RunAsync("check-drift");

        Assert.Equal(ExitCodes.Drift, exit);
        var text = bed.Out.ToString();
        Assert.Contains("drift: regions[1].state: deployed lost, config standby: would revive lost region dub as standby", text, StringComparison.Ordinal);
        Assert.Contains($"to make this change: es-dr-recovery rebuild-region dub --stack-file {bed.StackFile.FullName}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_stack_exits_69()
    {
        bed.Pulumi.FailWith("error: no stack named 'prod' found");

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("check-drift"));
        Assert.Contains("no stack named 'prod' found", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stack_with_no_outputs_yet_exits_0_nothing_deployed()
    {
        bed.Pulumi.StackOutputJson = "{}";

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("check-drift"));
        Assert.Contains("nothing is deployed", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outputs_of_an_older_compiler_are_still_checked()
    {
        var older = DeployedOutputsJson.ToJson(bed.Deployed);
        older.Remove("contract");
        older.Remove("resources");
        older["activeRegion"] = "dub";
        bed.Pulumi.StackOutputJson = older.ToJsonString();

        Assert.Equal(ExitCodes.Drift, await bed.RunAsync("check-drift"));
        Assert.Contains("drift: activeRegion: deployed dub, config fra", bed.Out.ToString(), StringComparison.Ordinal);
    }
}
