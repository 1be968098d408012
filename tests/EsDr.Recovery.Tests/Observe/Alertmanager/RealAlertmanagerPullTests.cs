using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Alertmanager;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Tests.Observe.Webhook;
using EsDr.Recovery.Tests.Support;
using EsDr.Recovery.Tests.Watch;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Observe.Alertmanager;

/// <summary>
/// The pull against the real Alertmanager (<see cref="RealAlertmanager"/>, Debian's 0.25) on loopback: what it lists
/// is what its webhook delivers, and a receiver started after a delivery (Alertmanager sends it again only after
/// repeat_interval, 4 h here) learns the firing alert from its start-up read. Waits on Alertmanager are bounded; the
/// daemon's rounds run on a test clock.
/// </summary>
[Collection("live processes")]
public sealed class RealAlertmanagerPullTests : IAsyncLifetime
{
    private RunningReceiver? firstReceiver;
    private RealAlertmanager? alertmanager;

    public async Task InitializeAsync()
    {
        firstReceiver = await RunningReceiver.StartAsync(TimeProvider.System);
        alertmanager = await RealAlertmanager.StartAsync(firstReceiver.Receiver.BaseAddress, RunningReceiver.Secret);
    }

    public async Task DisposeAsync()
    {
        if (alertmanager is not null)
            await alertmanager.DisposeAsync();
        if (firstReceiver is not null)
            await firstReceiver.DisposeAsync();
    }

    [Fact]
    public async Task Pull_ListsTheAlertsTheWebhookDelivered_WithTheSameFingerprintsLabelsAndStartsAt()
    {
        var (webhook, am) = (firstReceiver!, alertmanager!);
        await am.FireAsync(AlertRules.ElasticsearchClusterRed, 2);
        await am.UntilAsync(() => Task.FromResult(webhook.Receiver.Alerts.Count == 2), "the notification of both alerts");
        var delivered = webhook.Drain().OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(am.Api));

        var pulled = (await api.ReadAsync(CancellationToken.None)).OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();

        Assert.Equal(delivered.Select(a => a.Fingerprint), pulled.Select(a => a.Fingerprint));
        foreach (var (pushed, read) in delivered.Zip(pulled))
        {
            Assert.Equal(pushed.AlertName, read.AlertName);
            Assert.Equal("firing", read.Status);
            Assert.Equal(pushed.StartsAt, read.StartsAt);
            Assert.Equal(pushed.Labels.OrderBy(l => l.Key), read.Labels.OrderBy(l => l.Key));
            Assert.Equal(pushed.Annotations.OrderBy(l => l.Key), read.Annotations.OrderBy(l => l.Key));
            Assert.Equal(pushed.GeneratorUrl, read.GeneratorUrl);
            Assert.Equal(pushed.Receiver, read.Receiver);
            // A firing alert's notification carries no end (zero time); the pull keeps none either: neither expires.
            Assert.True(pushed.EndsAt is null || pushed.EndsAt <= pushed.StartsAt);
            Assert.Null(read.EndsAt);
        }
    }

    [Fact]
    public async Task Pull_OnceAlertmanagerResolvedAnAlert_NoLongerListsIt()
    {
        var (webhook, am) = (firstReceiver!, alertmanager!);
        await am.FireAsync(AlertRules.EndpointProbeDown, 1);
        await am.UntilAsync(() => Task.FromResult(webhook.Receiver.Alerts.Count == 1), "the alert's notification");
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(am.Api));
        Assert.Single(await api.ReadAsync(CancellationToken.None));

        await am.ResolveAsync(AlertRules.EndpointProbeDown, 1);

        Assert.Empty(await api.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReceiverStartedAfterTheAlertWasDelivered_KnowsItFromItsStartUpPull_AndKeepsItWhileAlertmanagerIsGone()
    {
        var (webhook, am) = (firstReceiver!, alertmanager!);
        await am.FireAsync(AlertRules.ElasticsearchClusterRed, 1);
        // Delivered to the receiver that ran then; it stops, and Alertmanager will not send the group again for 4 h.
        await am.UntilAsync(() => Task.FromResult(webhook.Receiver.Alerts.Count == 1), "the alert's notification");
        await webhook.DisposeAsync();
        firstReceiver = null;

        var clock = new TimerClock(WatchWorld.T0);
        var log = new LogLines();
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(am.Api));
        await using var restarted = WatchService.Create(
            WatchWorld.Options with { AlertPullEvery = 2, ProbeTimeout = TimeSpan.FromSeconds(30) },
            WatchWorld.Topology, [], [],
            (new WebhookOptions { Url = "http://127.0.0.1:0" }, WebhookToken.FromSecret(RunningReceiver.Secret)),
            (_, _) => Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("unused")),
            clock, log, activeAlerts: api);
        await restarted.StartWebhookAsync(CancellationToken.None);

        await restarted.Loop.RoundAsync(CancellationToken.None); // serve's first round: the start-up pull
        Assert.Equal(ClusterStatus.Red, AlertsView(restarted.Loop, "fra").Status);
        Assert.Equal(WatchWorld.T0, restarted.Loop.LastAlertPull);

        await alertmanager!.DisposeAsync(); // Alertmanager gone: the next pulls fail
        alertmanager = null;
        for (var round = 0; round < 4; round++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await restarted.Loop.RoundAsync(CancellationToken.None);
        }

        Assert.Equal(ClusterStatus.Red, AlertsView(restarted.Loop, "fra").Status);
        Assert.Equal(WatchWorld.T0, restarted.Loop.LastAlertPull);
        Assert.Single(log.Lines, l => l.Contains("cannot read Alertmanager's active alerts", StringComparison.Ordinal));
    }

    private static ClusterObservation AlertsView(WatchLoop loop, string region) =>
        loop.History.Recent().Last(s => s.Vantage == AlertVantage.Name).Clusters.Single(c => c.Region == region);
}
