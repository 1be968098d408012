using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Sql;
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

        var detail = await Runner(TimeSpan.FromSeconds(10), primary, replica).RunAsync(new WaitFor("caught up", new MySqlCaughtUp("dub", "fra", SqlDialect.MariaDb), "condition"));

        Assert.Equal("met: replica dub at 0-1-20 (0 s behind), primary fra at 0-1-20", detail);
        Assert.Equal(3, replica.Calls);
    }

    [Fact]
    public async Task MySqlCaughtUp_OnMySql84_IsMetWhenTheReplicasGtidSetContainsThePrimarys()
    {
        const string uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        // The replica also holds an earlier primary's transactions: more than the primary, and nothing missing.
        const string earlier = ",\n4a5b6c7d-0000-11e1-9e33-c80aa9429562:1-3";
        var primary = new ScriptedProbe("fra", _ => ClusterStatus.Green, _ => Db("fra", null, uuid + ":1-20"));
        var replica = new ScriptedProbe("dub", _ => ClusterStatus.Green, n => Db("dub", 0, (n < 2 ? uuid + ":1-19" : uuid + ":1-20") + earlier));

        var detail = await Runner(TimeSpan.FromSeconds(10), primary, replica).RunAsync(new WaitFor("caught up", new MySqlCaughtUp("dub", "fra", SqlDialect.MySql84), "condition"));

        Assert.StartsWith($"met: replica dub at {uuid}:1-20", detail, StringComparison.Ordinal);
        Assert.Equal(3, replica.Calls);
    }

    [Fact]
    public async Task MySqlCaughtUp_AgainstADatabaseAnsweringWithAnError_SaysSoRatherThanUnreachable()
    {
        var primary = new ScriptedProbe("fra", _ => ClusterStatus.Green, _ => Db("fra", null, "0-1-20"));
        var replica = new ScriptedProbe("dub", _ => ClusterStatus.Green, _ =>
            new DatabaseObservation("dub", true, false, false, false, false, null, null) { SqlError = "MySQL at dr@db.dub:3306 (dub) answered with error 1227" });

        var e = await Assert.ThrowsAsync<TimeoutException>(() => Runner(TimeSpan.FromMilliseconds(100), primary, replica)
            .RunAsync(new WaitFor("caught up", new MySqlCaughtUp("dub", "fra", SqlDialect.MariaDb), "condition")));

        Assert.EndsWith("last seen: database in dub answered with an error: MySQL at dr@db.dub:3306 (dub) answered with error 1227", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritesStopped_OnADatabaseAnsweringWithAnError_IsNotMet()
    {
        var fra = new ScriptedProbe("fra", _ => ClusterStatus.Green, _ =>
            new DatabaseObservation("fra", true, true, false, false, false, null, null) { SqlError = "answered with error 1064" });

        var e = await Assert.ThrowsAsync<TimeoutException>(() => Runner(TimeSpan.FromMilliseconds(100), fra)
            .RunAsync(new WaitFor("writes stopped", new WritesStopped("fra"), "condition")));

        Assert.EndsWith("last seen: database in fra answered with an error: answered with error 1064", e.Message, StringComparison.Ordinal);
    }
}
