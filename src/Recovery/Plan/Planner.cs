using System.Globalization;
using EsDr.Infra.Config;
using EsDr.Infra.Topology;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Plan;

/// <summary>The stack config, what the stack outputs list, and resource types: all a planner reads.</summary>
internal sealed record PlanContext(StackConfig Config, StackView View, ResourceTypeResolver Types)
{
    /// <summary>
    /// The <c>--config-file</c> value for the commands that read or write the stack's config (<c>config set</c>,
    /// <c>up</c>), relative to the stack file's directory where pulumi runs; null when pulumi finds the stack file itself.
    /// </summary>
    public string? ConfigFile { get; init; }

    /// <summary>What every URN of the stack starts with: <c>urn:pulumi:STACK::PROJECT::</c>.</summary>
    public string UrnPrefix => $"urn:pulumi:{Config.Stack}::{Config.Project}::";

    /// <summary>A top-level resource's URN, as <c>--target</c> takes it.</summary>
    public string Urn(string logicalName) => $"{UrnPrefix}{Types(logicalName)}::{logicalName}";

    public int IndexOf(string region)
    {
        for (var i = 0; i < Config.Regions.Count; i++)
            if (Config.Regions[i].Name == region) return i;
        throw new ArgumentException($"no region '{region}' in the config", nameof(region));
    }
}

/// <summary>Which parts of the lost side still answer (planning never probes; observation decides).</summary>
internal sealed record Reachability(bool Elasticsearch, bool MySql);

/// <summary>
/// One replicated index: the standby's follower and the leader index it follows on the active cluster (as follow
/// info names it). es-dr's replication set-up keeps the leader's names, so the two are equal unless someone made a
/// follower by hand under another name.
/// </summary>
internal sealed record ReplicatedIndex(string Follower, string Leader)
{
    /// <summary>Followers that keep their leaders' names, as es-dr's set-up makes them.</summary>
    public static IReadOnlyList<ReplicatedIndex> SameNames(params IEnumerable<string> names) =>
        [.. names.Select(n => new ReplicatedIndex(n, n))];
}

/// <summary>
/// Pure planners: diagnosis facts in, ordered idempotent steps out. Every infrastructure change goes
/// through the stack config (<c>pulumi config set --path</c>) and a re-run of the stack, so config stays
/// the single source of truth; nothing here ever re-bootstraps a running cluster.
/// </summary>
internal static class Planner
{

    /// <summary>
    /// Replace one node: drain it if it answers, bump its generation in config, and run a targeted up of its
    /// old and new resources, the region's balancer (membership) and everything that refers to them (other
    /// regions' firewall rules admitting the node, HAProxy config pushes naming it). The bump renames the node's
    /// logical resources, so Pulumi creates the new ones and deletes the old ones; <c>--target-replace</c> would
    /// replace the old URN in place and leave config saying the old generation. The new node joins through
    /// <c>discovery.seed_hosts</c> (it is not a founding node, so <c>cluster.initial_master_nodes</c> is not set).
    /// </summary>
    public static RecoveryPlan NodeRebuild(PlanContext ctx, string region, string nodeName, bool nodeAnswers)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var i = ctx.IndexOf(region);
        var regionView = ctx.View.Region(region);
        var node = regionView.Nodes.SingleOrDefault(n => n.Name == nodeName)
            ?? throw new ArgumentException($"no node '{nodeName}' in region '{region}'", nameof(nodeName));
        var next = node.Generation + 1;

