using System.Diagnostics;
using Xunit.Abstractions;

namespace EsDr.Infra.Tests.Renderers.HaproxyLive;

/// <summary>
/// The rendered haproxy.cfg, run by the real haproxy on loopback in front of two Elasticsearch
/// stand-ins, fails traffic over to the backup (standby region) node when the primary is red,
/// masterless, stopped or untrusted, and back when it recovers, within the times its check settings
/// promise. Every wait is bounded; measured times go to the test output.
/// </summary>
[Collection(EsDr.Infra.Tests.Support.LiveProcesses.Name)]
public sealed class HaproxyFailoverTests(ITestOutputHelper output)
{
    // The rendered check settings: inter 1s fall 2 rise 2, and the health URI's timeout=1s.
    private static readonly TimeSpan Inter = TimeSpan.FromSeconds(1);
    private const int Fall = 2;
    private const int Rise = 2;

    /// <summary>How long Elasticsearch holds a health request for a red cluster before its 408.</summary>
    private static readonly TimeSpan RedHold = TimeSpan.FromSeconds(1);

    /// <summary>Scheduling slack on a busy test machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    /// <summary>Checks that fail at once (503, refused connection, failed handshake): fall × inter.</summary>
    private static readonly TimeSpan FastFailover = Inter * Fall + Slack;

    /// <summary>A red node's checks each take the 1s hold before failing: fall × (inter + hold).</summary>
    private static readonly TimeSpan RedFailover = (Inter + RedHold) * Fall + Slack;

    private static readonly TimeSpan Failback = Inter * Rise + Slack;

    /// <summary>How long any wait may run before the test fails rather than hangs.</summary>
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void TheRigsConfig_IsTheCompilersForAStandbyRegion_ActiveRegionServing_OwnNodesBackup()
    {
        var servers = FailoverRig.CompiledStandbySettings().Servers;

        Assert.Equal(["shop-fra-es-1", "shop-fra-es-2", "shop-fra-es-3"], servers.Where(s => !s.IsBackup).Select(s => s.Name));
        Assert.Equal(["shop-ams-es-1", "shop-ams-es-2", "shop-ams-es-3"], servers.Where(s => s.IsBackup).Select(s => s.Name));
        // The active region's nodes by their public addresses; this region's own by their private names.
        Assert.All(servers.Where(s => !s.IsBackup), s => Assert.Matches(@"^\$\{fra-es-\d\.ipAddress\}$", s.Address));
    }

