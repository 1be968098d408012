using System.Globalization;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Transport;

namespace EsDr.Recovery.Replication;

/// <summary>Waits until a cluster answers its health check with yellow or green.</summary>
public static class ClusterReadiness
{
    /// <summary>
    /// Polls cluster health (typed: <c>GET /_cluster/health?wait_for_status=yellow&amp;timeout=10s</c>) every
    /// <paramref name="interval"/> until the cluster is yellow or green, retrying refused connections and error
    /// answers (a cluster still forming, security still starting). An error answer is never read as a status: the
    /// client would fill a failed health response with defaults (green). Throws <see cref="TimeoutException"/> with
    /// the last answer once <paramref name="timeout"/> has passed.
    /// </summary>
    public static async Task WaitAsync(ElasticsearchConnection es, TimeProvider time, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(es);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            string last;
            try
            {
                var health = await es.CallAsync((c, ct) => c.Cluster.HealthAsync(YellowWithin10s(), ct), cancellationToken).ConfigureAwait(false);
                if (health.Status is HealthStatus.Yellow or HealthStatus.Green) return;
                last = $"{health.ApiCallDetails.HttpStatusCode?.ToString(CultureInfo.InvariantCulture)} status {health.Status.ToString().ToLowerInvariant()}";
            }
            catch (ElasticsearchRequestException e)
            {
                last = e.Message;
            }
            if (time.GetUtcNow() >= deadline)
                throw new TimeoutException($"{es.BaseUrl} was not yellow or green within {timeout}; last answer: {last}");
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <remarks>
    /// 408 is Elasticsearch's answer when the wait times out: a full health body (status red, timed_out true), which
    /// is read as such; every other error status is still a failure.
    /// </remarks>
    private static HealthRequest YellowWithin10s() => new()
    {
        WaitForStatus = HealthStatus.Yellow,
        Timeout = "10s",
        RequestConfiguration = new RequestConfiguration { AllowedStatusCodes = [408] },
    };
}

/// <param name="DryRun">Observe and plan, print the requests, send nothing that changes state.</param>
/// <param name="ReadyTimeout">Wait this long for both clusters to be yellow first; null: do not wait.</param>
/// <param name="MaxRounds">
/// Observe → plan → apply at most this often. A second round picks up what changed meanwhile
/// (an index created on the leader between the first observation and the auto-follow pattern).
/// </param>
public sealed record ReplicationRunOptions(bool DryRun = false, TimeSpan? ReadyTimeout = null, int MaxRounds = 3)
{
    public TimeSpan ReadyPollInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What a run did. <see cref="Final"/> is the plan after the last round: converged when empty and unblocked.</summary>
public sealed record ReplicationOutcome(IReadOnlyList<ReplicationPlan> Plans, IReadOnlyList<AppliedStep> Applied, ReplicationPlan Final)
{
    public bool Converged => Final.IsConverged;
}

/// <summary>
/// The whole set-up for one leader/follower pair: wait until both clusters are up, observe both, plan,
/// and either print the plan (dry run) or apply it and observe again until nothing is left to do.
/// Everything it does is written to <c>log</c>; nothing written carries a credential.
/// </summary>
public sealed class ReplicationSetup(ElasticsearchConnection leader, ElasticsearchConnection follower, TimeProvider time, TextWriter log)
{
    public async Task<ReplicationOutcome> RunAsync(ReplicationSpec spec, ReplicationRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ReadyTimeout is { } timeout)
        {
            await Task.WhenAll(
                ClusterReadiness.WaitAsync(leader, time, timeout, options.ReadyPollInterval, cancellationToken),
                ClusterReadiness.WaitAsync(follower, time, timeout, options.ReadyPollInterval, cancellationToken)).ConfigureAwait(false);
        }

        var plans = new List<ReplicationPlan>();
        var applied = new List<AppliedStep>();
        var plan = await PlanAsync(spec, cancellationToken).ConfigureAwait(false);
        plans.Add(plan);
        if (options.DryRun)
        {
            await log.WriteAsync(ReplicationDryRun.Render(plan, leader.BaseUrl, follower.BaseUrl)).ConfigureAwait(false);
            return new ReplicationOutcome(plans, applied, plan);
        }

        var applier = new ReplicationApplier(leader, follower, time);
        for (var round = 1; round <= options.MaxRounds && !plan.IsEmpty; round++)
        {
            foreach (var done in await applier.ApplyAsync(plan, cancellationToken).ConfigureAwait(false))
            {
                applied.Add(done);
                await log.WriteLineAsync($"applied ({done.StatusCode.ToString(CultureInfo.InvariantCulture)}) {done.Step}; sent {done.Sent}").ConfigureAwait(false);
            }
            plan = await PlanAsync(spec, cancellationToken).ConfigureAwait(false);
            plans.Add(plan);
        }
        if (!plan.IsEmpty)
            await log.WriteLineAsync($"not converged: {plan.Steps.Count.ToString(CultureInfo.InvariantCulture)} step(s) still planned after {options.MaxRounds.ToString(CultureInfo.InvariantCulture)} round(s), first: {plan.Steps[0]}").ConfigureAwait(false);
        if (applied.Count == 0 && plan.IsEmpty) await log.WriteLineAsync($"replication {spec.Leader.Alias} → {spec.Follower.Alias}: nothing to change").ConfigureAwait(false);
        foreach (var blocker in plan.Blockers) await log.WriteLineAsync($"blocked: {blocker}").ConfigureAwait(false);
        foreach (var note in plan.Notes) await log.WriteLineAsync($"note: {note}").ConfigureAwait(false);
        return new ReplicationOutcome(plans, applied, plan);
    }

    /// <summary>Observes both clusters (GETs only) and plans.</summary>
    public async Task<ReplicationPlan> PlanAsync(ReplicationSpec spec, CancellationToken cancellationToken)
    {
        var leaderState = new ReplicationObserver(leader).ObserveAsync(cancellationToken);
        var followerState = new ReplicationObserver(follower).ObserveAsync(cancellationToken);
        await Task.WhenAll(leaderState, followerState).ConfigureAwait(false);
        return ReplicationPlanner.Plan(spec, await leaderState.ConfigureAwait(false), await followerState.ConfigureAwait(false));
    }
}