        var regionConfig = ctx.Config.Regions[i];
        var generations = new Dictionary<int, int>(regionConfig.Elasticsearch.NodeGenerations) { [node.Ordinal] = next };
        var bumped = ctx.Config with
        {
            Regions = ctx.Config.Regions.Select(r => r.Name != region ? r
                : r with { Elasticsearch = r.Elasticsearch with { NodeGenerations = generations } }).ToList(),
        };
        var oldTopology = TopologyBuilder.Build(ctx.Config).Regions.Single(r => r.Name == region).Nodes.Single(n => n.Ordinal == node.Ordinal);
        var newTopology = TopologyBuilder.Build(bumped).Regions.Single(r => r.Name == region).Nodes.Single(n => n.Ordinal == node.Ordinal);
        var newResources = node.Resources.Select(r => r.StartsWith(oldTopology.LogicalName, StringComparison.Ordinal)
            ? newTopology.LogicalName + r[oldTopology.LogicalName.Length..] : r).ToList();
        // The new resources are not deployed yet: each is of its predecessor's type (the bump renames, nothing else).
        var predecessor = newResources.Zip(node.Resources).Where(p => p.First != p.Second)
            .ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var deployedTypes = ctx.Types;
        ctx = ctx with { Types = name => deployedTypes(predecessor.GetValueOrDefault(name, name)) };

