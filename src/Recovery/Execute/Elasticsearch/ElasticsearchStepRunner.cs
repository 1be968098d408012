using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Execute.Elasticsearch;

/// <summary>
/// Runs <see cref="ElasticsearchCall"/> steps against each region's cluster through the official client. A call
/// the client renders exactly as planned (<see cref="ElasticsearchApi.Matching"/>: promotion, allocation exclusion)
/// is sent as that typed request; any other is sent as planned through the client's transport. Either way the step's
/// result names the request as the client sent it (method, URL, body from its call details), for the audit trail.
/// The promotion calls check the index first and are skipped when their effect is already in place, as each step's
/// idempotency note says: pause_follow and unfollow only for a follower (pause only when active), close only for a
/// follower that is still open, open only for a closed index. A re-run of a finished promotion therefore sends only GETs.
/// </summary>
internal sealed partial class ElasticsearchStepRunner(IReadOnlyDictionary<string, ElasticsearchConnection> clusters) : IStepRunner
{
    public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        if (step is not ElasticsearchCall call)
            throw new ArgumentException($"not an Elasticsearch step: {step?.Render()}", nameof(step));
        if (!clusters.TryGetValue(call.Region, out var es))
            throw new InvalidOperationException($"no Elasticsearch client for region '{call.Region}'");

        var promotion = PromotionPath().Match(call.Path);
        if (promotion.Success && call.Method == "POST"
            && await AlreadyDoneAsync(es, Uri.UnescapeDataString(promotion.Groups["index"].Value), promotion.Groups["action"].Value, cancellationToken).ConfigureAwait(false) is { } skipped)
            return skipped;
        return await SendAsync(es, call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why the promotion step is already in effect, or null when it must be sent.</summary>
    private static async Task<string?> AlreadyDoneAsync(ElasticsearchConnection es, string index, string action, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case "_ccr/pause_follow":
                {
                    var status = await FollowStatusAsync(es, index, cancellationToken).ConfigureAwait(false);
                    if (status is null) return $"skipped: {index} is not a follower";
                    return status != FollowerIndexStatus.Active ? $"skipped: following {index} is already paused" : null;
                }
            case "_close":
                if (await FollowStatusAsync(es, index, cancellationToken).ConfigureAwait(false) is null)
                    return $"skipped: {index} is no longer a follower";
                return await IndexStateAsync(es, index, cancellationToken).ConfigureAwait(false) == "close" ? $"skipped: {index} is already closed" : null;
            case "_ccr/unfollow":
                return await FollowStatusAsync(es, index, cancellationToken).ConfigureAwait(false) is null ? $"skipped: {index} is not a follower" : null;
            case "_open":
                return await IndexStateAsync(es, index, cancellationToken).ConfigureAwait(false) == "open" ? $"skipped: {index} is already open" : null;
            default:
                return null;
        }
    }

    private static async Task<string> SendAsync(ElasticsearchConnection es, ElasticsearchCall call, CancellationToken cancellationToken)
    {
        SentRequest sent;
        int status;
        if (ElasticsearchApi.Matching(call.Method, call.Path, call.Body) is { } typed)
        {
            var response = await es.CallAsync(typed.Send, cancellationToken).ConfigureAwait(false);
            (sent, status) = (SentRequest.From(response.ApiCallDetails), response.ApiCallDetails.HttpStatusCode ?? 0);
        }
        else
        {
            // Not one of the typed calls (or rendered differently by this client than when it was planned): the
            // planned request is sent as it stands, so what was approved is what is sent.
            var answer = await es.SendAsync(call.Method, call.Path, call.Body, cancellationToken).ConfigureAwait(false);
            if (!answer.IsSuccess)
                throw new ElasticsearchRequestException(answer.Sent.Method, answer.Sent.Url, answer.StatusCode,
                    $"{call.Method} {call.Path} in {call.Region} answered {answer.Summary()}");
            (sent, status) = (answer.Sent, answer.StatusCode);
        }
        return $"sent {sent} → {status.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Active or paused from follow info (typed); null when the index is not a follower.</summary>
    private static async Task<FollowerIndexStatus?> FollowStatusAsync(ElasticsearchConnection es, string index, CancellationToken cancellationToken)
    {
        var info = await es.CallAsync((c, ct) => c.CrossClusterReplication.FollowInfoAsync(new FollowInfoRequest(index), ct), cancellationToken)
            .ConfigureAwait(false);
        return (info.FollowerIndices ?? [])
            .Where(f => f.FollowerIndexValue == index)
            .Select(f => (FollowerIndexStatus?)f.Status)
            .FirstOrDefault();
    }

    /// <summary>"open" or "close" from <c>_cat/indices</c>, through the transport: the .NET client has no cat APIs.</summary>
    private static async Task<string?> IndexStateAsync(ElasticsearchConnection es, string index, CancellationToken cancellationToken)
    {
        var rows = await es.GetJsonAsync($"/_cat/indices/{Uri.EscapeDataString(index)}?format=json&h=index,status&expand_wildcards=all", cancellationToken)
            .ConfigureAwait(false);
        return (rows as JsonArray ?? [])
            .Where(r => r?["index"]?.GetValue<string>() == index)
            .Select(r => r?["status"]?.GetValue<string>())
            .FirstOrDefault();
    }

    [GeneratedRegex(@"^/(?<index>[^/_][^/]*)/(?<action>_ccr/pause_follow|_close|_ccr/unfollow|_open)$", RegexOptions.CultureInvariant)]
    private static partial Regex PromotionPath();
}
