using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Alertmanager;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// The loop's pull of Alertmanager's active alerts (a stand-in here; <c>RealAlertmanagerPullTests</c> reads the real
/// one): when it reads, how its answer and the webhook's alerts are ordered, and that a failed read changes nothing.
/// </summary>
public sealed class AlertPullTests
{
    private static readonly WatchOptions EveryThird = WatchWorld.Options with { AlertPullEvery = 3 };

    [Fact]
    public async Task Loop_ReadsActiveAlertsInItsFirstRound_ThenEveryNthRound()
    {
        var world = new WatchWorld();
        var alertmanager = new ScriptedAlertmanager();
        var loop = Loop(world, alertmanager, EveryThird);

        await world.RoundsAsync(loop, 7);

        Assert.Equal(3, alertmanager.Reads); // rounds 0, 3 and 6
    }

    [Fact]
    public async Task Loop_WithoutAWebhook_StillHasTheAlertsVantageFromThePull()
    {
        var world = new WatchWorld();
        var alertmanager = new ScriptedAlertmanager { Active = [Alert(AlertRules.ElasticsearchClusterRed, "fra", "fp-red", world)] };
        var loop = new WatchLoop(EveryThird, WatchWorld.Topology, [world.Fra, world.Dub], [], alertSource: null,
            (_, _) => Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("unused")), world.Clock, activeAlerts: alertmanager);

        await world.RoundsAsync(loop, 1);

