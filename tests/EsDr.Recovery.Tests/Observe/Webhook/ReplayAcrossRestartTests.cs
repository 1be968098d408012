using System.Net;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Tests.Execute.Audit;

namespace EsDr.Recovery.Tests.Observe.Webhook;

/// <summary>
/// The replay guard keeps what it needs in the audit database: a receiver started again on the same file does not
/// pass on a delivery of the past (the firing of an alert it saw resolve, an older instance), yet learns once what
/// still fires. Bounded in entries, in memory and on disk, and forgetting after its retention.
/// </summary>
public sealed class ReplayAcrossRestartTests : IDisposable
{
    private const string Earlier = "2025-01-01T10:00:00Z";
    private const string Later = "2025-01-01T11:00:00Z";

    private readonly TempDatabase db = new();
    private readonly ManualTimeProvider time = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => db.Dispose();

    [Fact]
    public async Task FiringOfAResolvedAlert_ReplayedAfterARestart_IsNotPassedOn()
    {
        await using (var first = await StartAsync())
        {
            Assert.Equal(1, await EnqueuedAsync(first, new TestAlert("fp-1", "firing", Earlier)));
            Assert.Equal(1, await EnqueuedAsync(first, new TestAlert("fp-1", "resolved", Earlier)));
        }
        time.Advance(TimeSpan.FromMinutes(5));

        await using var restarted = await StartAsync();
        var replayed = await EnqueuedAsync(restarted, new TestAlert("fp-1", "firing", Earlier));

        Assert.Equal(0, replayed);
        Assert.Empty(restarted.Drain());
    }

    [Fact]
    public async Task AnOlderInstance_ReplayedAfterARestart_IsNotPassedOn_ButTheCurrentOnesResolutionIs()
    {
        await using (var first = await StartAsync())
        {
            await EnqueuedAsync(first, new TestAlert("fp-1", "firing", Earlier));
            await EnqueuedAsync(first, new TestAlert("fp-1", "resolved", Earlier));
            await EnqueuedAsync(first, new TestAlert("fp-1", "firing", Later)); // fired again: a new instance
        }

        await using var restarted = await StartAsync();

        Assert.Equal(0, await EnqueuedAsync(restarted, new TestAlert("fp-1", "resolved", Earlier)));
        Assert.Equal(0, await EnqueuedAsync(restarted, new TestAlert("fp-1", "firing", Earlier)));
        Assert.Equal(1, await EnqueuedAsync(restarted, new TestAlert("fp-1", "resolved", Later)));
        Assert.Equal([("fp-1", "resolved")], restarted.Drain().Select(a => (a.Fingerprint, a.Status)));
    }

    [Fact]
    public async Task StillFiringAlert_IsPassedOnOnceByARestartedReceiver_AndItsRepeatsAreNot()
    {
        await using (var first = await StartAsync())
            Assert.Equal(1, await EnqueuedAsync(first, new TestAlert("fp-1", "firing", Earlier)));

        await using var restarted = await StartAsync();

        // Alertmanager repeats firing alerts so that a restarted receiver learns what fires now.
        Assert.Equal(1, await EnqueuedAsync(restarted, new TestAlert("fp-1", "firing", Earlier)));
        Assert.Equal(0, await EnqueuedAsync(restarted, new TestAlert("fp-1", "firing", Earlier)));
    }

    [Fact]
    public async Task Guard_KeepsAtMostItsBound_InMemoryAndInTheAuditDatabase_TheMostRecentFirst()
    {
        var limits = new WebhookLimits { ReplayEntries = 100 };
        await using (var first = await StartAsync(limits))
        {
            for (var batch = 0; batch < 5; batch++)
            {
                var (status, _) = await first.Poster.PostAsync(Notifications.Many($"b{batch}", 50));
                Assert.Equal(HttpStatusCode.Accepted, status);
                time.Advance(TimeSpan.FromSeconds(1));
            }
            Assert.Equal(100, first.Receiver.RememberedAlerts);
        }
        using (var store = ReplayStore.Open(db.Path))
        {
            var kept = store.Load(DateTimeOffset.MinValue, 1000).Select(e => e.Fingerprint).ToList();
            Assert.Equal(100, store.Rows());
            Assert.All(kept, f => Assert.True(f.StartsWith("b3-", StringComparison.Ordinal) || f.StartsWith("b4-", StringComparison.Ordinal), f));
        }

        await using var restarted = await StartAsync(limits);

        Assert.Equal(100, restarted.Receiver.RememberedAlerts);
    }

    [Fact]
    public async Task Guard_ForgetsAnAlertItsRetentionAfterItLastPassedOneOn()
    {
        await using var webhook = await StartAsync();
        await EnqueuedAsync(webhook, new TestAlert("fp-old", "resolved", Earlier));
        time.Advance(new WebhookLimits().ReplayRetention + TimeSpan.FromMinutes(1));

        await EnqueuedAsync(webhook, new TestAlert("fp-new"));

        Assert.Equal(1, webhook.Receiver.RememberedAlerts);
        using var store = ReplayStore.Open(db.Path);
        Assert.Equal(1, store.Rows());
    }

    private Task<RunningReceiver> StartAsync(WebhookLimits? limits = null) => RunningReceiver.StartAsync(time, limits, db.Path);

    private static async Task<int> EnqueuedAsync(RunningReceiver webhook, params TestAlert[] alerts)
    {
        var (status, body) = await webhook.Poster.PostAsync(Notifications.Of(alerts));
        Assert.Equal(HttpStatusCode.Accepted, status);
        return body.Enqueued();
    }
}
