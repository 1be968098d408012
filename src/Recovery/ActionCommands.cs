using System.CommandLine;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery;

/// <summary>The options every action shares: confirmation, dry run, resume.</summary>
internal sealed class ActionOptions
{
    public OperatorOptions Stack { get; } = new();
    public Option<bool> Yes { get; } = new("--yes", "-y") { Description = "do not ask for confirmation (needed when stdin is not a terminal)" };
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "run guard rails, hooks and lease, record the plan in the audit trail, run no step" };
    public Option<string?> Resume { get; } = new("--resume") { Description = "continue the unfinished recovery with this id (its stored plan), instead of planning a new one" };

    public Command Command(string name, string description)
    {
        var command = new Command(name, description);
        Stack.AddTo(command);
        command.Options.Add(Yes);
        command.Options.Add(DryRun);
        command.Options.Add(Resume);
        return command;
    }

    public ActionRequest Request(ParseResult result) =>
        new(result.GetValue(Yes), result.GetValue(DryRun), result.GetValue(Stack.Json), result.GetValue(Resume));

    public Task<int> RunAsync(OperatorHost host, ParseResult result, RecoveryKind kind,
        Func<RecoveryServices, CancellationToken, Task<PlannedAction>>? plan, CancellationToken cancellationToken) =>
        RecoveryAction.RunAsync(host, result.GetRequiredValue(Stack.StackFile), result.GetValue(Stack.Stack), result.GetValue(Stack.AuditDb),
            Request(result), kind, plan, cancellationToken);

    /// <summary>Without <c>--resume</c>, the command's own arguments are required.</summary>
    public static async Task<int> MissingAsync(OperatorHost host, string what)
    {
        await host.Console.Error.WriteLineAsync($"error: {what} is required (unless --resume ID)").ConfigureAwait(false);
        return ExitCodes.Usage;
    }
}

/// <summary><c>es-dr-recovery rebuild-node --region R --node N</c>: replace one Elasticsearch node through the stack.</summary>
internal static class RebuildNodeCommand
{
    public static Command Create(OperatorHost host)
    {
        var options = new ActionOptions();
        var region = new Option<string?>("--region") { Description = "the node's region" };
        var node = new Option<string?>("--node") { Description = "the node's name, as status lists it (e.g. acme-use1-es-2)" };
        var force = new Option<bool>("--force") { Description = "rebuild even when that leaves the cluster fewer than a majority of its master-eligible nodes, or when its members cannot be listed" };
        var command = options.Command("rebuild-node", "Replace one node: drain it if it answers, bump its generation in config, targeted pulumi up, wait until it joins and the cluster is green.");
        command.Options.Add(region);
        command.Options.Add(node);
        command.Options.Add(force);
        command.SetAction((result, ct) =>
        {
            if (result.GetValue(options.Resume) is null && (result.GetValue(region) is null || result.GetValue(node) is null))
                return ActionOptions.MissingAsync(host, "--region and --node");
            return options.RunAsync(host, result, RecoveryKind.NodeRebuild,
                (s, c) => ActionPlanning.NodeRebuildAsync(s, result.GetValue(region)!, result.GetValue(node)!, result.GetValue(force), c), ct);
        });
        return command;
    }
}

/// <summary><c>es-dr-recovery failover --to R [--force]</c>: move writes and traffic from the active region to R.</summary>
internal static class FailoverCommand
{
    public static Command Create(OperatorHost host)
    {
        var options = new ActionOptions();
        var to = new Option<string?>("--to") { Description = "the standby region to promote" };
        var force = new Option<bool>("--force") { Description = "fail over even when the target's replication lag is unknown or above es-dr:recovery.maxPromotionLag" };
        var command = options.Command("failover", "Fail over from the active region: fence the old primary if it answers, promote followers and the MySQL replica, switch config, pulumi up outside the lost region.");
        command.Options.Add(to);
        command.Options.Add(force);
        command.SetAction((result, ct) =>
        {
            if (result.GetValue(options.Resume) is null && result.GetValue(to) is null) return ActionOptions.MissingAsync(host, "--to");
            return options.RunAsync(host, result, RecoveryKind.RegionFailover,
                (s, c) => ActionPlanning.FailoverAsync(s, result.GetValue(to)!, result.GetValue(force), c), ct);
        });
        return command;
    }
}

/// <summary><c>es-dr-recovery rebuild-region R</c>: build a lost region anew from code, following the active region.</summary>
internal static class RebuildRegionCommand
{
    public static Command Create(OperatorHost host)
    {
        var options = new ActionOptions();
        var region = new Argument<string?>("region") { Description = "the lost region to rebuild", Arity = ArgumentArity.ZeroOrOne };
        var command = options.Command("rebuild-region", "Rebuild a lost region: a new generation, a full pulumi up, wait for green, then standby with replication from the active region.");
        command.Arguments.Add(region);
        command.SetAction((result, ct) =>
        {
            if (result.GetValue(options.Resume) is null && result.GetValue(region) is null) return ActionOptions.MissingAsync(host, "the region");
            return options.RunAsync(host, result, RecoveryKind.RegionRebuild,
                (s, _) => ActionPlanning.RegionRebuildAsync(s, result.GetValue(region)!), ct);
        });
        return command;
    }
}

/// <summary><c>es-dr-recovery failback --to R</c>: the planned, lossless return of writes to a healthy standby.</summary>
internal static class FailbackCommand
{
    public static Command Create(OperatorHost host)
    {
        var options = new ActionOptions();
        var to = new Option<string?>("--to") { Description = "the standby region to make active again" };
        var command = options.Command("failback", "Fail back without loss: stop writes, wait for zero lag, promote R, reverse replication, point DNS at R.");
        command.Options.Add(to);
        command.SetAction((result, ct) =>
        {
            if (result.GetValue(options.Resume) is null && result.GetValue(to) is null) return ActionOptions.MissingAsync(host, "--to");
            return options.RunAsync(host, result, RecoveryKind.Failback,
                (s, c) => ActionPlanning.FailbackAsync(s, result.GetValue(to)!, c), ct);
        });
        return command;
    }
}
