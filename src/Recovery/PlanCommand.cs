using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Recovery.Operate;
using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery plan --simulate SCENARIO [--stack-file FILE] [--json]</c>: the dry run of a recovery,
/// offline from a stack's config alone: every Elasticsearch and MySQL call and <c>pulumi</c> command, in order.
/// </summary>
internal static class PlanCommand
{
    private static readonly Option<string> Simulate = new("--simulate")
    {
        Description = $"the failure to plan for: {string.Join(", ", Planner.Scenarios)}",
        Required = true,
    };

    private static readonly Option<FileInfo> StackFileOption = new("--stack-file")
    {
        Description = "the stack's config (default: Pulumi.prod.yaml)",
        DefaultValueFactory = _ => new FileInfo("Pulumi.prod.yaml"),
    };

    private static readonly Option<bool> Json = new("--json") { Description = "machine-readable output" };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        Simulate.AcceptOnlyFromAmong([.. Planner.Scenarios]);
        var command = new Command("plan", "Print the ordered steps of a recovery (a dry run) without doing anything.") { Simulate, StackFileOption, Json };
        command.SetAction(result => Execute(result.GetRequiredValue(Simulate), result.GetRequiredValue(StackFileOption), result.GetValue(Json), stdout, stderr));
        return command;
    }

    public static int Execute(string scenario, FileInfo stackFile, bool json, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var (plan, stack) = PlanFor(scenario, stackFile);
            if (json)
            {
                var steps = new JsonArray(plan.Steps.Select(s => (JsonNode)s.Render()).ToArray());
                stdout.WriteLine(new JsonObject { ["scenario"] = scenario, ["stack"] = stack, ["steps"] = steps }
                    .ToJsonString(JsonOutput.Indented));
            }
            else
            {
                stdout.Write(plan.Render());
            }
            return ExitCodes.Ok;
        }
        catch (ConfigFileUnreadableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.FileNotFound;
        }
        catch (InvalidConfigException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            return ExitCodes.InvalidConfig;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidConfig;
        }
    }

    /// <summary>A scenario's plan for a stack file, its pulumi commands naming that file where pulumi would not find it.</summary>
    internal static (RecoveryPlan Plan, string Stack) PlanFor(string scenario, FileInfo stackFile)
    {
        ArgumentNullException.ThrowIfNull(stackFile);
        var project = ProjectFile.ProjectNameFor(stackFile.FullName);
        var file = StackFile.Load(stackFile.FullName, project);
        var config = StackConfigParser.Parse(project, file.Stack, file.Config, file.SecretKeys);
        return (Planner.Simulate(scenario, config, PulumiConfigFile.ArgumentFor(stackFile.FullName, file.Stack)), file.Stack);
    }
}
