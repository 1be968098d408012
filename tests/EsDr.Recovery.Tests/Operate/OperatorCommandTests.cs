using EsDr.Recovery.Execute.Audit;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// The action commands' parsing, confirmation, exit codes and resume, on the prod stack against the stand-in
/// <c>pulumi</c> and Elasticsearch stand-ins (rebuild-region touches no database).
/// </summary>
[Collection("live processes")]
public sealed class OperatorCommandTests : IDisposable
{
    private readonly OperatorTestbed bed = new();

    public void Dispose() => bed.Dispose();

    [Theory]
    [InlineData("status", "health of every region")]
    [InlineData("rebuild-node", "Replace one node")]
    [InlineData("failover", "Fail over from the active region")]
    [InlineData("rebuild-region", "Rebuild a lost region")]
    [InlineData("failback", "Fail back without loss")]
    [InlineData("ack", "Acknowledge the latest recovery in a region")]
    [InlineData("acknowledge", "Acknowledge the latest recovery in a region")]
    [InlineData("pause", "Stop every recovery")]
    [InlineData("resume", "Lift a pause")]
    public async Task Help_EveryCommand_DescribesItselfAndExitsZero(string command, string description)
    {
        var exit = await bed.RunAsync(command, "--help");

        Assert.Equal(0, exit);
        Assert.Contains(description, bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Pulumi.Calls);
    }

    [Theory]
    [InlineData("failover")]
    [InlineData("failback")]
    [InlineData("rebuild-region")]
    [InlineData("rebuild-node", "--region", "fra")]
    public async Task Action_WithoutItsArguments_IsAUsageError(params string[] args)
    {
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync(args));
        Assert.Contains("is required", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_IsAUsageError() =>
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("failover", "--to", "dub", "--colour"));

