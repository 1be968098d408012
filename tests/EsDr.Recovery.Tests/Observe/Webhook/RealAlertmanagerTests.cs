using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Observe.Webhook;

/// <summary>
/// The webhook's answers as the real Alertmanager (<see cref="RealAlertmanager"/>) takes them, both on loopback: a
/// 413 is given up after one attempt, a 503 is retried until the queue has room. Each wait is bounded; nothing is
/// asserted about how long anything took.
/// </summary>
[Collection("live processes")]
public sealed class RealAlertmanagerTests : IAsyncLifetime
{
    // Two alerts per notification and two in the queue: small enough to reach both refusals with a few alerts.
    private static readonly WebhookLimits Limits = new()
    {
        MaxAlertsPerNotification = 2,
        QueueAlerts = 2,
        QueueBytes = 64 * 1024,
    };

    private RunningReceiver? webhook;
    private RealAlertmanager? alertmanager;

    public async Task InitializeAsync()
    {
        webhook = await RunningReceiver.StartAsync(TimeProvider.System, Limits);
        alertmanager = await RealAlertmanager.StartAsync(webhook.Receiver.BaseAddress, RunningReceiver.Secret);
    }

    public async Task DisposeAsync()
    {
        if (alertmanager is not null)
            await alertmanager.DisposeAsync();
        if (webhook is not null)
            await webhook.DisposeAsync();
    }

    [Fact]
    public async Task Alertmanager_GivesUpA413AfterOneAttempt_AndRetriesA503UntilTheQueueHasRoom()
    {
        var (w, am) = (webhook!, alertmanager!);
        await am.FireAsync("Fits", 1);
        await am.UntilAsync(() => Task.FromResult(w.Receiver.Alerts.Count == 1), "the first notification in the queue");

        await am.FireAsync("TooMany", 3); // more alerts than one notification may carry: 413
        await am.FireAsync("Waits", 2);   // fits a notification but not the queue's one free place: 503
        await am.UntilAsync(() => Task.FromResult(am.Log.Contains("status code 413", StringComparison.Ordinal)
            && am.Log.Contains("status code 503", StringComparison.Ordinal)), "Alertmanager to meet the 413 and the 503");
        var first = w.Drain(); // the watch loop's round: room again
        await am.UntilAsync(() => Task.FromResult(w.Receiver.Alerts.Count == 2), "Alertmanager's retry of the 503");
        var retried = w.Drain();

        Assert.Equal(["Fits"], first.Select(a => a.AlertName));
        Assert.Matches("^[0-9a-f]{16}$", first[0].Fingerprint); // Alertmanager's fingerprints: 16 hex digits
        Assert.Equal(["Waits", "Waits"], retried.Select(a => a.AlertName));
        Assert.Contains("notify retry canceled due to unrecoverable error after 1 attempts", am.Log, StringComparison.Ordinal);
        Assert.Contains("Notify attempt failed, will retry later", am.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(first.Concat(retried), a => a.AlertName == "TooMany");
    }
}
