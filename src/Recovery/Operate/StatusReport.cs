using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Operate;

/// <summary>One region as <c>status</c> shows it: config facts, what the probe saw, and every problem found.</summary>
internal sealed record RegionStatus(
    string Name,
    string State,
    int Generation,
    Uri? Endpoint,
    bool? EndpointHealthy,
    ClusterObservation? Cluster,
    IReadOnlyList<string> ExpectedNodes,
    string? DatabaseRole,
    DatabaseObservation? Database,
    IReadOnlyList<string> Problems);

/// <summary>
/// The whole stack's health: healthy only when no region has a problem. <see cref="RegionActions"/> is set when the
/// config lets one vantage's word move a region, so whoever looks at the stack sees that it may.
/// </summary>
internal sealed record StatusReport(string Stack, string ActiveRegion, IReadOnlyList<RegionStatus> Regions, string? RegionActions = null)
{
    public bool Healthy => Regions.All(r => r.Problems.Count == 0) && UnpublishedConfig.Count == 0;

    /// <summary>
    /// Recoveries whose change to the stack file is not on the git remote yet (<c>es-dr:recovery.git</c>): until it is,
    /// the next <c>pulumi up</c> from the repository undoes it, so the stack counts as degraded.
    /// </summary>
    public IReadOnlyList<Execute.Git.PublicationRecord> UnpublishedConfig { get; init; } = [];

    /// <summary>One line per unpublished config change, as the plain output and the terminal's table say it.</summary>
    public IEnumerable<string> UnpublishedConfigLines() =>
        UnpublishedConfig.Select(p => $"recovery {p.RecoveryId} ({p.Kind}: {p.Summary}): {p.Describe()}");

    /// <summary>The pause, block periods and interventions (<c>status</c> reads them from the audit database); not a health fact.</summary>
    public RecoveryControls Controls { get; init; } = RecoveryControls.None;

