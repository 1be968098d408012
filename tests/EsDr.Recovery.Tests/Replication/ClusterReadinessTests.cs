using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>A clock that jumps forward by each timer's due time and fires it at once: waits cost no real time.</summary>
internal sealed class SteppingTimeProvider : TimeProvider
{
    private readonly Lock sync = new();
    private DateTimeOffset now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (sync) return now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (sync)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                now += dueTime;
                Waits.Add(dueTime);
            }
        }
        if (dueTime != Timeout.InfiniteTimeSpan) ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new FiredTimer();
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

[Collection("live processes")]
public sealed class ClusterReadinessTests : IDisposable
{
    private readonly StandInNetwork network = new();
    private readonly CcrStandIn cluster;
    private readonly ElasticsearchConnection http;

    public ClusterReadinessTests()
    {
        cluster = new CcrStandIn(network, "fra", ["10.1.0.11:9300"], password: ReplicationEndToEndTests.Password);
        http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(cluster.Url), ReplicationEndToEndTests.Credentials);
    }

    public void Dispose()
    {
        http.Dispose();
        cluster.Dispose();
    }

    [Fact]
    public async Task Wait_ClusterWithoutMasterAtFirst_PollsAtTheIntervalUntilItIsGreen()
    {
        cluster.HealthUnavailableCount = 3;
        var time = new SteppingTimeProvider();

        await ClusterReadiness.WaitAsync(http, time, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], time.Waits);
        Assert.Equal(4, cluster.Requests.Count);
    }

    [Fact]
    public async Task Wait_ClusterStaysRed_TimesOutWithTheLastAnswer()
    {
        cluster.HealthStatus = "red";
        var time = new SteppingTimeProvider();

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            ClusterReadiness.WaitAsync(http, time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Equal($"{cluster.Url} was not yellow or green within 00:01:00; last answer: 408 status red", e.Message);
        Assert.Equal(12, time.Waits.Count);
    }

    [Fact]
    public async Task Wait_YellowCluster_IsReadyAtOnce()
    {
        cluster.HealthStatus = "yellow";
        var time = new SteppingTimeProvider();

        await ClusterReadiness.WaitAsync(http, time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Empty(time.Waits);
    }
}
