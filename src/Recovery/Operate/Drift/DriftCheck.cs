using System.Globalization;
using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;

namespace EsDr.Recovery.Operate.Drift;

/// <summary>
/// A recovery-owned field the config would change against what is deployed: its config path, the region it belongs
/// to (null for <c>activeRegion</c>), both values, what the change would do, the recovery command that makes such a
/// change properly, and how to accept the deployed value instead.
/// </summary>
internal sealed record Drift(string Field, string? Region, string Deployed, string Config, string Change, string Recovery, string Accept)
{
    public JsonObject ToJson() => new()
    {
        ["field"] = Field, ["region"] = Region, ["deployed"] = Deployed, ["config"] = Config,
        ["change"] = Change, ["recovery"] = Recovery, ["accept"] = Accept,
    };
}

/// <summary>What <see cref="DriftCheck"/> found: the refused changes, and the differences it lets through (each said why).</summary>
internal sealed record DriftReport(IReadOnlyList<Drift> Drifts, IReadOnlyList<string> Notes)
{
    public bool Agrees => Drifts.Count == 0;
}

/// <summary>
/// Compares the recovery-owned fields of a config about to be applied (by CI's <c>pulumi preview</c>/<c>up</c>) with
/// the deployed outputs. Recovery owns <c>activeRegion</c>, each region's <c>state</c> and <c>generation</c>, and the
/// node generations: they change only through its commands, which do the steps around the change (fence, promote,
/// drain, wait). A config that differs there would undo or skip a recovery, so every such difference is refused,
/// with one exception: marking a region that is not the active one <c>lost</c> (it only takes the region out of
/// service; the way back is <c>rebuild-region</c>, which this check guards). A region only the config has is new, and
/// one only the deployment has is removed from the stack: neither is an owned field (a new or removed active region
/// shows as a change of <c>activeRegion</c>).
/// </summary>
internal static class DriftCheck
{
    /// <param name="command">How to invoke recovery for the hints: <c>es-dr-recovery</c> with the stack's options.</param>
    public static DriftReport Compare(DeployedOutputs deployed, StackConfig config, RecoveryInvocation command)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(command);
        var drifts = new List<Drift>();
        var notes = new List<string>();

        if (deployed.ActiveRegion != config.ActiveRegion)
            drifts.Add(ActiveRegion(deployed, config, command));