    [Fact]
    public async Task HealthyPrimary_ServesAllTraffic_WhileChecksOfBothNodesPassOverVerifiedTls()
    {
        await using var rig = await FailoverRig.StartAsync();

        // More than fall checks answered over TLS (HAProxy verified the chain, or there is no request):
        // had they failed, the primary would be down by now.
        await WaitUntilAsync(rig, () => rig.Primary.HealthRequests > Fall && rig.Backup.HealthRequests > Fall, "both nodes answered more than fall health checks");

        await AssertServedByAsync(rig, rig.Primary, times: 10);
        Assert.Equal(0, rig.Backup.TrafficRequests);
        Assert.Contains("bind 127.0.0.1:", rig.Config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task YellowPrimary_KeepsServingTraffic()
    {
        await using var rig = await FailoverRig.StartAsync();
        // Starting point: the primary serves (polled, since HAProxy may still be settling on a busy machine).
        await MeasureUntilServedByAsync(rig, rig.Primary, Stopwatch.StartNew());

        rig.Primary.Health = StandInHealth.Yellow;
        var checksBefore = rig.Primary.HealthRequests;
        await WaitUntilAsync(rig, () => rig.Primary.HealthRequests > checksBefore + Fall, "more than fall health checks of the yellow primary");

        await AssertServedByAsync(rig, rig.Primary, times: 5);
        Assert.Equal(0, rig.Backup.TrafficRequests);
    }

    [Fact]
    public async Task RedPrimary_TrafficMovesToBackup_WithinFallChecksOfOneSecondHoldEach()
    {
        await using var rig = await FailoverRig.StartAsync();
        // Starting point: the primary serves (polled, since HAProxy may still be settling on a busy machine).
        await MeasureUntilServedByAsync(rig, rig.Primary, Stopwatch.StartNew());

        var clock = Stopwatch.StartNew();
        rig.Primary.Health = StandInHealth.Red;
        var took = await MeasureUntilServedByAsync(rig, rig.Backup, clock);

        Report("red primary (408 after the 1s hold) -> backup", took, RedFailover);
        Assert.True(took <= RedFailover, $"Failover took {took.TotalMilliseconds:F0} ms; expected at most {RedFailover.TotalMilliseconds:F0} ms.\n{rig.Haproxy?.Output}");
        await AssertServedByAsync(rig, rig.Backup, times: 5);
    }

    [Fact]
    public async Task RedPrimaryTurningGreen_TrafficReturnsToPrimary_WithinRiseChecks()
    {
        await using var rig = await FailoverRig.StartAsync();
        // Starting point: the primary serves (polled, since HAProxy may still be settling on a busy machine).
        await MeasureUntilServedByAsync(rig, rig.Primary, Stopwatch.StartNew());
        rig.Primary.Health = StandInHealth.Red;
        Report("red primary (408 after the 1s hold) -> backup", await MeasureUntilServedByAsync(rig, rig.Backup, Stopwatch.StartNew()), RedFailover);

        var clock = Stopwatch.StartNew();
        rig.Primary.Health = StandInHealth.Green;
        var took = await MeasureUntilServedByAsync(rig, rig.Primary, clock);

        Report("primary green again -> primary", took, Failback);
        Assert.True(took <= Failback, $"Failback took {took.TotalMilliseconds:F0} ms; expected at most {Failback.TotalMilliseconds:F0} ms.\n{rig.Haproxy?.Output}");
        await AssertServedByAsync(rig, rig.Primary, times: 5);
    }

    [Fact]
    public async Task MasterlessPrimary_TrafficMovesToBackup_WithinFallChecks()
    {
        await using var rig = await FailoverRig.StartAsync();
        // Starting point: the primary serves (polled, since HAProxy may still be settling on a busy machine).
        await MeasureUntilServedByAsync(rig, rig.Primary, Stopwatch.StartNew());

        var clock = Stopwatch.StartNew();
        rig.Primary.Health = StandInHealth.NoMaster;
        var took = await MeasureUntilServedByAsync(rig, rig.Backup, clock);

        Report("masterless primary (503) -> backup", took, FastFailover);
        Assert.True(took <= FastFailover, $"Failover took {took.TotalMilliseconds:F0} ms; expected at most {FastFailover.TotalMilliseconds:F0} ms.\n{rig.Haproxy?.Output}");
        await AssertServedByAsync(rig, rig.Backup, times: 5);
    }

    [Fact]
    public async Task StoppedPrimary_TrafficMovesToBackup_WithinFallChecks()
    {
        await using var rig = await FailoverRig.StartAsync();
        // Starting point: the primary serves (polled, since HAProxy may still be settling on a busy machine).
        await MeasureUntilServedByAsync(rig, rig.Primary, Stopwatch.StartNew());

        var clock = Stopwatch.StartNew();
        await rig.Primary.StopAsync();
        var took = await MeasureUntilServedByAsync(rig, rig.Backup, clock);

        Report("stopped primary (connection refused) -> backup", took, FastFailover);
        Assert.True(took <= FastFailover, $"Failover took {took.TotalMilliseconds:F0} ms; expected at most {FastFailover.TotalMilliseconds:F0} ms.\n{rig.Haproxy?.Output}");
        await AssertServedByAsync(rig, rig.Backup, times: 5);
    }

    [Fact]
    public async Task PrimaryWithCertificateNotSignedByTheCa_IsTakenOutOfRotation()
    {
        var clock = Stopwatch.StartNew();
        await using var rig = await FailoverRig.StartAsync(primaryCertificateFromAnotherCa: true);

        var took = await MeasureUntilServedByAsync(rig, rig.Backup, clock);

        // HAProxy starts with every server up, so this is fall failed handshakes from start-up.
        Report("primary with an untrusted certificate -> backup, from start-up", took, FastFailover);
        Assert.True(took <= FastFailover, $"Failover took {took.TotalMilliseconds:F0} ms; expected at most {FastFailover.TotalMilliseconds:F0} ms.\n{rig.Haproxy?.Output}");
        Assert.Equal(0, rig.Primary.HealthRequests);
        await AssertServedByAsync(rig, rig.Backup, times: 5);
    }

    /// <summary>Time from the clock's start until a request through the proxy is answered by <paramref name="expected"/>.</summary>
    private static async Task<TimeSpan> MeasureUntilServedByAsync(FailoverRig rig, EsStandIn expected, Stopwatch clock)
    {
        var seen = new List<string>();
        while (clock.Elapsed < WaitLimit)
        {
            var who = await rig.AskWhoAnswersAsync();
            if (who == expected.NodeName)
            {
                return clock.Elapsed;
            }
            seen.Add(who ?? "(no answer)");
            await Task.Delay(25);
        }
        Assert.Fail($"Not served by {expected.NodeName} within {WaitLimit.TotalSeconds}s; answers: {string.Join(", ", seen.Distinct())}.\n{rig.Haproxy?.Output}");
        return default;
    }

    private static async Task AssertServedByAsync(FailoverRig rig, EsStandIn expected, int times)
    {
        for (var i = 0; i < times; i++)
        {
            var who = await rig.AskWhoAnswersAsync();
            Assert.True(who == expected.NodeName, $"Request {i + 1} answered by {who ?? "(no answer)"}, not {expected.NodeName}.\n{rig.Haproxy?.Output}");
        }
    }

    private static async Task WaitUntilAsync(FailoverRig rig, Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > WaitLimit)
            {
                Assert.Fail($"Timed out after {WaitLimit.TotalSeconds}s waiting until {what}.\n{rig.Haproxy?.Output}");
            }
            await Task.Delay(25);
        }
    }

    private void Report(string what, TimeSpan took, TimeSpan bound) =>
        output.WriteLine($"{what}: {took.TotalMilliseconds:F0} ms (bound {bound.TotalMilliseconds:F0} ms)");
}
