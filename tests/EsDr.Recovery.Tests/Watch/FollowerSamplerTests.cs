using EsDr.Recovery.Observe;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

public sealed class FollowerSamplerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    private static Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>> Answers(params FollowerObservation[] followers) =>
        _ => Task.FromResult<IReadOnlyList<FollowerObservation>>(followers);

    private static FollowerSampler Sampler(Dictionary<string, Func<CancellationToken, Task<IReadOnlyList<FollowerObservation>>>> regions) =>
        new(regions, TimeSpan.FromSeconds(5), Timeout, TimeProvider.System);

    [Fact]
    public async Task Sample_EveryRegionThatAnswers_IsKeptAsAClusterSeenOnlyForItsFollowers()
    {
        var sampler = Sampler(new()
        {
            ["dub"] = Answers(new FollowerObservation("orders-1", true, 3, null)),
            ["fra"] = Answers(),
        });

        await sampler.SampleAsync(CancellationToken.None);

        Assert.Equal(["dub", "fra"], sampler.Latest.Select(c => c.Region));
        var dub = sampler.Latest[0];
        Assert.Equal(ClusterFacets.Reachability | ClusterFacets.Followers, dub.Observed);
        Assert.False(dub.Saw(ClusterFacets.Status));
        Assert.Equal(3, Assert.Single(dub.Followers).LagOperations);
    }

    [Fact]
    public async Task Sample_ARegionSilentPastTheTimeout_OrFailing_IsLeftOut_TheOthersAreKept()
    {
        var sampler = Sampler(new()
        {
            ["dub"] = Answers(new FollowerObservation("orders-1", true, 0, "no such remote cluster")),
            ["fra"] = async ct => { await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, CancellationToken.None); return []; },
            ["lon"] = _ => throw new InvalidOperationException("malformed answer"),
        });
        var started = TimeProvider.System.GetTimestamp();

        await sampler.SampleAsync(CancellationToken.None);

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5), "the silent region held the sample up");
        Assert.Equal("dub", Assert.Single(sampler.Latest).Region);
    }

    [Fact]
    public async Task Run_SamplesAtOnce_AndStopsCleanlyWhenCancelled()
    {
        var calls = 0;
        var sampler = Sampler(new() { ["dub"] = _ => { Interlocked.Increment(ref calls); return Task.FromResult<IReadOnlyList<FollowerObservation>>([]); } });
        using var stop = new CancellationTokenSource();

        var run = sampler.RunAsync(stop.Token);
        while (Volatile.Read(ref calls) == 0) await Task.Delay(10);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("dub", Assert.Single(sampler.Latest).Region);
    }
}
