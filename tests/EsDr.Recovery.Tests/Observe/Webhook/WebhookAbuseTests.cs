using System.Net;
using EsDr.Recovery.Observe.Webhook;
using Xunit.Abstractions;

namespace EsDr.Recovery.Tests.Observe.Webhook;

/// <summary>
/// What an authenticated sender can make the webhook do (issue 9, item 4), over real HTTP on 127.0.0.1: limits by
/// bytes and by count, a large notification accepted or refused whole and never starving the others, and memory that
/// stays within the bound docs/recovery.md gives. Every loop of requests is fixed in count, every request bounded in time.
/// </summary>
[Collection("live processes")] // alone: the memory test reads the whole process's heap
public sealed class WebhookAbuseTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider time = new(Start);

    [Fact]
    public async Task NotificationOfNineThousandAlerts_IsRefused413Whole_NamingMaxAlerts_AndTheNextOneIsAccepted()
    {
        await using var webhook = await RunningReceiver.StartAsync(time);
        var huge = Notifications.Minimal("big", 9000);
        Assert.InRange(huge.Length, 800_000, 1024 * 1024); // the 0.9 MiB body of the issue, under the byte limit

        var (status, body) = await webhook.Poster.PostAsync(huge);
        var (again, _) = await webhook.Poster.PostAsync(huge);
        var (small, smallBody) = await webhook.Poster.PostAsync(Notifications.Of(new TestAlert("fp-small")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status); // 4xx: Alertmanager does not retry it
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, again);
        Assert.Contains("set max_alerts: 1000", body.Error(), StringComparison.Ordinal);
        Assert.Equal("alerts", body.Field());
        Assert.Equal(HttpStatusCode.Accepted, small);
        Assert.Equal(1, smallBody.Enqueued());
        Assert.Equal(["fp-small"], webhook.Drain().Select(a => a.Fingerprint));
    }

    [Fact]
    public async Task TwoOfTheLargestNotifications_AreEachAcceptedWhole_AndASmallOneAfterThemToo()
    {
        await using var webhook = await RunningReceiver.StartAsync(time);
        var first = Notifications.Many("one", 1000, descriptionLength: 600);
        var second = Notifications.Many("two", 1000, descriptionLength: 600);
        Assert.InRange(first.Length, 800_000, 1024 * 1024);

        var (a, aBody) = await webhook.Poster.PostAsync(first);
        var (b, bBody) = await webhook.Poster.PostAsync(second);
        var (c, cBody) = await webhook.Poster.PostAsync(Notifications.Of(new TestAlert("fp-small")));

        Assert.Equal((HttpStatusCode.Accepted, 1000), (a, aBody.Enqueued()));
        Assert.Equal((HttpStatusCode.Accepted, 1000), (b, bBody.Enqueued()));
        Assert.Equal((HttpStatusCode.Accepted, 1), (c, cBody.Enqueued()));
        Assert.Equal(2001, webhook.Drain().Count);
    }

    [Fact]
    public async Task AlertWithANineHundredKilobyteAnnotation_IsRefused413_NamingTheAlert()
    {
        await using var webhook = await RunningReceiver.StartAsync(time);

        var (status, body) = await webhook.Poster.PostAsync(Notifications.Of(new TestAlert("fp-ok"), new TestAlert("fp-fat", DescriptionLength: 900_000)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("alerts[1]", body.Field());
        Assert.Empty(webhook.Drain()); // refused whole: not even the small alert before it
    }

    [Fact]
    public async Task Body_OverOneMebibyte_SentWithoutALength_Is413()
    {
        await using var webhook = await RunningReceiver.StartAsync(time);
        var tooBig = Notifications.Many("chunk", 1100, descriptionLength: 900);
        Assert.True(tooBig.Length > 1024 * 1024);

        var (status, _) = await webhook.Poster.PostAsync(tooBig, chunked: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Empty(webhook.Drain());
    }

    [Fact]
    public async Task FullQueue_RefusesANotification503Whole_AndTakesItInWholeOnceTheLoopHasTakenItsAlerts()
    {
        var limits = new WebhookLimits { MaxAlertsPerNotification = 10, QueueAlerts = 25, QueueBytes = 2 * 1024 * 1024 };
        await using var webhook = await RunningReceiver.StartAsync(time, limits);
        Assert.Equal(HttpStatusCode.Accepted, (await webhook.Poster.PostAsync(Notifications.Many("a", 10))).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await webhook.Poster.PostAsync(Notifications.Many("b", 10))).Status);

        var (full, fullBody) = await webhook.Poster.PostAsync(Notifications.Many("c", 10));
        var waiting = webhook.Receiver.Alerts.Count;
        webhook.Drain();
        var (retried, retriedBody) = await webhook.Poster.PostAsync(Notifications.Many("c", 10));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, full); // 5xx: Alertmanager retries it
        Assert.Contains("retry later", fullBody.Error(), StringComparison.Ordinal);
        Assert.Equal(20, waiting); // nothing of the refused notification was queued
        Assert.Equal((HttpStatusCode.Accepted, 10), (retried, retriedBody.Enqueued()));
    }

    [Fact]
    public async Task QueueFilledByLargeNotifications_StillTakesSmallOnes_FromItsReserve()
    {
        var limits = new WebhookLimits { MaxAlertsPerNotification = 10, SmallNotificationAlerts = 1, QueueAlerts = 24, QueueBytes = 2 * 1024 * 1024 };
        await using var webhook = await RunningReceiver.StartAsync(time, limits);
        var large = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            large.Add((await webhook.Poster.PostAsync(Notifications.Many($"large{i}", 10))).Status);

        var small = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            small.Add((await webhook.Poster.PostAsync(Notifications.Of(new TestAlert($"small{i}")))).Status);

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable], large);
        Assert.All(small, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(23, webhook.Drain().Count);
    }

    [Fact]
    public async Task AlertWithMoreThanThirtyTwoLabels_IsRefused413()
    {
        await using var webhook = await RunningReceiver.StartAsync(time);
        var labels = string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"l{i}\":\"v\""));
        var body = $$"""{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A",{{labels}}},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}]}""";

        var (status, answer) = await webhook.Poster.PostAsync(System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("alerts[0].labels", answer.Field());
    }

    /// <summary>
    /// Eight rounds of eleven authenticated bodies at once (eight ~1 MiB notifications of 1000 new alerts, a 900 KB
    /// annotation, 9 000 alerts, one small notification), the watch loop taking the queue after each round but the last:
    /// 64 000 new alerts offered, more than the replay guard keeps and eight times what the queue holds. What the webhook
    /// keeps (the heap with it, full, minus the heap once it is emptied and stopped) and what the process's heap grows
    /// by (buffer pools included) both stay under the bounds docs/recovery.md gives.
    /// </summary>
    [Fact]
    public async Task MemoryUnderAuthenticatedAbuse_StaysWithinTheDocumentedBound()
    {
        const long keptBound = 64L * 1024 * 1024, growthBound = 96L * 1024 * 1024; // docs/recovery.md, "Webhook limits"
        var limits = new WebhookLimits();
        await using var webhook = await RunningReceiver.StartAsync(time, limits);
        // A round first, so that the buffers Kestrel, the JSON reader and the client pool are grown before the baseline.
        await Task.WhenAll(Round("warm").Select(b => webhook.Poster.PostAsync(b)));
        webhook.Drain();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var (large, refused, small) = (new List<HttpStatusCode>(), new List<HttpStatusCode>(), new List<HttpStatusCode>());
        for (var round = 0; round < 8; round++)
        {
            var answers = (await Task.WhenAll(Round($"r{round}").Select(b => webhook.Poster.PostAsync(b, cancellationToken: bounded.Token))))
                .Select(a => a.Status).ToList();
            large.AddRange(answers[..8]);
            refused.AddRange(answers[8..10]);
            small.Add(answers[10]);
            if (round < 7)
                webhook.Drain();
        }
        var (queued, remembered) = (webhook.Receiver.Alerts.Count, webhook.Receiver.RememberedAlerts);
        var full = GC.GetTotalMemory(forceFullCollection: true);
        webhook.Drain();
        await webhook.DisposeAsync(); // again at the end: harmless
        var emptied = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"the webhook kept {(full - emptied) / 1048576.0:0.0} MiB; the heap grew by {(full - before) / 1048576.0:0.0} MiB");

        Assert.All(small, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.All(refused, s => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, s));
        // Seven large fit outside the reserve, six when a small one came first; the rest wait for a retry.
        Assert.All(large, s => Assert.Contains(s, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
        Assert.InRange(large.Count(s => s == HttpStatusCode.Accepted), 6 * 8, 7 * 8);
        Assert.InRange(queued, limits.QueueAlerts - limits.QueueReserve.Alerts - 999, limits.QueueAlerts);
        Assert.Equal(limits.ReplayEntries, remembered);
        Assert.True(full - emptied < keptBound, $"the webhook kept {(full - emptied) / 1048576.0:0.0} MiB");
        Assert.True(full - before < growthBound, $"the heap grew by {(full - before) / 1048576.0:0.0} MiB");
    }

    /// <summary>Eight ~1 MiB notifications of 1000 new alerts, two refused ones (a 900 KB annotation, 9 000 alerts), one small.</summary>
    private static IEnumerable<byte[]> Round(string name) => Enumerable.Range(0, 8)
        .Select(i => Notifications.Many($"{name}n{i}", 1000, descriptionLength: 700))
        .Append(Notifications.Of(new TestAlert($"{name}fat", DescriptionLength: 900_000)))
        .Append(Notifications.Minimal($"{name}m", 9000))
        .Append(Notifications.Of(new TestAlert($"{name}small")));
}
