using EsDr.Recovery.Observe;
using EsDr.Recovery.Replication;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Watch;

/// <summary>
/// <c>serve</c>'s CCR series: every interval, each region's followers (follow info and CCR stats, nothing else),
/// kept for <c>/metrics</c> only, so the <c>CcrLagTooHigh</c> and <c>CcrFatalError</c> rules have data under
/// <c>serve</c> as under <c>watch</c> (whose probe reads the same). Never a vantage: <c>serve</c>'s analysis still
/// hears only the alerts. Each sample is bounded by the timeout; a region that does not answer within it has no CCR
/// series until it does, as under <c>watch</c> when its probe fails.
/// </summary>
internal sealed partial class FollowerSampler(
    IReadOnlyDictionary<string, Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>>> regions,
    TimeSpan interval,
    TimeSpan timeout,
    TimeProvider time,
    ILogger? logger = null)
{
    private volatile IReadOnlyList<ClusterObservation> latest = [];
    private volatile IReadOnlyDictionary<string, Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>>> sampled = regions;

    /// <summary>From the next sample on, these regions' followers (the daemon reloaded the stack).</summary>
    public void Retarget(IReadOnlyDictionary<string, Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>>> next) =>
        sampled = next ?? throw new ArgumentNullException(nameof(next));

    /// <summary>
    /// The last sample of every region that answered, as clusters seen only for their followers
    /// (<see cref="ClusterFacets.Followers"/>), in region order.
    /// </summary>
    public IReadOnlyList<ClusterObservation> Latest => latest;

    /// <summary>Samples at once, then once per interval, until cancelled; ticks missed meanwhile collapse into one.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                await SampleAsync(cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One sample of every region at once, each within the timeout.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var samples = await Task.WhenAll(sampled.OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => SampleAsync(r.Key, r.Value, cancellationToken))).ConfigureAwait(false);
        latest = [.. samples.OfType<ClusterObservation>()];
    }

    private async Task<ClusterObservation?> SampleAsync(
        string region, Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>> read, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var followers = await read(bounded.Token).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return new ClusterObservation(region, Reachable: true, null, HasMaster: false, [], followers,
                ClusterFacets.Reachability | ClusterFacets.Followers);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is ElasticsearchRequestException or System.Text.Json.JsonException or InvalidOperationException or OperationCanceledException or TimeoutException)
        {
            if (logger is not null)
                LogSampleFailed(logger, region, e is OperationCanceledException or TimeoutException ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.###} s") : e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CCR stats of {Region} not read for /metrics: {Reason}")]
    private static partial void LogSampleFailed(ILogger logger, string region, string reason);
}