    [Theory]
    [InlineData("rebuild-region", "fra")]       // the active region
    [InlineData("failover", "--to", "fra")]     // already active
    [InlineData("failover", "--to", "mars")]    // no such region
    [InlineData("rebuild-node", "--region", "fra", "--node", "prod-fra-es-9")]
    public async Task Action_ThatMakesNoSense_IsRefusedBeforeAnythingChanges(params string[] args)
    {
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync([.. args, "--yes"]));
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task RebuildRegion_WhenStdinIsNotATerminal_RefusesWithoutYes_BeforePlanning()
    {
        bed.InputIsTerminal = false;

        var exit = await bed.RunAsync("rebuild-region", "dub");

        Assert.Equal(ExitCodes.NotConfirmed, exit);
        Assert.DoesNotContain("RegionRebuild: rebuild region dub", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("stdin is not a terminal; pass --yes to proceed (--dry-run records the plan", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
        using var audit = AuditTrail.Open(bed.AuditPath, Redactor.None);
        Assert.Empty(audit.History(10));
    }

    [Fact]
    public async Task RebuildRegion_OperatorAnswersNo_NothingRuns()
    {
        bed.InputIsTerminal = true;
        bed.Input = "n\n";

        Assert.Equal(ExitCodes.NotConfirmed, await bed.RunAsync("rebuild-region", "dub"));
        Assert.Contains("[y/N]", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task RebuildRegion_OperatorConfirms_RunsEveryStepThroughPulumiWithProgress()
    {
        bed.InputIsTerminal = true;
        bed.Input = "y\n";

        var exit = await bed.RunAsync("rebuild-region", "dub");

        Assert.True(exit == 0, bed.Error.ToString() + bed.Out);
        Assert.Equal(
        [
            "config set --stack prod --path regions[1].generation 2 --type int --non-interactive",
            "config set --stack prod --path regions[1].state rebuilding --non-interactive",
            "up --stack prod --yes --skip-preview --non-interactive",
            "config set --stack prod --path regions[1].state standby --non-interactive",
            "up --stack prod --yes --skip-preview --non-interactive",
        ], bed.Changes);
        var output = bed.Out.ToString();
        Assert.Contains("[3/6] Build dub generation 2 (a brand-new cluster) ...", output, StringComparison.Ordinal);
        Assert.Contains("[4/6] done: met: cluster in dub green", output, StringComparison.Ordinal);
        Assert.Matches(@"RegionRebuild succeeded: recovery rec-\d{8}-\d{6}-[0-9a-f]{6}", output);
    }

    [Fact]
    public async Task RebuildRegion_OfAStackFileAwayFromTheProjectFile_NamesItInEveryConfigSetAndUp()
    {
        using var nested = new OperatorTestbed(stackDirectory: "stacks");

        var exit = await nested.RunAsync("rebuild-region", "dub", "--yes");

        Assert.True(exit == 0, nested.Error.ToString() + nested.Out);
        Assert.Equal(5, nested.Changes.Count);
        Assert.All(nested.Changes, c => Assert.StartsWith(
            c.StartsWith("up", StringComparison.Ordinal) ? "up --stack prod --config-file Pulumi.prod.yaml " : "config set --stack prod --config-file Pulumi.prod.yaml ",
            c, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rebuild-region", "dub")]
    [InlineData("failover", "--to", "dub")]
    [InlineData("rebuild-node", "--region", "dub", "--node", "prod-dub-es-3")]
    public async Task Action_WithAPulumiOlderThanItsFlags_IsRefusedNamingTheMinimum_BeforeAnythingChanges(params string[] args)
    {
        bed.Pulumi.Version = "v3.147.0";

        var exit = await bed.RunAsync([.. args, "--yes"]);

        Assert.Equal(ExitCodes.PulumiTooOld, exit);
        Assert.Contains("recovery needs v3.158.0 or newer", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
        Assert.DoesNotContain(bed.Dub.Requests, r => !r.StartsWith("GET ", StringComparison.Ordinal));
        using var audit = AuditTrail.Open(bed.AuditPath, Redactor.None);
        Assert.Empty(audit.History(10));
    }

    [Fact]
    public async Task Action_AsksPulumiItsVersionOnce()
    {
        Assert.Equal(0, await bed.RunAsync("rebuild-region", "dub", "--yes"));

        Assert.Single(bed.Pulumi.Calls, c => c[0] == "version");
    }

    [Fact]
    public async Task DryRun_RecordsThePlanAndRunsNothing()
    {
        var exit = await bed.RunAsync("rebuild-region", "dub", "--dry-run");

        Assert.Equal(0, exit);
        Assert.Empty(bed.Changes);
        using var audit = AuditTrail.Open(bed.AuditPath, Redactor.None);
        var recorded = Assert.Single(audit.History(10));
        Assert.Equal(6, recorded.Steps.Count);
        Assert.All(recorded.Steps, s => Assert.Equal(StepStatus.Skipped, s.Status));
    }

    [Fact]
    public async Task FailedStep_ExitsRecoveryFailed_AndResumeContinuesFromThatStep()
    {
        bed.Pulumi.FailOnly("up", "error: the provider could not be reached\n");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes", "--json");

        Assert.Equal(ExitCodes.RecoveryFailed, exit);
        var result = System.Text.Json.Nodes.JsonNode.Parse(bed.Out.ToString())!;
        Assert.Equal("failed", (string?)result["outcome"]);
        var id = (string)result["recoveryId"]!;
        Assert.Contains("[3/6] failed", bed.Error.ToString(), StringComparison.Ordinal);

        bed.Pulumi.Recover();
        var resumed = await bed.RunAsync("rebuild-region", "--resume", id, "--yes");

        Assert.True(resumed == 0, bed.Error.ToString() + bed.Out);
        Assert.Contains($"RegionRebuild succeeded: recovery {id}", bed.Out.ToString(), StringComparison.Ordinal);
        // The two config changes before the failed up ran once; the up ran again, then the rest.
        Assert.Equal(1, bed.Changes.Count(c => c.Contains("regions[1].generation 2", StringComparison.Ordinal)));
        Assert.Equal(3, bed.Changes.Count(c => c.StartsWith("up ", StringComparison.Ordinal)));
        using var audit = AuditTrail.Open(bed.AuditPath, Redactor.None);
        Assert.Equal(RecoveryStatus.Succeeded, audit.Recovery(id)!.Status);
    }

    [Fact]
    public async Task CrashedRecovery_BlocksNewActions_UntilResumedByItsId()
    {
        bed.Dub.HealthStatus = "yellow"; // the wait for green never ends: the "crash" comes during it
        using (var crash = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            await bed.RunAsync(crash.Token, "rebuild-region", "dub", "--yes");
        string id;
        using (var audit = AuditTrail.Open(bed.AuditPath, Redactor.None))
            id = Assert.Single(audit.Unfinished()).Id;

        Assert.Equal(ExitCodes.NotRun, await bed.RunAsync("failover", "--to", "dub", "--yes"));
        Assert.Contains($"es-dr-recovery rebuild-region --resume {id}", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("failover", "--resume", id, "--yes"));

        bed.Dub.HealthStatus = "green";
        Assert.Equal(0, await bed.RunAsync("rebuild-region", "--resume", id, "--yes"));
        Assert.Equal(2, bed.Changes.Count(c => c.StartsWith("up ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Failover_TargetLaggingWithUnknownLag_IsBlockedByTheLagLimit_AndRecordedAsDetection()
    {
        bed.Dub.Indices["orders-1"].FollowerGlobalCheckpoint = 2; // behind, and no database to measure time by

        var exit = await bed.RunAsync("failover", "--to", "dub", "--yes");

        Assert.Equal(ExitCodes.NotRun, exit);
        Assert.Contains("blocked by LagLimit: the promotion target's lag is unknown", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
        using var detections = EsDr.Recovery.Pipeline.DetectionLog.Open(bed.AuditPath);
        var detection = Assert.Single(detections.Recent(5));
        Assert.Equal(("RegionDown", "fra", "blocked:LagLimit"), (detection.Code, detection.Region, detection.Outcome));
    }

    [Fact]
    public async Task RebuildNode_ThatStillAnswers_IsDrainedReplacedThroughConfigAndUndrained()
    {
        var old = bed.Nodes("dub")[2];
        var (dryRun, replacement) = await bed.DryRunNodeRebuildAsync("dub", old);
        Assert.Equal(0, dryRun);
        Assert.NotEqual(old, replacement);
        bed.Dub.NodeNames = [.. bed.Dub.NodeNames, replacement]; // the new node joins at once

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", old, "--yes");

        Assert.True(exit == 0, bed.Error.ToString() + bed.Out);
        Assert.Equal("config set --stack prod --path regions[1].elasticsearch.nodeGenerations[\"3\"] 2 --type int --non-interactive", bed.Changes[0]);
        var up = bed.Changes[1];
        Assert.StartsWith("up --stack prod --yes --skip-preview --target-dependents --target ", up, StringComparison.Ordinal);
        Assert.Contains("::dub-es-3", up, StringComparison.Ordinal);
        Assert.DoesNotContain("::fra-", up, StringComparison.Ordinal);
        Assert.Equal(2, bed.Changes.Count);
        Assert.Equal(2, bed.Dub.Requests.Count(r => r.StartsWith("PUT /_cluster/settings {", StringComparison.Ordinal)));
        Assert.Empty(bed.Dub.PersistentSettings); // excluded while it drained, lifted at the end
    }

    [Fact]
    public async Task RebuildNode_OfAHealthyNodeWhileAnotherIsMissing_IsRefusedByTheQuorumRule_ChangingNothing()
    {
        var nodes = bed.Nodes("dub");
        bed.Dub.NodeNames = [nodes[0], nodes[1]]; // nodes[2] is missing

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", nodes[0], "--yes");

        Assert.True(exit == ExitCodes.NotRun, bed.Error.ToString() + bed.Out);
        Assert.Contains("blocked by Quorum: ", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
        Assert.DoesNotContain(bed.Dub.Requests, r => r == "PUT /_cluster/settings"); // not even drained
    }

    [Fact]
    public async Task RebuildNode_OfTheMissingNode_PassesTheQuorumRule()
    {
        var nodes = bed.Nodes("dub");
        bed.Dub.NodeNames = [nodes[0], nodes[1]];

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", nodes[2], "--dry-run");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.Contains("NodeRebuild dry-run", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RebuildNode_OfAHealthyNodeWhileAnotherIsMissing_WithForce_PassesTheQuorumRule()
    {
        var nodes = bed.Nodes("dub");
        bed.Dub.NodeNames = [nodes[0], nodes[1]];

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", nodes[0], "--force", "--dry-run");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.Contains("NodeRebuild dry-run", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RebuildNode_WhenTheClusterHasNoMaster_IsRefused_ForItsMembersCannotBeListed()
    {
        bed.Dub.NoMaster = true;

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", bed.Nodes("dub")[2], "--yes");

        Assert.Equal(ExitCodes.NotRun, exit);
        Assert.Contains("blocked by Quorum: no probe listed the nodes of dub lately", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task Acknowledge_InTheFormEarlierReleasesDocumented_WithNothingRecorded_SaysThereIsNoBlockPeriod()
    {
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("acknowledge", "--region", "fra"));

        Assert.Contains("no block period on fra", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondActionInARegion_WithinTheBlockPeriodTheFirstStarted_IsBlocked()
    {
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("rebuild-region", "dub", "--yes"));
        var changes = bed.Changes.Count;

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.True(exit == ExitCodes.NotRun, bed.Error.ToString() + bed.Out);
        Assert.Contains("blocked by BlockPeriod: a recovery for dub ", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Equal(changes, bed.Changes.Count);

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("ack", "dub"));
        Assert.Matches(@"acknowledged recovery rec-[-0-9a-f]+ in dub \(ran at .*\): its block period is lifted", bed.Out.ToString());
        Assert.True(await bed.RunAsync("rebuild-region", "dub", "--yes") == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
    }

    [Fact]
    public async Task PulumiErrorQuotingAPassword_IsRedactedInConsoleAndAudit()
    {
        bed.Pulumi.FailOnly("up", $"error: GET https://dub:9200 as elastic:{OperatorTestbed.DubPassword} refused\n");

        Assert.Equal(ExitCodes.RecoveryFailed, await bed.RunAsync("rebuild-region", "dub", "--yes"));

        var console = bed.Out.ToString() + bed.Error;
        Assert.Contains("as elastic:[redacted] refused", console, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorTestbed.DubPassword, console, StringComparison.Ordinal);
        using var audit = AuditTrail.Open(bed.AuditPath, Redactor.None);
        var failed = Assert.Single(Assert.Single(audit.History(5)).Steps, s => s.Status == StepStatus.Failed);
        Assert.Contains("elastic:[redacted]", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorTestbed.DubPassword, failed.Detail, StringComparison.Ordinal);
    }
}

/// <summary>The real program as a process, its stdin a pipe (not a terminal), the stand-in pulumi first on its PATH.</summary>
[Collection("live processes")]
public sealed class OperatorProcessTests : IDisposable
{
    private readonly OperatorTestbed bed = new();

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Action_FromAPipedStdin_RefusesWithoutYes_AndRunsWithIt()
    {
        var refused = await RunProgramAsync("rebuild-region", "dub");
        Assert.Equal(ExitCodes.NotConfirmed, refused.Exit);
        Assert.Contains("stdin is not a terminal", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(bed.Changes);

        var confirmed = await RunProgramAsync("rebuild-region", "dub", "--yes");
        Assert.True(confirmed.Exit == 0, confirmed.Stderr + confirmed.Stdout);
        Assert.Equal(5, bed.Changes.Count);
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunProgramAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(StatusCommand).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var a in new[] { "--stack-file", bed.StackFile.FullName, "--audit-db", bed.AuditPath }) start.ArgumentList.Add(a);
        start.Environment["PATH"] = bed.Pulumi.SearchPath;
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>What an operator sees when the stack cannot be read.</summary>
[Collection("live processes")]
public sealed class OperatorUnavailableTests : IDisposable
{
    private readonly OperatorTestbed bed = new();

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task NotDeployed_ExitsUnavailable_SayingSo()
    {
        bed.Pulumi.StackOutputJson = "{}";

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("status"));
        Assert.Contains("stack prod has no 'regions' output: has it been deployed (pulumi up)?", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LockedStack_ExitsUnavailable_WithPulumisReason()
    {
        bed.Pulumi.FailWith("error: the stack is currently locked by 1 lock(s)\n");

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("failover", "--to", "dub", "--yes"));
        Assert.Contains("the stack is locked by another update", bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialsUnreadable_ExitsUnavailable_NamingTheEnvironmentFallback()
    {
        bed.Pulumi.SetSecretOutput("credentials", "{\"regions\": {\"fra\": {\"elasticPassword\": 42}}}");

        Assert.Equal(ExitCodes.Unavailable, await bed.RunAsync("status"));
        var error = bed.Error.ToString();
        Assert.Contains("cannot read the credentials of stack prod (credentials.regions.fra.elasticPassword is missing or not a string)", error, StringComparison.Ordinal);
        Assert.Contains("ESDR_ELASTIC_PASSWORD_<REGION>, ESDR_MYSQL_USER and ESDR_MYSQL_PASSWORD", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidStackConfig_ExitsInvalidConfig_NamingTheKey()
    {
        File.AppendAllText(bed.StackFile.FullName, "  es-dr:recovery:\n    blockPeriod: soon\n");

        Assert.Equal(ExitCodes.InvalidConfig, await bed.RunAsync("status"));
        Assert.Contains("es-dr:recovery.blockPeriod: must be a duration", bed.Error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>HAProxy regions: the endpoint follows the active region, so a region's own cluster is probed at <c>clusterEndpoint</c>.</summary>
[Collection("live processes")]
public sealed class ClusterEndpointTests : IDisposable
{
    private readonly OperatorTestbed bed = new(endpointsFollowActive: true);

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Status_ProbesEachRegionsOwnCluster_AndItsEndpointSeparately()
    {
        bed.Dub.HealthStatus = "red"; // dub's own cluster; its endpoint leads to fra's, which is green

        Assert.Equal(ExitCodes.Degraded, await bed.RunAsync("status", "--json"));

        var dub = System.Text.Json.Nodes.JsonNode.Parse(bed.Out.ToString())!["regions"]![1]!;
        Assert.Equal("red", (string?)dub["cluster"]!["status"]);
        Assert.True((bool)dub["endpoint"]!["healthy"]!);
        Assert.Equal(bed.Fra.Url.ToString(), (string?)dub["endpoint"]!["url"]);
        Assert.Contains(bed.Dub.Requests, r => r == "GET /_cluster/health");
    }
}
