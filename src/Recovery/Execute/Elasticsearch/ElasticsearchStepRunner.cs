using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EsDr.Recovery.Replication;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Elasticsearch;

/// <summary>
/// Runs <see cref="ElasticsearchCall"/> steps against each region's cluster. The promotion calls check the
/// index first and are skipped when their effect is already in place, as each step's idempotency note says:
/// pause_follow and unfollow only for a follower (pause only when active), close only for a follower that is
/// still open, open only for a closed index. A re-run of a finished promotion therefore sends only GETs.
/// Any other call is sent as given; an error status fails the step.
/// </summary>
internal sealed partial class ElasticsearchStepRunner(IReadOnlyDictionary<string, ElasticsearchHttp> clusters) : IStepRunner
{
    public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        if (step is not ElasticsearchCall call)
            throw new ArgumentException($"not an Elasticsearch step: {step?.Render()}", nameof(step));
        if (!clusters.TryGetValue(call.Region, out var http))
            throw new InvalidOperationException($"no Elasticsearch client for region '{call.Region}'");

        var promotion = PromotionPath().Match(call.Path);
        if (!promotion.Success || call.Method != "POST")
            return await SendAsync(http, call, cancellationToken).ConfigureAwait(false);

        var index = promotion.Groups["index"].Value;
        switch (promotion.Groups["action"].Value)
        {
            case "_ccr/pause_follow":
                {
                    var status = await FollowStatusAsync(http, index, cancellationToken).ConfigureAwait(false);
                    if (status is null) return $"skipped: {index} is not a follower";
                    if (status != "active") return $"skipped: following {index} is already {status}";
                    break;
                }
            case "_close":
                {
                    if (await FollowStatusAsync(http, index, cancellationToken).ConfigureAwait(false) is null)
                        return $"skipped: {index} is no longer a follower";
                    if (await IndexStateAsync(http, index, cancellationToken).ConfigureAwait(false) == "close")
                        return $"skipped: {index} is already closed";
                    break;
                }
            case "_ccr/unfollow":
                if (await FollowStatusAsync(http, index, cancellationToken).ConfigureAwait(false) is null)
                    return $"skipped: {index} is not a follower";
                break;
            case "_open":
                if (await IndexStateAsync(http, index, cancellationToken).ConfigureAwait(false) == "open")
                    return $"skipped: {index} is already open";
                break;
        }
        return await SendAsync(http, call, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> SendAsync(ElasticsearchHttp http, ElasticsearchCall call, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(call.Method, call.Path, call.Body, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
            throw new ElasticsearchRequestException($"{call.Method} {call.Path} in {call.Region} answered {response.Summary()}");
        return $"{call.Method} {call.Path}: {response.StatusCode}";
    }

    /// <summary>"active" or "paused" from <c>GET /{index}/_ccr/info</c>; null when the index is not a follower.</summary>
    private static async Task<string?> FollowStatusAsync(ElasticsearchHttp http, string index, CancellationToken cancellationToken)
    {
        var info = await http.GetJsonAsync($"/{index}/_ccr/info", cancellationToken).ConfigureAwait(false);
        return (info["follower_indices"] as JsonArray ?? [])
            .Where(f => f?["follower_index"]?.GetValue<string>() == index)
            .Select(f => f?["status"]?.GetValue<string>() ?? "active")
            .FirstOrDefault();
    }

    /// <summary>"open" or "close" from <c>GET /_cat/indices/{index}</c>.</summary>
    private static async Task<string?> IndexStateAsync(ElasticsearchHttp http, string index, CancellationToken cancellationToken)
    {
        var rows = await http.GetJsonAsync($"/_cat/indices/{index}?format=json&h=index,status&expand_wildcards=all", cancellationToken)
            .ConfigureAwait(false);
        return (rows as JsonArray ?? [])
            .Where(r => r?["index"]?.GetValue<string>() == index)
            .Select(r => r?["status"]?.GetValue<string>())
            .FirstOrDefault();
    }

    [GeneratedRegex(@"^/(?<index>[^/_][^/]*)/(?<action>_ccr/pause_follow|_close|_ccr/unfollow|_open)$", RegexOptions.CultureInvariant)]
    private static partial Regex PromotionPath();
}
