using System.CommandLine;
using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Operate.Drift;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery check-drift [--stack-file F] [--stack S] [--json]</c>: run by CI before <c>pulumi preview</c>
/// and <c>pulumi up</c>, it refuses a config that would change a recovery-owned field against what is deployed
/// (<see cref="DriftCheck"/>). Reads only the stack file and <c>pulumi stack output --json</c>: no credentials, no
/// database, no audit trail. Exits 0 when they agree (or nothing is deployed yet), <see cref="ExitCodes.Drift"/>
/// naming each field, <see cref="ExitCodes.Unavailable"/> when the outputs cannot be read.
/// </summary>
internal static class CheckDriftCommand
{
    public static Command Create(OperatorHost host)
    {
        var options = new OperatorOptions();
        var command = new Command("check-drift",
            "Refuse a config that would undo a recovery: compare activeRegion, region states and generations and node generations with the deployed outputs (exit 0 agree, 8 drift, 69 unreadable).");
        command.Options.Add(options.StackFile);
        command.Options.Add(options.Stack);
        command.Options.Add(options.Json);
        command.SetAction((result, cancellationToken) => ExecuteAsync(host,
            result.GetRequiredValue(options.StackFile), result.GetValue(options.Stack), result.GetValue(options.Json), cancellationToken));
        return command;
    }

    public static async Task<int> ExecuteAsync(OperatorHost host, FileInfo stackFile, string? stackName, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(stackFile);
        var (output, error) = (host.Console.Out, host.Console.Error);
        StackConfig config;
        try
        {
            var project = ProjectFile.ProjectNameFor(stackFile.FullName);
            var file = StackFile.Load(stackFile.FullName, project);
            config = StackConfigParser.Parse(project, stackName ?? file.Stack, file.Config, file.SecretKeys);
        }
        catch (ConfigFileUnreadableException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.FileNotFound;
        }
        catch (InvalidConfigException e)
        {
            foreach (var problem in e.Errors) await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return ExitCodes.InvalidConfig;
        }

        DriftReport report;
        try
        {
            // Older outputs (before the contract) carry the owned fields too: CI can still check before the up that upgrades them.
            var deployed = await DeploymentLoader.ReadOutputsAsync(host.Pulumi(stackFile.Directory!), config.Stack, cancellationToken, requireCurrent: false)
                .ConfigureAwait(false);
            var invocation = new RecoveryInvocation(stackFile.ToString(), stackName)
            {
                ConfigFile = PulumiConfigFile.ArgumentFor(stackFile.FullName, config.Stack) is null ? null : stackFile.ToString(),
            };
            report = DriftCheck.Compare(deployed, config, invocation);
        }
        catch (DeploymentUnavailableException e) when (e.NothingDeployed)
        {
            report = new DriftReport([], [$"stack {config.Stack} has no outputs: nothing is deployed to compare with"]);
        }
        catch (Exception e) when (e is DeploymentUnavailableException or PulumiNotInstalledException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }

        await output.WriteAsync(json ? Json(config.Stack, report).ToJsonString(JsonOutput.Indented) + "\n" : Render(config.Stack, report)).ConfigureAwait(false);
        return report.Agrees ? ExitCodes.Ok : ExitCodes.Drift;
    }

    private static JsonObject Json(string stack, DriftReport report) => new()
    {
        ["stack"] = stack,
        ["agrees"] = report.Agrees,
        ["drift"] = new JsonArray(report.Drifts.Select(d => (JsonNode)d.ToJson()).ToArray()),
        ["notes"] = new JsonArray(report.Notes.Select(n => (JsonNode)n).ToArray()),
    };

    private static string Render(string stack, DriftReport report)
    {
        var text = new System.Text.StringBuilder();
        foreach (var note in report.Notes) text.Append("note: ").Append(note).Append('\n');
        if (report.Agrees)
            return text.Append($"stack {stack}: the config agrees with the deployed recovery-owned fields\n").ToString();
        text.Append($"stack {stack}: the config would change {report.Drifts.Count} recovery-owned field{(report.Drifts.Count == 1 ? "" : "s")}; nothing may apply it:\n");
        foreach (var d in report.Drifts)
        {
            text.Append($"drift: {d.Field}: deployed {d.Deployed}, config {d.Config}: {d.Change}\n");
            text.Append($"  to make this change: {d.Recovery}\n");
            text.Append($"  to keep what is deployed: {d.Accept}\n");
        }
        return text.ToString();
    }
}
