using System.Globalization;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Replication;

/// <summary>Waits until a cluster answers its health check with yellow or green.</summary>
public static class ClusterReadiness
{
    /// <summary>
    /// Polls <c>GET /_cluster/health?wait_for_status=yellow&amp;timeout=10s</c> every
    /// <paramref name="interval"/> until the cluster is yellow or green, retrying refused connections
    /// and error answers (a cluster still forming, security still starting). Throws
    /// <see cref="TimeoutException"/> with the last answer once <paramref name="timeout"/> has passed.
    /// </summary>
    public static async Task WaitAsync(ElasticsearchHttp http, TimeProvider time, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            string last;
            try
            {
                var response = await http.SendAsync("GET", ReplicationRequests.Health, null, cancellationToken).ConfigureAwait(false);
                var status = HealthStatus(response.Body);
                if (response.IsSuccess && status is ("yellow" or "green")) return;
                last = status is null ? response.Summary() : $"{response.StatusCode.ToString(CultureInfo.InvariantCulture)} status {status}";
            }
            catch (ElasticsearchRequestException e)
            {
                last = e.Message;
            }
            if (time.GetUtcNow() >= deadline)
                throw new TimeoutException($"{http.BaseUrl} was not yellow or green within {timeout}; last answer: {last}");
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? HealthStatus(string body)
    {
        try
        {
            return (JsonNode.Parse(body) as JsonObject)?["status"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
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
public sealed class ReplicationSetup(ElasticsearchHttp leader, ElasticsearchHttp follower, TimeProvider time, TextWriter log)
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
                await log.WriteLineAsync($"applied ({done.StatusCode.ToString(CultureInfo.InvariantCulture)}) {done.Step}").ConfigureAwait(false);
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
