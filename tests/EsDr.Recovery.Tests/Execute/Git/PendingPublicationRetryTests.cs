using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Git;
using EsDr.Recovery.Tests.Execute.Audit;
using EsDr.Recovery.Tests.Observe.Webhook;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Tests.Execute.Git;

/// <summary>The daemon's retry between rounds: at most once per interval, until the pending publication lands.</summary>
public sealed class PendingPublicationRetryTests : IDisposable
{
    private readonly GitSandbox repo = new();
    private readonly TempDatabase db = new();
    private readonly ConfigPublications store;
    private readonly ConfigPublisher publisher;
    private readonly ManualTimeProvider clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly ListLogger logger = new();

    public PendingPublicationRetryTests()
    {
        store = ConfigPublications.Open(db.Path, Redactor.None);
        publisher = new ConfigPublisher(new GitPublishSettings("origin", "main", null, null), repo.StackFile, store,
            new GitProcess(TimeSpan.FromSeconds(20)), clock, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Rounds_RetryAPendingPublication_AtMostOncePerInterval_UntilItLands()
    {
        var before = repo.RemoteHead;
        repo.RefusePushes();
        repo.ChangeStackFile();
        await publisher.PublishAsync(new ConfigChange("rec-20261206-120000-0a0b0c", "RegionFailover", "fail over from fra to dub", "succeeded"), CancellationToken.None);
        var retry = new PendingPublicationRetry(() => publisher, clock, logger);

        retry.Kick(CancellationToken.None);
        await retry.Completion;
        Assert.Equal(2, store.Pending()[0].Attempts);
        Assert.Contains(logger.Lines, l => l.Contains("recovery rec-20261206-120000-0a0b0c: config not pushed: origin refused the push", StringComparison.Ordinal));

        repo.AcceptPushes();
        clock.Advance(PendingPublicationRetry.Interval - TimeSpan.FromSeconds(1));
        retry.Kick(CancellationToken.None); // not due yet
        await retry.Completion;
        Assert.Equal(2, store.Pending()[0].Attempts);
        Assert.Equal(before, repo.RemoteHead);

        clock.Advance(TimeSpan.FromSeconds(1));
        retry.Kick(CancellationToken.None);
        await retry.Completion;

        Assert.Empty(store.Pending());
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(repo.RemoteHead));
        Assert.Equal("Pat Operator <pat@example.com>", repo.AuthorOf(repo.RemoteHead)); // no author configured: git's own
        Assert.Contains(logger.Lines, l => l.Contains("config pushed: commit", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        publisher.Dispose();
        store.Dispose();
        db.Dispose();
        repo.Dispose();
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }
}