        Assert.Equal(ClusterStatus.Red, AlertsView(loop, "fra").Status);
    }

    [Fact]
    public async Task Pull_ResolvesAHeldAlertAlertmanagerNoLongerLists()
    {
        var world = new WatchWorld();
        var alertmanager = new ScriptedAlertmanager();
        var loop = Loop(world, alertmanager, EveryThird);
        await world.RoundsAsync(loop, 1); // round 0 read: nothing active
        world.Fires(AlertRules.ElasticsearchClusterRed, "fra", "fp-red"); // pushed; its resolution is lost
        await world.RoundsAsync(loop, 1);
        Assert.Equal(ClusterStatus.Red, AlertsView(loop, "fra").Status);

        await world.RoundsAsync(loop, 2); // round 3 reads: Alertmanager lists nothing

        Assert.Equal(ClusterStatus.Green, AlertsView(loop, "fra").Status);
    }

    [Fact]
    public async Task Pull_ThatFails_ChangesNothing_AndIsLoggedOncePerOutage()
    {
        var world = new WatchWorld();
        var log = new LogLines();
        var alertmanager = new ScriptedAlertmanager { Active = [Alert(AlertRules.ElasticsearchClusterRed, "fra", "fp-red", world)] };
        var loop = Loop(world, alertmanager, EveryThird, log);
        await world.RoundsAsync(loop, 1);
        var firstRead = loop.LastAlertPull;
        Assert.Equal(ClusterStatus.Red, AlertsView(loop, "fra").Status);

        alertmanager.Failure = new AlertmanagerApiException("GET http://127.0.0.1:9093/api/v2/alerts failed: Connection refused");
        await world.RoundsAsync(loop, 9); // reads in rounds 3, 6 and 9 fail

        Assert.Equal(4, alertmanager.Reads);
        Assert.Equal(ClusterStatus.Red, AlertsView(loop, "fra").Status);
        Assert.Equal(firstRead, loop.LastAlertPull);
        Assert.Single(log.Lines, l => l.Contains("cannot read Alertmanager's active alerts", StringComparison.Ordinal));

        alertmanager.Failure = null;
        alertmanager.Active = [];
        await world.RoundsAsync(loop, 3); // round 12 reads again

        Assert.Equal(ClusterStatus.Green, AlertsView(loop, "fra").Status);
        Assert.Single(log.Lines, l => l.Contains("are read again", StringComparison.Ordinal));
        Assert.True(loop.LastAlertPull > firstRead);
    }

    [Fact]
    public async Task Pull_ThatHangs_IsGivenUpAfterTheProbeTimeout_AndChangesNothing()
    {
        var world = new WatchWorld();
        world.Fires(AlertRules.ElasticsearchClusterRed, "fra", "fp-red");
        var alertmanager = new ScriptedAlertmanager { Hangs = true };
        var loop = Loop(world, alertmanager, EveryThird);

        var round = loop.RoundAsync(CancellationToken.None);
        world.Clock.Advance(WatchWorld.Options.ProbeTimeout);
        await round.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ClusterStatus.Red, AlertsView(loop, "fra").Status);
        Assert.Null(loop.LastAlertPull);
    }

    [Fact]
    public async Task WebhookAlert_ArrivingWhileThePullIsAnswered_OverridesIt()
    {
        var world = new WatchWorld();
        var alertmanager = new ScriptedAlertmanager();
        // Alertmanager's answer (nothing active) was written before this alert fired and was pushed.
        alertmanager.WhileReading = () => world.Fires(AlertRules.ElasticsearchClusterRed, "fra", "fp-new");
        var loop = Loop(world, alertmanager, EveryThird);

        await world.RoundsAsync(loop, 1);

        Assert.Equal(ClusterStatus.Red, AlertsView(loop, "fra").Status);
    }

    [Fact]
    public async Task WebhookAlert_QueuedBeforeThePullWasAsked_IsOverriddenByIt()
    {
        var world = new WatchWorld();
        world.Fires(AlertRules.ElasticsearchClusterRed, "fra", "fp-old"); // pushed, then resolved in Alertmanager
        var loop = Loop(world, new ScriptedAlertmanager(), EveryThird);

        await world.RoundsAsync(loop, 1);

        Assert.Equal(ClusterStatus.Green, AlertsView(loop, "fra").Status);
    }

    private static WatchLoop Loop(WatchWorld world, IActiveAlerts alertmanager, WatchOptions options, ILogger? log = null) =>
        new(options, WatchWorld.Topology, [world.Fra, world.Dub], [], world.Alerts.Reader,
            (_, _) => Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("unused")), world.Clock, log, alertmanager);

    private static AlertReceived Alert(string alertName, string region, string fingerprint, WatchWorld world) =>
        new(fingerprint, alertName, "firing", WatchWorld.T0, null,
            new Dictionary<string, string> { ["alertname"] = alertName, [MonitoringLabels.Region] = region },
            new Dictionary<string, string>(), null, null, AlertmanagerConfig.ReceiverName, world.Clock.GetUtcNow());

    private static ClusterObservation AlertsView(WatchLoop loop, string region) =>
        loop.History.Recent().Last(s => s.Vantage == AlertVantage.Name).Clusters.Single(c => c.Region == region);
}

/// <summary>Alertmanager's active alerts as the test sets them; counts its reads.</summary>
internal sealed class ScriptedAlertmanager : IActiveAlerts
{
    private int reads;

    public Uri Source { get; } = new("http://127.0.0.1:9093/api/v2/alerts");

    public IReadOnlyList<AlertReceived> Active { get; set; } = [];

    /// <summary>Thrown by the next reads instead of answering; null: answer.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Never answers and ignores cancellation.</summary>
    public bool Hangs { get; set; }

    /// <summary>Runs after the answer is taken and before it is returned (something happening while it travels).</summary>
    public Action? WhileReading { get; set; }

    public int Reads => Volatile.Read(ref reads);

    public Task<IReadOnlyList<AlertReceived>> ReadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref reads);
        if (Hangs) return new TaskCompletionSource<IReadOnlyList<AlertReceived>>().Task;
        if (Failure is { } failure) return Task.FromException<IReadOnlyList<AlertReceived>>(failure);
        var answer = Active;
        WhileReading?.Invoke();
        return Task.FromResult(answer);
    }
}

/// <summary>A logger keeping every line it is given.</summary>
internal sealed class LogLines : ILogger
{
    private readonly List<string> lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
                return [.. lines];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (lines)
            lines.Add(formatter(state, exception));
    }
}