        var steps = new List<RecoveryStep>();
        if (nodeAnswers)
            steps.Add(ElasticsearchCall.Of(region, ElasticsearchApi.PersistentSetting(ElasticsearchApi.ExcludeByName, nodeName),
                $"Move shards off {nodeName} (exclude it from shard allocation)",
                "Setting a persistent value is idempotent; GET /_cluster/settings shows it already set."));
        steps.Add(Config(ctx, [$"regions[{i}].elasticsearch.nodeGenerations[\"{node.Ordinal}\"]", Int(next), "--type", "int"],
            $"Bump node {node.Ordinal} of {region} to generation {next} (a new {newTopology.Name})",
            $"Sets the absolute value {next}, never an increment; a re-run writes the same value."));
        var targets = node.Resources.Concat(newResources).Concat(regionView.BalancerResources).Distinct(StringComparer.Ordinal);
        steps.Add(Up(ctx, TargetingWithDependents(ctx, targets),
            $"Create {newTopology.Name}, delete {nodeName}, update {region}'s balancer and what names them; nothing else",
            "Pulumi compares desired and actual state; a re-run after success has no changes."));
        steps.Add(new WaitFor($"Wait for {newTopology.Name} to join", new NodeJoined(region, newTopology.Name),
            "A condition; true at once on a re-run."));
        steps.Add(new WaitFor($"Wait for {region} to be green", new ClusterGreen(region), "A condition; true at once on a re-run."));
        if (nodeAnswers)
            steps.Add(ElasticsearchCall.Of(region, ElasticsearchApi.PersistentSetting(ElasticsearchApi.ExcludeByName, null),
                $"Lift the allocation exclusion of {nodeName}",
                "Clearing a setting is idempotent; GET /_cluster/settings shows it absent."));
        return new RecoveryPlan(RecoveryKind.NodeRebuild, $"rebuild node {nodeName} in {region}", steps);
    }

    /// <summary>
    /// Move writes and traffic from a lost region to a standby: fence the old side where it still answers (a write
    /// block on the leader indices the standby follows, read_only on the old primary), promote followers and the
    /// replica, mark regions in config, and re-run the stack on everything but the lost region (its cloud API may be
    /// down). The lost region's balancer leaves DNS with the config change (state lost). Fencing comes first: an
    /// application in the old region writing to its own nodes by private address would otherwise keep writing into a
    /// cluster nobody follows any more. A lost cluster that does not answer cannot be fenced; the summary says so.
    /// </summary>
    public static RecoveryPlan RegionFailover(
        PlanContext ctx, string from, string to, Reachability lost, IReadOnlyList<ReplicatedIndex> replicated)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(lost);
        ArgumentNullException.ThrowIfNull(replicated);
        var steps = new List<RecoveryStep>();
        if (lost.Elasticsearch)
            steps.AddRange(BlockWrites(from, replicated, $"Fence leader index {{0}} in {from}: refuse writes"));
        if (lost.MySql)
            steps.Add(Fence(ctx, from, $"Fence the old primary in {from}"));
        steps.AddRange(Promote(ctx, to, replicated));
        steps.Add(Config(ctx, ["activeRegion", to], $"Make {to} the active region", "Sets an absolute value."));
        steps.Add(Config(ctx, [$"regions[{ctx.IndexOf(from)}].state", "lost"], $"Mark {from} lost", "Sets an absolute value."));
        steps.Add(Config(ctx, [$"regions[{ctx.IndexOf(to)}].state", "active"], $"Mark {to} active", "Sets an absolute value."));
        // The monitoring site is left out too: nothing in it follows the active region, and it may live on
        // the lost region's cloud, whose API may be down.
        var lostResources = ctx.View.Region(from).AllResources.Concat(ctx.View.MonitoringResources).ToHashSet(StringComparer.Ordinal);
        steps.Add(Up(ctx, Excluding(ctx, lostResources),
            $"Point DNS/balancers at {to} and update everything outside {from}",
            "Pulumi compares desired and actual state; a re-run after success has no changes."));
        var unfenced = !lost.Elasticsearch && replicated.Count > 0
            ? $" ({from}'s cluster did not answer: its indices are not write-blocked)"
            : "";
        return new RecoveryPlan(RecoveryKind.RegionFailover, $"fail over from {from} to {to}{unfenced}", steps);
    }

    /// <summary>
    /// Rebuild a lost region from code: a new generation (new names for everything), node generations reset,
    /// a full up, then standby; the stack's replication command makes the new cluster follow the primary and
    /// the new MySQL node replicate from it.
    /// </summary>
    public static RecoveryPlan RegionRebuild(PlanContext ctx, string region)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var i = ctx.IndexOf(region);
        var config = ctx.Config.Regions[i];
        var next = config.Generation + 1;
        var steps = new List<RecoveryStep>
        {
            Config(ctx, [$"regions[{i}].generation", Int(next), "--type", "int"],
                $"Bump {region} to generation {next}", $"Sets the absolute value {next}; a re-run writes the same value."),
        };
        // `pulumi config rm` is not among the commands recovery uses; generation 1 is what an absent key means.
        foreach (var ordinal in config.Elasticsearch.NodeGenerations.Keys.Order())
            steps.Add(Config(ctx, [$"regions[{i}].elasticsearch.nodeGenerations[\"{ordinal}\"]", "1", "--type", "int"],
                $"Reset node {ordinal} of {region} to generation 1", "Sets an absolute value."));
        steps.Add(Config(ctx, [$"regions[{i}].state", "rebuilding"], $"Mark {region} rebuilding", "Sets an absolute value."));
        steps.Add(Up(ctx, [], $"Build {region} generation {next} (a brand-new cluster)",
            "Pulumi compares desired and actual state; a re-run after success has no changes."));
        steps.Add(new WaitFor($"Wait for the new cluster in {region} to be green", new ClusterGreen(region),
            "A condition; true at once on a re-run."));
        steps.Add(Config(ctx, [$"regions[{i}].state", "standby"], $"Mark {region} standby", "Sets an absolute value."));
        steps.Add(Up(ctx, [], $"Set up replication from the active region into {region}",
            "Pulumi compares desired and actual state; a re-run after success has no changes."));
        return new RecoveryPlan(RecoveryKind.RegionRebuild, $"rebuild region {region}", steps);
    }

    /// <summary>
    /// Planned, lossless return to <paramref name="to"/>: stop writes on the current active side (read_only on its
    /// primary, a write block on the leader indices <paramref name="to"/> follows — a leader that refuses writes still
    /// serves its history to followers, so the lag reaches 0), wait for zero lag, promote <paramref name="to"/> and
    /// make sure its promoted indices take writes (a block left from an earlier fence would keep the region that
    /// becomes active read-only), swap states, and a full up (both regions are healthy, and the stack's replication
    /// command reverses replication). The old side's indices stay write-blocked: they are no longer written, and
    /// followers made in their place do not inherit the block (Elasticsearch never copies <c>index.blocks.*</c> from a
    /// leader to its follower).
    /// </summary>
    public static RecoveryPlan Failback(PlanContext ctx, string to, IReadOnlyList<ReplicatedIndex> replicated)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(replicated);
        var from = ctx.Config.ActiveRegion;
        var followers = replicated.Select(r => r.Follower).ToList();
        var steps = new List<RecoveryStep> { Fence(ctx, from, $"Stop writes to MySQL in {from}") };
        steps.AddRange(BlockWrites(from, replicated, $"Stop writes to {{0}} in {from}"));
        steps.AddRange(
        [
            new WaitFor($"Wait until writes to {from} have stopped", new WritesStopped(from), "A condition; true at once on a re-run."),
            new WaitFor($"Wait for CCR lag 0 in {to}", new CcrLagZero(to, followers), "A condition; true at once on a re-run."),
            new WaitFor($"Wait for the MySQL replica in {to} to catch up", new MySqlCaughtUp(to, from, SqlDialect.For(ctx.Config)), "A condition; true at once on a re-run."),
        ]);
        steps.AddRange(Promote(ctx, to, replicated));
        steps.AddRange(followers.Select(index => ElasticsearchCall.Of(to, ElasticsearchApi.WriteBlock(index, false),
            $"Let writes into {index} in {to}", "Setting a value that is already set changes nothing.")));
        steps.Add(Config(ctx, ["activeRegion", to], $"Make {to} the active region", "Sets an absolute value."));
        steps.Add(Config(ctx, [$"regions[{ctx.IndexOf(to)}].state", "active"], $"Mark {to} active", "Sets an absolute value."));
        steps.Add(Config(ctx, [$"regions[{ctx.IndexOf(from)}].state", "standby"], $"Mark {from} standby", "Sets an absolute value."));
        steps.Add(Up(ctx, [], $"Point DNS at {to} and reverse replication ({from} follows {to})",
            "Pulumi compares desired and actual state; a re-run after success has no changes."));
        return new RecoveryPlan(RecoveryKind.Failback, $"fail back from {from} to {to}", steps);
    }

    /// <summary>The offline scenarios of <c>plan --simulate</c>, from <see cref="DiagnosisCatalog"/>.</summary>
    public static IReadOnlyList<string> Scenarios { get; } = [.. DiagnosisCatalog.Scenarios.Select(s => s.Name)];

    /// <summary>
    /// The plan a scenario would run, from the config alone (compiled offline into the outputs contract it would
    /// deploy, <see cref="StackView.Offline"/>). Follower indices are not
    /// knowable offline: the config's replication index patterns stand in for them.
    /// </summary>
    public static RecoveryPlan Simulate(string scenario, StackConfig config, string? configFile = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var simulated = DiagnosisCatalog.Scenarios.FirstOrDefault(s => s.Name == scenario)
            ?? throw new ArgumentException($"unknown scenario '{scenario}' (known: {string.Join(", ", Scenarios)})", nameof(scenario));
        var (view, types) = StackView.Offline(config);
        var ctx = new PlanContext(config, view, types) { ConfigFile = configFile };
        var active = config.ActiveRegion;
        var standby = config.Regions.FirstOrDefault(r => r.Name != active && r.State == RegionState.Standby)?.Name;
        // Offline the follower indices are unknown: each index pattern stands in, marked <…> so the printed
        // calls read as placeholders, never as requests to send to a wildcard.
        var indices = ReplicatedIndex.SameNames((config.Replication?.IndexPatterns ?? []).Select(p => $"<{p}>"));
        string Standby() => standby ?? throw new ArgumentException($"scenario '{scenario}' needs a standby region", nameof(config));
        switch (simulated.Action)
        {
            case AutoRecovery.NodeRebuild:
                // The failed node is the active region's last; its new resources take their predecessors' types.
                return NodeRebuild(ctx, active, view.Region(active).Nodes[^1].Name, nodeAnswers: simulated.FailedSideAnswers);
            case AutoRecovery.RegionFailover:
                // A red cluster answers (its old side is fenced); a lost region does not.
                return RegionFailover(ctx, active, Standby(),
                    new Reachability(simulated.FailedSideAnswers, simulated.FailedSideAnswers), indices);
            case AutoRecovery.RegionRebuild:
                // The standby is lost, or its replication cannot be repaired in place: rebuild it from the primary.
                return RegionRebuild(ctx, Standby());
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), simulated.Action, "no planner for this recovery");
        }
    }

    /// <summary>
    /// One <c>index.blocks.write: true</c> per leader index on <paramref name="region"/>'s cluster. A leader that refuses
    /// writes still serves its operations to followers (reads), so CCR keeps catching up; <paramref name="purpose"/>
    /// takes the index name as {0}.
    /// </summary>
    private static IEnumerable<RecoveryStep> BlockWrites(string region, IReadOnlyList<ReplicatedIndex> replicated, string purpose) =>
        replicated.Select(r => r.Leader).Distinct(StringComparer.Ordinal).Select(index => ElasticsearchCall.Of(region,
            ElasticsearchApi.WriteBlock(index, true), string.Format(CultureInfo.InvariantCulture, purpose, index),
            "Setting a value that is already set changes nothing."));

    private static IEnumerable<RecoveryStep> Promote(PlanContext ctx, string region, IReadOnlyList<ReplicatedIndex> replicated)
    {
        foreach (var index in replicated.Select(r => r.Follower))
        {
            yield return ElasticsearchCall.Of(region, ElasticsearchApi.PauseFollow(index), $"Pause following {index} in {region}",
                "Skipped when GET /{index}/_ccr/info shows it paused or not a follower.");
            yield return ElasticsearchCall.Of(region, ElasticsearchApi.Close(index), $"Close {index} in {region}",
                "Closing a closed index is accepted; skipped when it is no longer a follower.");
            yield return ElasticsearchCall.Of(region, ElasticsearchApi.Unfollow(index), $"Turn {index} in {region} into a regular index",
                "Skipped when GET /{index}/_ccr/info no longer lists it.");
            yield return ElasticsearchCall.Of(region, ElasticsearchApi.Open(index), $"Open {index} in {region} for writes",
                "Opening an open index is accepted.");
        }
        var sql = SqlDialect.For(ctx.Config);
        yield return new MySqlStatement(region, sql.StopReplication + ";", $"Stop replication into {region}", "Stopping a stopped replica only warns.");
        yield return new MySqlStatement(region, sql.ForgetPrimary + ";", $"Forget the old primary in {region}", "Resetting a reset replica changes nothing.");
        yield return new MySqlStatement(region, sql.MakeWritable + ";", $"Make MySQL in {region} writable", "read_only is a setting; setting it again changes nothing.");
    }

    /// <summary>Makes <paramref name="region"/>'s server refuse client writes, in the stack's engine's dialect.</summary>
    private static MySqlStatement Fence(PlanContext ctx, string region, string purpose)
    {
        var sql = SqlDialect.For(ctx.Config);
        return new MySqlStatement(region, sql.Fence + ";", purpose, $"{sql.FenceVariable} is a setting; setting it again changes nothing.");
    }

    private static PulumiCommand Config(PlanContext ctx, string[] keyValueAndFlags, string purpose, string idempotency)
    {
        var path = keyValueAndFlags[0].Contains('.', StringComparison.Ordinal) || keyValueAndFlags[0].Contains('[', StringComparison.Ordinal);
        var args = new List<string> { "config", "set", "--stack", ctx.Config.Stack };
        AddConfigFile(ctx, args);
        if (path) args.Add("--path");
        args.AddRange(keyValueAndFlags);
        return new PulumiCommand(args, purpose, idempotency);
    }

    /// <summary><c>pulumi up</c> of the whole stack, or of the part <paramref name="selection"/> (its flags) picks.</summary>
    private static PulumiCommand Up(PlanContext ctx, IEnumerable<string> selection, string purpose, string idempotency)
    {
        var args = new List<string> { "up", "--stack", ctx.Config.Stack };
        AddConfigFile(ctx, args);
        args.AddRange(["--yes", "--skip-preview"]);
        args.AddRange(selection);
        return new PulumiCommand(args, purpose, idempotency);
    }

    /// <summary>
    /// These resources, by URN, and whatever refers to them. pulumi v3.259 (pkg/resource/deploy/): a literal
    /// <c>--target</c> may name a resource not yet in state, as the new node's are — <c>deploymentExecutor.checkTargets</c>
    /// accepts one the program registered in this run (<c>stepGen.urns</c>). With <c>--target-dependents</c>,
    /// <c>stepGenerator.isTargetedForUpdate</c> also targets a resource whose provider or any dependency
    /// (<c>GetAllDependencies</c>: parent, dependsOn, property dependencies, deletedWith) is already targeted, and
    /// <c>continueStepsFromImport</c> adds it to <c>targetsActual</c> in registration order, so it reaches dependents of
    /// dependents. Pulumi YAML records every <c>${resource…}</c> a property uses as a property dependency
    /// (pulumi-yaml pkg/pulumiyaml/run.go <c>registerResource</c>; sdk/go/pulumi/context.go
    /// <c>prepareResourceInputs</c>), so the other regions' firewall rules and HAProxy config pushes that carry the
    /// node's address are picked up, and a region's own push through its <c>dependsOn</c> on the balancer. For
    /// deletes, <c>GenerateDeletes</c> allows the old node's dependents in state (<c>getTargetDependents</c>: the
    /// rules naming it, renamed with it) and, with the flag, does not fail the update for deleting them unlisted.
    /// </summary>
    private static IEnumerable<string> TargetingWithDependents(PlanContext ctx, IEnumerable<string> resources) =>
        resources.SelectMany(r => new[] { "--target", ctx.Urn(r) }).Prepend("--target-dependents");

    /// <summary>
    /// Everything but these resources, named by the fewest URN globs that select exactly them (<see cref="UrnGlobs"/>).
    /// With <c>--exclude</c> (operations/up.go <c>NewUpCmd</c> → engine <c>UpdateOptions.Excludes</c>), pulumi v3.259's
    /// pkg/resource/deploy/step_generator.go leaves an excluded resource as it is in state: <c>isIncludedInOperation</c>
    /// is false, so its provider's Check is stubbed with the old inputs and it gets a same step (no provider call), and
    /// <c>GenerateDeletes</c> never deletes it (<c>determineForbiddenResourcesToDeleteFromExcludes</c>). Everything else
    /// is updated, created or deleted as the program says: resources only the new config has are created (a
    /// <c>--target</c> list would skip them), resources it drops are deleted. Not <c>--exclude-dependents</c>: it would
    /// also exclude whatever refers to an excluded resource, transitively (<c>isExcludedFromUpdate</c> over
    /// <c>excludesActual</c>) — in the example stacks the new active region's balancer through the firewall rules that
    /// admit the lost region's nodes, the DNS records behind it, the standby's HAProxy config — and keep the lost
    /// region's DNS records and replication command that the failover removes (<c>getExcludeDependencies</c>).
    /// Providers take part whatever the flags (<c>isImplicitlyTargetedResource</c>); excluding one changes nothing.
    /// </summary>
    private static IEnumerable<string> Excluding(PlanContext ctx, IReadOnlySet<string> resources) =>
        UrnGlobs.Covering(resources, ctx.View.AllResources, ctx.UrnPrefix).SelectMany(g => new[] { "--exclude", g });

    /// <summary>Without it, pulumi would read and write <c>Pulumi.&lt;stack&gt;.yaml</c> beside the project file instead.</summary>
    private static void AddConfigFile(PlanContext ctx, List<string> args)
    {
        if (ctx.ConfigFile is { } file) args.AddRange(["--config-file", file]);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
