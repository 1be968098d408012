using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Watch;

/// <summary>
/// What <c>/metrics</c> shows: the CCR series the alert rules read (<see cref="AlertRules.CcrLagMetric"/>,
/// <see cref="AlertRules.CcrFatalMetric"/>; elasticsearch_exporter has no CCR collector) from the latest probe
/// snapshot (<c>watch</c>) or follower sample (<c>serve</c>, <see cref="FollowerSampler"/>), labelled region, cluster
/// (the follower's cluster name) and follower_index; and the daemon's own gauges.
/// </summary>
internal static class DaemonMetrics
{
    /// <param name="sampled">The clusters <c>serve</c> sampled for their followers; null: the loop's latest probe.</param>
    public static IReadOnlyList<MetricFamily> Collect(
        WatchLoop loop, IReadOnlyDictionary<string, string> clusterByRegion, bool paused, long recoveriesStarted,
        IReadOnlyList<ClusterObservation>? sampled = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(clusterByRegion);
        var observed = sampled ?? loop.History.Recent().LastOrDefault(s => s.Vantage == "probe")?.Clusters;
        var clusters = observed?.Where(c => c.Reachable && c.Saw(ClusterFacets.Followers)).OrderBy(c => c.Region, StringComparer.Ordinal).ToList()
            ?? [];
        string Cluster(string region) => clusterByRegion.TryGetValue(region, out var name) ? name : region;
        return
        [
            new(AlertRules.CcrLagMetric, "Operations a CCR follower index is behind its leader (sum over shards of leader minus follower global checkpoint).", "gauge",
                [.. clusters.SelectMany(c => c.Followers.OrderBy(f => f.Index, StringComparer.Ordinal).Select(f => new MetricSample(
                    [new("region", c.Region), new("cluster", Cluster(c.Region)), new("follower_index", f.Index)], f.LagOperations)))]),
            new(AlertRules.CcrFatalMetric, "Follower indices whose follow stats carry a fatal exception.", "gauge",
                [.. clusters.Select(c => new MetricSample([new("region", c.Region), new("cluster", Cluster(c.Region))], c.Followers.Count(f => f.FatalError is not null)))]),
            new("esdr_watch_rounds_total", "Probe rounds the daemon completed since it started.", "counter", [new([], loop.Rounds)]),
            new("esdr_watch_last_round_duration_seconds", "How long the last probe round took.", "gauge", [new([], loop.LastRoundDuration.TotalSeconds)]),
            new("esdr_watch_recoveries_started_total", "Recoveries the daemon started (run or recorded as a dry run) since it started.", "counter", [new([], recoveriesStarted)]),
            new("esdr_watch_active_diagnoses", "Diagnoses in force after the last round.", "gauge", [new([], loop.Active.Count)]),
            new("esdr_watch_alertmanager_last_read_timestamp_seconds", "When Alertmanager's active alerts were last read (Unix time); absent until the first read succeeds.", "gauge",
                loop.LastAlertPull is { } pulled ? [new([], pulled.ToUnixTimeMilliseconds() / 1000.0)] : []),
            new("esdr_watch_paused", "1 while recoveries are paused (es-dr-recovery pause, or the pause file es-dr:recovery.pauseFile exists): nothing acts.", "gauge", [new([], paused ? 1 : 0)]),
        ];
    }

    /// <summary>The stack as the daemon last loaded it: which region it protects as active, and how often it reloaded.</summary>
    public static IReadOnlyList<MetricFamily> Stack(string activeRegion, int reloads) =>
    [
        new("esdr_watch_active_region", "The region the daemon protects as active (1 on its label), as the stack it last loaded says.", "gauge",
            [new([new("region", activeRegion)], 1)]),
        new("esdr_watch_stack_reloads_total", "Times the daemon loaded the stack again (after a recovery, or when its file changed) since it started.", "counter",
            [new([], reloads)]),
    ];
}
