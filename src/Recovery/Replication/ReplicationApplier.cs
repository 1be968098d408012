using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Replication;

/// <summary>
/// A step that was sent and accepted, with Elasticsearch's status code, when it answered, and the request as the
/// client sent it (method, URL, body from its call details; the credentials are in a header, not here).
/// </summary>
public sealed record AppliedStep(ReplicationStep Step, int StatusCode, DateTimeOffset At, SentRequest Sent);

/// <summary>A step Elasticsearch refused or that could not be sent; the steps before it were applied.</summary>
public sealed class ReplicationStepFailedException : Exception
{
    public ReplicationStepFailedException() { }

    public ReplicationStepFailedException(string message) : base(message) { }

    public ReplicationStepFailedException(string message, Exception inner) : base(message, inner) { }

    internal ReplicationStepFailedException(int number, int total, ReplicationStep step, ElasticsearchAnswer? response,
        IReadOnlyList<AppliedStep> applied, string why, Exception? inner)
        : base($"replication step {number} of {total} failed — {step}: {why}" +
               (applied.Count == 0 ? "; nothing was applied before it" : $"; steps 1–{applied.Count} were applied") +
               ". Every step is idempotent: fix the cause and apply again.", inner)
    {
        Step = step;
        StepNumber = number;
        Response = response;
        Applied = applied;
    }

    public ReplicationStep? Step { get; }
    public int StepNumber { get; }
    public ElasticsearchAnswer? Response { get; }
    public IReadOnlyList<AppliedStep> Applied { get; } = [];
}

/// <summary>
/// Sends a plan's steps in order, each to its cluster, and stops at the first failure. A step is sent as its typed
/// request (<see cref="ReplicationRequests"/>), whose method, path and body the dry run prints as the client rendered
/// them; a step built from bare data (no typed request) goes through the client's transport exactly as it stands.
/// </summary>
public sealed class ReplicationApplier(ElasticsearchConnection leader, ElasticsearchConnection follower, TimeProvider time)
{
    public async Task<IReadOnlyList<AppliedStep>> ApplyAsync(ReplicationPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var applied = new List<AppliedStep>();
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            var es = step.Target == ClusterRole.Leader ? leader : follower;
            ElasticsearchAnswer response;
            try
            {
                response = step.Typed is { } typed
                    ? await es.AnswerAsync(typed.Send, cancellationToken).ConfigureAwait(false)
                    : await es.SendAsync(step.Method, step.Path, step.Body, cancellationToken).ConfigureAwait(false);
            }
            catch (ElasticsearchRequestException e)
            {
                throw new ReplicationStepFailedException(i + 1, plan.Steps.Count, step, null, applied.ToList(), e.Message, e);
            }
            var refusal = response.IsSuccess ? Refusal(response) : response.Summary();
            if (refusal is not null)
                throw new ReplicationStepFailedException(i + 1, plan.Steps.Count, step, response, applied.ToList(), refusal, null);
            applied.Add(new AppliedStep(step, response.StatusCode, time.GetUtcNow(), response.Sent));
        }
        return applied;
    }

    /// <summary>
    /// A 2xx answer that still says no: <c>acknowledged: false</c>, <c>trial_was_started: false</c>
    /// (license/post_start_trial) or <c>follow_index_created: false</c> (ccr/follow).
    /// </summary>
    private static string? Refusal(ElasticsearchAnswer response)
    {
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(response.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        foreach (var flag in new[] { "acknowledged", "trial_was_started", "follow_index_created" })
        {
            if (body?[flag] is JsonValue v && v.GetValueKind() == JsonValueKind.False)
            {
                var message = body["error_message"]?.ToString();
                return $"{response.StatusCode.ToString(CultureInfo.InvariantCulture)} but {flag} is false" + (message is null ? "" : $": {message}");
            }
        }
        return null;
    }
}

/// <summary>The exact requests a plan would send, printed instead of sent.</summary>
public static class ReplicationDryRun
{
    /// <summary>
    /// One block per step: a comment naming the step, the method and absolute URL, and the body exactly
    /// as it would be sent. Credentials are never part of it (they travel only in a header).
    /// </summary>
    public static string Render(ReplicationPlan plan, Uri leaderUrl, Uri followerUrl)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        var n = plan.Steps.Count;
        text.Append(CultureInfo.InvariantCulture, $"# dry run: {n} request{(n == 1 ? "" : "s")} would be sent; nothing was sent\n");
        for (var i = 0; i < n; i++)
        {
            var step = plan.Steps[i];
            var url = ElasticsearchConnection.Combine(step.Target == ClusterRole.Leader ? leaderUrl : followerUrl, step.Path);
            text.Append(CultureInfo.InvariantCulture, $"\n# {i + 1}/{n} {ReplicationStep.RoleName(step.Target)}: {step.Description}\n");
            text.Append(CultureInfo.InvariantCulture, $"{step.Method} {url}\n");
            if (step.Body is not null) text.Append(step.Body).Append('\n');
        }
        foreach (var blocker in plan.Blockers) text.Append(CultureInfo.InvariantCulture, $"\n# blocked: {blocker}\n");
        foreach (var note in plan.Notes) text.Append(CultureInfo.InvariantCulture, $"\n# note: {note}\n");
        return text.ToString();
    }
}
