using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Execute.Runner;

/// <summary>The wait steps: polled through region probes until they hold, or failed with what was last seen.</summary>
public class WaitStepRunnerTests
{
    private sealed class ScriptedProbe(string region, Func<int, ClusterStatus?> status, Func<int, DatabaseObservation?>? database = null) : IRegionProbe
    {
        public int Calls { get; private set; }
        public string Region { get; } = region;

        public Task<RegionObservation> ProbeAsync(CancellationToken cancellationToken)
        {
            var n = Calls++;
            return Task.FromResult(new RegionObservation(new ClusterObservation(Region, true, status(n), true, ["es-1"], []), database?.Invoke(n)));
        }
    }

    private static DatabaseObservation Db(string region, int? behind, string gtid, bool readOnly = true) =>
        new(region, true, readOnly, behind is not null, true, true, behind, gtid);

    private static WaitStepRunner Runner(TimeSpan timeout, params IRegionProbe[] probes) =>
        new(probes.ToDictionary(p => p.Region), TimeProvider.System, TimeSpan.FromMilliseconds(10), timeout);

    [Fact]
    public async Task ClusterGreen_PollsUntilItHolds()
    {
        var probe = new ScriptedProbe("dub", n => n < 3 ? ClusterStatus.Yellow : ClusterStatus.Green);

        var detail = await Runner(TimeSpan.FromSeconds(10), probe).RunAsync(new WaitFor("green", new ClusterGreen("dub"), "condition"));

        Assert.Equal("met: cluster in dub green", detail);
        Assert.Equal(4, probe.Calls);
    }

    [Fact]
    public async Task NeverMet_FailsTheStepWithWhatWasLastSeen()
    {
        var probe = new ScriptedProbe("dub", _ => ClusterStatus.Yellow);

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            Runner(TimeSpan.FromMilliseconds(100), probe).RunAsync(new WaitFor("green", new ClusterGreen("dub"), "condition")));

        Assert.EndsWith("last seen: cluster in dub yellow", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MySqlCaughtUp_NeedsZeroSecondsBehindAndTheSameGtidAsThePrimary()
    {
        var primary = new ScriptedProbe("fra", _ => ClusterStatus.Green, _ => Db("fra", null, "0-1-20", readOnly: true));
        var replica = new ScriptedProbe("dub", _ => ClusterStatus.Green, n => Db("dub", 0, n < 2 ? "0-1-19" : "0-1-20"));

        var detail = await Runner(TimeSpan.FromSeconds(10), primary, replica).RunAsync(new WaitFor("caught up", new MySqlCaughtUp("dub", "fra"), "condition"));

        Assert.Equal("met: replica dub at 0-1-20 (0 s behind), primary fra at 0-1-20", detail);
        Assert.Equal(3, replica.Calls);
    }
}
