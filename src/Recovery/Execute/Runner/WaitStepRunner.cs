using System.Globalization;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Execute.Runner;

/// <summary>
/// Runs <see cref="WaitFor"/> steps: probes the regions the condition names every <paramref name="pollInterval"/>
/// until it holds, or fails the step after <paramref name="timeout"/> saying what it last saw. Time comes from
/// <paramref name="time"/>, so tests advance it instead of sleeping.
/// </summary>
internal sealed class WaitStepRunner(
    IReadOnlyDictionary<string, IRegionProbe> probes, TimeProvider time, TimeSpan pollInterval, TimeSpan timeout) : IStepRunner
{
    public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        if (step is not WaitFor wait)
            throw new ArgumentException($"not a wait step: {step?.Render()}", nameof(step));
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var (met, seen) = await CheckAsync(wait.Condition, cancellationToken).ConfigureAwait(false);
            if (met) return "met: " + seen;
            if (time.GetUtcNow() >= deadline)
                throw new TimeoutException($"not met within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {wait.Condition.Render()}; last seen: {seen}");
            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the condition holds now, and what was seen (for the audit detail or the timeout message).</summary>
    internal async Task<(bool Met, string Seen)> CheckAsync(WaitCondition condition, CancellationToken cancellationToken)
    {
        switch (condition)
        {
            case ClusterGreen c:
                {
                    var cluster = await ClusterAsync(c.Region, cancellationToken).ConfigureAwait(false);
                    return (cluster?.Status == ClusterStatus.Green, $"cluster in {c.Region} {Describe(cluster)}");
                }
            case NodeJoined n:
                {
                    var cluster = await ClusterAsync(n.Region, cancellationToken).ConfigureAwait(false);
                    var nodes = cluster?.NodeNames ?? [];
                    return (nodes.Contains(n.Node, StringComparer.Ordinal), $"nodes in {n.Region}: {(nodes.Count == 0 ? "none" : string.Join(", ", nodes))}");
                }
            case WritesStopped w:
                {
                    var db = await DatabaseAsync(w.Region, cancellationToken).ConfigureAwait(false);
                    return (db is { Queried: true, ReadOnly: true },
                        Unknown(db, w.Region) ?? $"read_only={(db!.ReadOnly ? "ON" : "OFF")} in {w.Region}");
                }
            case CcrLagZero l:
                {
                    var cluster = await ClusterAsync(l.Region, cancellationToken).ConfigureAwait(false);
                    var followers = (cluster?.Followers ?? []).ToDictionary(f => f.Index, StringComparer.Ordinal);
                    var behind = l.Indices.Select(i => followers.TryGetValue(i, out var f)
                            ? f.LagOperations == 0 ? null : $"{i} {f.LagOperations.ToString(CultureInfo.InvariantCulture)} ops behind"
                            : $"{i} not seen")
                        .OfType<string>().ToList();
                    return (cluster is { Reachable: true } && behind.Count == 0,
                        behind.Count == 0 ? $"{l.Indices.Count.ToString(CultureInfo.InvariantCulture)} follower(s) at lag 0" : string.Join("; ", behind));
                }
            case MySqlCaughtUp m:
                {
                    var replica = await DatabaseAsync(m.Replica, cancellationToken).ConfigureAwait(false);
                    var primary = await DatabaseAsync(m.Primary, cancellationToken).ConfigureAwait(false);
                    var met = replica is { Queried: true } && primary is { Queried: true }
                        && replica.SecondsBehind is null or 0
                        && m.Dialect.HasApplied(replica.GtidPosition, primary.GtidPosition);
                    var unknown = new[] { Unknown(replica, m.Replica), Unknown(primary, m.Primary) }.OfType<string>().ToList();
                    return (met, unknown.Count > 0 ? string.Join("; ", unknown)
                        : $"replica {m.Replica} at {replica!.GtidPosition ?? "?"} ({replica.SecondsBehind?.ToString(CultureInfo.InvariantCulture) ?? "?"} s behind), primary {m.Primary} at {primary!.GtidPosition ?? "?"}");
                }
            default:
                throw new ArgumentException($"unknown wait condition {condition.GetType().Name}", nameof(condition));
        }
    }

    /// <summary>Why nothing is known of a region's database — none, no connection, or an error it answered with — or null when it was queried.</summary>
    private static string? Unknown(DatabaseObservation? db, string region) => db switch
    {
        null => $"no database in {region}",
        { Reachable: false } => $"database in {region} unreachable",
        { SqlError: { } error } => $"database in {region} answered with an error: {error}",
        _ => null,
    };

    private static string Describe(ClusterObservation? cluster) =>
        cluster is null ? "not probed" : !cluster.Reachable ? "unreachable" : !cluster.HasMaster ? "without a master" : cluster.Status?.ToString().ToLowerInvariant() ?? "unknown";

    private async Task<ClusterObservation?> ClusterAsync(string region, CancellationToken cancellationToken) =>
        (await ProbeAsync(region, cancellationToken).ConfigureAwait(false)).Cluster;

    private async Task<DatabaseObservation?> DatabaseAsync(string region, CancellationToken cancellationToken) =>
        (await ProbeAsync(region, cancellationToken).ConfigureAwait(false)).Database;

    private Task<RegionObservation> ProbeAsync(string region, CancellationToken cancellationToken) =>
        probes.TryGetValue(region, out var probe)
            ? probe.ProbeAsync(cancellationToken)
            : throw new InvalidOperationException($"no probe for region '{region}'");
}
