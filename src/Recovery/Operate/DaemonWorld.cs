using System.Security.Cryptography;
using EsDr.Infra.Config;
using EsDr.Infra.Topology;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Operate;

/// <summary>
/// What the stack file held when it was read: its size, time and content hash. A file rewritten with the same
/// content (a checkout, a <c>touch</c>) is not a change; a size or time that differs is only confirmed by the hash.
/// </summary>
internal sealed record StackFileStamp(long Length, DateTime LastWriteUtc, string Sha256)
{
    /// <summary>The file as it is now; null when it cannot be read (missing, moved away mid-write).</summary>
    public static StackFileStamp? Of(FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            file.Refresh();
            if (!file.Exists) return null;
            return new StackFileStamp(file.Length, file.LastWriteTimeUtc, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName))));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether the file now holds other content than this stamp says (hashing only when size or time moved).</summary>
    public bool ChangedIn(FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.Refresh();
        if (file.Exists && file.Length == Length && file.LastWriteTimeUtc == LastWriteUtc) return false;
        return Of(file) is not { } now || now.Sha256 != Sha256;
    }
}

/// <summary>
/// One loaded view of the stack the daemon protects: the deployment (config and outputs), its services (connections,
/// audit, lease), the pipeline that plans against this deployment, and what the watch loop watches. The daemon holds
/// one at a time and swaps it whole when the stack changes (<see cref="DaemonReloader"/>), so a plan, a probe and the
/// expected topology always come from the same load.
/// </summary>
internal sealed class DaemonWorld : IDisposable
{
    private DaemonWorld(RecoveryServices services, StackFileStamp? stamp, IReadOnlyCollection<AutoRecovery> allowed, WatchTarget target,
        IReadOnlyDictionary<string, string> clusterNames, AuditTrail audit, Interventions interventions, RecoveryPipeline pipeline)
    {
        Services = services;
        Stamp = stamp;
        Allowed = allowed;
        Target = target;
        ClusterNames = clusterNames;
        Audit = audit;
        Interventions = interventions;
        Pipeline = pipeline;
    }

    public RecoveryServices Services { get; }
    public Deployment Deployment => Services.Deployment;

    /// <summary>The stack file as it was before this world read it; null: unreadable then.</summary>
    public StackFileStamp? Stamp { get; }

    /// <summary>The recoveries <c>es-dr:recovery.auto</c> allows.</summary>
    public IReadOnlyCollection<AutoRecovery> Allowed { get; }

    public WatchTarget Target { get; }

    /// <summary>Each region's cluster name (the <c>cluster</c> label the exporters and alert rules use).</summary>
    public IReadOnlyDictionary<string, string> ClusterNames { get; }

    public AuditTrail Audit { get; }
    public Interventions Interventions { get; }
    public RecoveryPipeline Pipeline { get; }

    /// <summary>Why recoveries are paused (the pause file or <c>es-dr-recovery pause</c>), or null.</summary>
    public string? PauseReason => PauseState.Reason(Services.PipelineOptions.PauseFile, Interventions);

    /// <param name="serve"><c>serve</c> probes nothing: its only vantage is the alerts.</param>
    /// <param name="latestProbe">The loop's latest "probe" snapshot, which the daemon's planning reads its facts from.</param>
    public static DaemonWorld Build(RecoveryServices services, StackFileStamp? stamp, bool serve, Func<HealthSnapshot?> latestProbe, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(latestProbe);
        var deployment = services.Deployment;
        var allowed = deployment.Config.Recovery?.Auto ?? [];
        var audit = services.OpenAudit();
        var plans = services.OpenPlans();
        var interventions = services.OpenInterventions();
        var pipeline = services.Pipeline(d => DaemonPlanning.PlanFor(d, deployment, allowed, latestProbe()), audit, plans, logger);
        var clusterNames = TopologyBuilder.Build(deployment.Config).Regions.ToDictionary(r => r.Name, r => r.ClusterName, StringComparer.Ordinal);
        var target = new WatchTarget(
            DaemonPlanning.Expected(deployment),
            serve ? [] : [.. deployment.Regions.Select(r => services.Probes[r.Name])],
            serve ? [] : Peers(services, clusterNames),
            DaemonPlanning.AutoCodes(allowed));
        return new DaemonWorld(services, stamp, allowed, target, clusterNames, audit, interventions, pipeline);
    }

    /// <summary>Each region's followers, read for <c>serve</c>'s <c>/metrics</c> (<see cref="FollowerSampler"/>).</summary>
    public IReadOnlyDictionary<string, Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>>> FollowerReaders() =>
        Services.Clusters.ToDictionary(
            c => c.Key,
            c => (Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>>)new ElasticsearchObserver(c.Value, c.Key).FollowersAsync,
            StringComparer.Ordinal);

    /// <summary>What changed from <paramref name="before"/> that the operator should hear about, in a few words.</summary>
    public string Describe(DaemonWorld? before)
    {
        var config = Deployment.Config;
        var said = new List<string> { $"active region {config.ActiveRegion}" };
        if (before is not null && before.Deployment.Config.ActiveRegion != config.ActiveRegion)
            said[0] += $" (was {before.Deployment.Config.ActiveRegion})";
        said.AddRange(config.Regions.Where(r => r.State != RegionState.Active && r.State != RegionState.Standby)
            .Select(r => $"{r.Name} {StackConfigParser.Spell(r.State)}"));
        said.Add("automatic: " + (Allowed.Count == 0 ? "none" : string.Join(", ", Allowed)));
        return string.Join("; ", said);
    }

    public void Dispose() => Services.Dispose();

    /// <summary>Every region's cluster asked about the others; a remote is known by its region's name or its cluster's name.</summary>
    private static List<IPeerProbe> Peers(RecoveryServices services, IReadOnlyDictionary<string, string> clusterNames)
    {
        var byAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (region, cluster) in clusterNames)
        {
            byAlias[region] = region;
            byAlias[cluster] = region;
        }
        return [.. services.Clusters.Select(c => (IPeerProbe)new RemoteInfoPeerProbe(c.Key, c.Value, byAlias))];
    }
}