        for (var i = 0; i < config.Regions.Count; i++)
        {
            var region = config.Regions[i];
            if (!deployed.Regions.TryGetValue(region.Name, out var was))
            {
                notes.Add($"{region.Name} is not deployed: the up creates it ({StackConfigParser.Spell(region.State)}, generation {region.Generation})");
                continue;
            }
            var state = StackConfigParser.Spell(region.State);
            if (was.State != state)
            {
                if (region.State == RegionState.Lost && region.Name != deployed.ActiveRegion)
                    notes.Add($"{region.Name} is marked lost by hand (deployed {was.State}): allowed; the up takes it out of service, rebuild-region brings it back");
                else
                    drifts.Add(State(i, region.Name, was.State, state, deployed, config, command));
            }
            if (was.Generation != region.Generation)
            {
                drifts.Add(RegionGeneration(i, region.Name, was.Generation, region.Generation, config, command));
                // Another generation is another cluster: its nodes' generations are not comparable.
                continue;
            }
            foreach (var node in was.Nodes)
            {
                if (node.Ordinal > region.Elasticsearch.Nodes) continue; // the config removes the node: not an owned field
                var generation = region.Elasticsearch.NodeGenerations.GetValueOrDefault(node.Ordinal, 1);
                if (generation != node.Generation)
                    drifts.Add(NodeGeneration(i, region.Name, node, generation, config, command));
            }
        }
        foreach (var name in deployed.Regions.Keys.Where(n => config.Regions.All(r => r.Name != n)))
            notes.Add($"{name} is deployed ({deployed.Regions[name].State}) but not in the config: the up deletes it");
        return new DriftReport(drifts, notes);
    }

    private static Drift ActiveRegion(DeployedOutputs deployed, StackConfig config, RecoveryInvocation command)
    {
        var (from, to) = (deployed.ActiveRegion, config.ActiveRegion);
        var recovery = deployed.Regions.TryGetValue(to, out var target) && target.State == "standby"
            ? $"{command.Run($"failback --to {to}")} (lossless, {from} healthy) or {command.Run($"failover --to {to}")} ({from} lost)"
            : $"{to} is {(target is null ? "not deployed" : target.State)}: {(target is null ? "deploy it as a standby first" : command.Run($"rebuild-region {to}"))}, then {command.Run($"failback --to {to}")}";
        return new Drift("activeRegion", null, from, to, $"would move the active region from {from} to {to}", recovery,
            Accept(config, command, "activeRegion", from, isInt: false));
    }

    private static Drift State(int index, string region, string was, string now, DeployedOutputs deployed, StackConfig config, RecoveryInvocation command)
    {
        var (change, recovery) = (was, now) switch
        {
            ("lost", _) => ($"would revive lost region {region} as {now}", command.Run($"rebuild-region {region}")),
            ("active", _) => ($"would take {region} from active to {now}", FailoverAway(region, deployed, command)),
            (_, "active") => ($"would make {region} active (was {was})", $"{command.Run($"failback --to {region}")} or {command.Run($"failover --to {region}")}"),
            _ => ($"would change {region} from {was} to {now}", command.Run($"rebuild-region {region}")),
        };
        return new Drift($"regions[{index}].state", region, was, now, change, recovery, Accept(config, command, $"regions[{index}].state", was, isInt: false));
    }

    private static string FailoverAway(string region, DeployedOutputs deployed, RecoveryInvocation command)
    {
        var standby = deployed.Regions.FirstOrDefault(r => r.Key != region && r.Value.State == "standby").Key ?? "<standby>";
        return $"{command.Run($"failover --to {standby}")} (or failback --to {standby})";
    }

    private static Drift RegionGeneration(int index, string region, int was, int now, StackConfig config, RecoveryInvocation command)
    {
        var change = now < was
            ? $"would lower {region}'s generation from {was} to {now} (back to a cluster that was replaced)"
            : $"would raise {region}'s generation from {was} to {now} (a brand-new, empty cluster, without the rebuild's waits and replication set-up)";
        var recovery = region == config.ActiveRegion && now > was
            ? $"fail over first ({command.Run("failover --to <standby>")}), then {command.Run($"rebuild-region {region}")}"
            : command.Run($"rebuild-region {region}");
        return new Drift($"regions[{index}].generation", region, Int(was), Int(now), change, recovery,
            Accept(config, command, $"regions[{index}].generation", Int(was), isInt: true));
    }

    private static Drift NodeGeneration(int index, string region, DeployedNode node, int now, StackConfig config, RecoveryInvocation command)
    {
        var change = now < node.Generation
            ? $"would lower node {node.Ordinal} of {region} ({node.Name}) from generation {node.Generation} to {now} (back to a node that was replaced)"
            : $"would raise node {node.Ordinal} of {region} ({node.Name}) from generation {node.Generation} to {now} (replacing it without draining it)";
        var path = $"regions[{index}].elasticsearch.nodeGenerations[\"{node.Ordinal}\"]";
        return new Drift(path, region, Int(node.Generation), Int(now), change,
            command.Run($"rebuild-node --region {region} --node {node.Name}"), Accept(config, command, path, Int(node.Generation), isInt: true));
    }

    /// <summary>How to take the deployed value: set the config back to it.</summary>
    private static string Accept(StackConfig config, RecoveryInvocation command, string path, string value, bool isInt)
    {
        var nested = path.Contains('.', StringComparison.Ordinal) || path.Contains('[', StringComparison.Ordinal);
        var file = command.ConfigFile is null ? "" : $" --config-file {command.ConfigFile}";
        return $"set {path} back to {value}: pulumi config set --stack {config.Stack}{file}{(nested ? " --path" : "")} {Shell(path)} {value}{(isInt ? " --type int" : "")}";
    }

    private static string Shell(string word) =>
        word.Any(c => c is '[' or ']' or '"' or ' ') ? "'" + word + "'" : word;

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The recovery program as the hints spell it: <c>es-dr-recovery COMMAND --stack-file F [--stack S]</c>.</summary>
internal sealed record RecoveryInvocation(string StackFile, string? Stack)
{
    /// <summary>The stack file for <c>pulumi config set --config-file</c>, where pulumi would not pick it itself.</summary>
    public string? ConfigFile { get; init; }

    public string Run(string command) =>
        $"es-dr-recovery {command} --stack-file {StackFile}{(Stack is null ? "" : $" --stack {Stack}")}";
}