    /// <summary>
    /// Pure: judges each region's probe against what should be there. A lost or rebuilding region, an endpoint
    /// that fails, a cluster that is not green or misses nodes, a follower that is paused, failing or lagging
    /// beyond the analysis limits, a database that cannot be reached or answers with an error, a writable
    /// replica or a read-only primary, stopped replica threads or a replica lagging too far are problems.
    /// </summary>
    public static StatusReport Evaluate(Deployment deployment, IReadOnlyList<HealthSnapshot> snapshots, AnalysisThresholds thresholds,
        IReadOnlyDictionary<string, string> probeProblems)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(thresholds);
        var regions = new List<RegionStatus>();
        foreach (var config in deployment.Config.Regions)
        {
            var address = deployment.Regions.SingleOrDefault(r => r.Name == config.Name);
            var cluster = snapshots.SelectMany(s => s.Clusters).FirstOrDefault(c => c.Region == config.Name);
            var database = snapshots.SelectMany(s => s.Databases).FirstOrDefault(d => d.Region == config.Name);
            var endpoint = snapshots.SelectMany(s => s.Endpoints).FirstOrDefault(e => e.Region == config.Name);
            var expected = address?.ExpectedNodes ?? [];
            var problems = new List<string>();
            if (probeProblems.TryGetValue(config.Name, out var probeProblem)) problems.Add($"probe: {probeProblem}");
            if (config.State is RegionState.Lost or RegionState.Rebuilding)
                problems.Add($"region is {StackConfigParser.Spell(config.State)}");
            ClusterProblems(config.Name, address, cluster, endpoint, expected, config.State == RegionState.Active, thresholds, problems);
            DatabaseProblems(address?.Database?.Role, address?.Database is not null, database, thresholds, problems);
            regions.Add(new RegionStatus(config.Name, StackConfigParser.Spell(config.State), config.Generation, address?.Endpoint,
                endpoint?.Healthy, cluster, expected, address?.Database?.Role, database, problems));
        }
        return new StatusReport(deployment.Config.Stack, deployment.Config.ActiveRegion, regions, RegionActionRule.SingleVantageNotice(thresholds));
    }

    private static void ClusterProblems(string region, RegionAddress? address, ClusterObservation? cluster, EndpointObservation? endpoint,
        IReadOnlyList<string> expected, bool active, AnalysisThresholds thresholds, List<string> problems)
    {
        if (address?.Cluster is null)
        {
            problems.Add("no endpoint in the stack outputs");
            return;
        }
        if (cluster is null) return;
        if (endpoint is { Healthy: false }) problems.Add("endpoint unhealthy");
        if (!cluster.Reachable) { problems.Add("cluster unreachable"); return; }
        if (!cluster.HasMaster) { problems.Add("cluster has no elected master"); return; }
        if (cluster.Status != ClusterStatus.Green) problems.Add($"cluster is {cluster.Status?.ToString().ToLowerInvariant() ?? "of unknown health"}");
        var missing = expected.Except(cluster.NodeNames, StringComparer.Ordinal).ToList();
        if (missing.Count > 0) problems.Add($"missing node(s): {string.Join(", ", missing)}");
        foreach (var f in cluster.Followers)
        {
            if (f.FatalError is not null) problems.Add($"follower {f.Index} failed: {f.FatalError}");
            else if (!f.Active && !active) problems.Add($"follower {f.Index} is paused");
            else if (f.LagOperations > thresholds.CcrLagLimitOperations)
                problems.Add($"follower {f.Index} is {f.LagOperations.ToString(CultureInfo.InvariantCulture)} operations behind");
        }
    }

    private static void DatabaseProblems(string? role, bool expected, DatabaseObservation? db, AnalysisThresholds thresholds, List<string> problems)
    {
        if (!expected || db is null) return;
        if (!db.Reachable) { problems.Add("database unreachable"); return; }
        if (db.SqlError is { } error) { problems.Add($"database answered with an error: {error}"); return; }
        if (role == "primary" && db.ReadOnly) problems.Add("primary database is read-only");
        if (role == "primary" && db.IsReplica) problems.Add("primary database still replicates from another server");
        if (role == "replica")
        {
            if (!db.IsReplica) problems.Add("replica database does not replicate");
            else if (!db.IoThreadRunning || !db.SqlThreadRunning)
                problems.Add($"replica threads stopped (IO {(db.IoThreadRunning ? "running" : "stopped")}, SQL {(db.SqlThreadRunning ? "running" : "stopped")})");
            else if (db.SecondsBehind is { } behind && behind > thresholds.MySqlLagLimitSeconds)
                problems.Add($"replica is {behind.ToString(CultureInfo.InvariantCulture)} s behind");
            if (!db.ReadOnly) problems.Add("replica database is writable");
        }
    }

    /// <summary>The human table: one block per region.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"stack {Stack}  active region {ActiveRegion}  {(Healthy ? "HEALTHY" : "DEGRADED")}\n");
        if (RegionActions is not null)
            sb.Append(RegionActions).Append('\n');
        foreach (var line in Controls.Lines()) sb.Append(line).Append('\n');
        foreach (var line in UnpublishedConfigLines())
            sb.Append("! ").Append(line).Append('\n');
        foreach (var r in Regions)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n{r.Name}  {r.State}  generation {r.Generation}  {(r.Problems.Count == 0 ? "ok" : "PROBLEMS")}\n");
            sb.Append(CultureInfo.InvariantCulture, $"  endpoint   {r.Endpoint?.ToString() ?? "-"}  {EndpointHealth(r)}\n");
            if (r.Cluster is { } c)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"  cluster    {ClusterHealth(c)}  master {(c.HasMaster ? "elected" : "none")}  nodes {c.NodeNames.Count}/{r.ExpectedNodes.Count}\n");
                foreach (var f in c.Followers)
                    sb.Append(CultureInfo.InvariantCulture, $"  follower   {FollowerText(f)}\n");
            }
            if (r.Database is { } d)
                sb.Append(CultureInfo.InvariantCulture, $"  database   {r.DatabaseRole ?? "?"}  {DatabaseText(d)}\n");
            foreach (var p in r.Problems) sb.Append("  ! ").Append(p).Append('\n');
        }
        return sb.ToString();
    }

    // The wording of each fact, shared by the plain lines and the terminal's table so both say the same thing.

    public static string EndpointHealth(RegionStatus region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.EndpointHealthy switch { true => "healthy", false => "unhealthy", null => "not probed" };
    }

    public static string ClusterHealth(ClusterObservation cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return !cluster.Reachable ? "unreachable" : !cluster.HasMaster ? "no master" : cluster.Status?.ToString().ToLowerInvariant() ?? "unknown";
    }

    public static string FollowerText(FollowerObservation follower)
    {
        ArgumentNullException.ThrowIfNull(follower);
        return string.Create(CultureInfo.InvariantCulture,
            $"{follower.Index}  {(follower.Active ? "active" : "paused")}  lag {follower.LagOperations} ops{(follower.FatalError is null ? "" : $"  FATAL {follower.FatalError}")}");
    }

    public static string DatabaseText(DatabaseObservation d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return !d.Reachable ? "unreachable"
            : d.SqlError is not null ? "answered with an error"
            : $"read_only {(d.ReadOnly ? "ON" : "OFF")}" + (d.IsReplica
                ? $"  IO {(d.IoThreadRunning ? "running" : "stopped")}  SQL {(d.SqlThreadRunning ? "running" : "stopped")}  behind {(d.SecondsBehind is { } s ? s.ToString(CultureInfo.InvariantCulture) + " s" : "?")}"
                : "  not replicating");
    }

    public JsonObject ToJson()
    {
        var json = Json();
        // Only when set: the default output stays as scripts know it.
        if (RegionActions is not null)
            json["regionActions"] = RegionActions;
        json["recovery"] = Controls.ToJson();
        if (UnpublishedConfig.Count > 0)
        {
            json["unpublishedConfig"] = new JsonArray(UnpublishedConfig.Select(p => (JsonNode)new JsonObject
            {
                ["recoveryId"] = p.RecoveryId, ["kind"] = p.Kind, ["summary"] = p.Summary, ["commit"] = p.Commit,
                ["attempts"] = p.Attempts, ["lastError"] = p.LastError, ["lastAttemptAt"] = p.LastAttemptAt,
            }).ToArray());
        }
        return json;
    }

    private JsonObject Json() => new()
    {
        ["stack"] = Stack,
        ["activeRegion"] = ActiveRegion,
        ["healthy"] = Healthy,
        ["regions"] = new JsonArray(Regions.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Name,
            ["state"] = r.State,
            ["generation"] = r.Generation,
            ["endpoint"] = new JsonObject { ["url"] = r.Endpoint?.ToString(), ["healthy"] = r.EndpointHealthy },
            ["cluster"] = r.Cluster is not { } c ? null : new JsonObject
            {
                ["reachable"] = c.Reachable,
                ["status"] = c.Status?.ToString().ToLowerInvariant(),
                ["hasMaster"] = c.HasMaster,
                ["nodesExpected"] = new JsonArray(r.ExpectedNodes.Select(n => (JsonNode)n).ToArray()),
                ["nodesPresent"] = new JsonArray(c.NodeNames.Select(n => (JsonNode)n).ToArray()),
                ["followers"] = new JsonArray(c.Followers.Select(f => (JsonNode)new JsonObject
                {
                    ["index"] = f.Index, ["active"] = f.Active, ["lagOperations"] = f.LagOperations, ["fatalError"] = f.FatalError,
                }).ToArray()),
            },
            ["database"] = r.Database is not { } d ? null : new JsonObject
            {
                ["role"] = r.DatabaseRole,
                ["reachable"] = d.Reachable,
                ["readOnly"] = d.ReadOnly,
                ["replicating"] = d.IsReplica,
                ["ioThreadRunning"] = d.IoThreadRunning,
                ["sqlThreadRunning"] = d.SqlThreadRunning,
                ["secondsBehind"] = d.SecondsBehind,
                ["gtidPosition"] = d.GtidPosition,
                ["sqlError"] = d.SqlError,
            },
            ["problems"] = new JsonArray(r.Problems.Select(p => (JsonNode)p).ToArray()),
        }).ToArray()),
    };
}
