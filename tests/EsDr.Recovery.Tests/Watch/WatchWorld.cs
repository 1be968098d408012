using System.Threading.Channels;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>A region's own probe whose answer the test sets; counts its calls.</summary>
internal sealed class ScriptedProbe(string region) : IRegionProbe
{
    private int calls;

    public string Region { get; } = region;

    public int Calls => Volatile.Read(ref calls);

    /// <summary>What the next calls answer; by default the healthy region.</summary>
    public Func<CancellationToken, Task<RegionObservation>> Answer { get; set; } = _ => Task.FromResult(WatchWorld.Healthy(region));

    public Task<RegionObservation> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref calls);
        return Answer(cancellationToken);
    }

    public void Answers(RegionObservation observation) => Answer = _ => Task.FromResult(observation);

    /// <summary>Never answers and ignores cancellation: the worst a probe can do.</summary>
    public void Hangs() => Answer = _ => new TaskCompletionSource<RegionObservation>().Task;
}

/// <summary>A peer region's cluster whose view of the others the test sets.</summary>
internal sealed class ScriptedPeer(string region) : IPeerProbe
{
    public string Region { get; } = region;

    /// <summary>Region → connected; null: this peer does not answer (throws).</summary>
    public Dictionary<string, bool>? Connected { get; set; }

    public Task<PeerReport> ProbeAsync(CancellationToken cancellationToken) => Connected is { } c
        ? Task.FromResult(new PeerReport(Region, new Dictionary<string, bool>(c)))
        : throw new HttpRequestException($"{Region} does not answer");
}

/// <summary>Two regions (fra active with the MySQL primary, dub with the replica), their probes and peers, and a loop over them.</summary>
internal sealed class WatchWorld
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly ExpectedTopology Topology = new(
        [new ExpectedRegion("fra", ["es-fra-0", "es-fra-1", "es-fra-2"]),
         new ExpectedRegion("dub", ["es-dub-0", "es-dub-1", "es-dub-2"])],
        ActiveRegion: "fra", MySqlPrimaryRegion: "fra", MySqlReplicaRegion: "dub");

    public TimerClock Clock { get; } = new(T0);
    public ScriptedProbe Fra { get; } = new("fra");
    public ScriptedProbe Dub { get; } = new("dub");
    public ScriptedPeer FraPeer { get; } = new("fra") { Connected = new() { ["dub"] = true } };
    public ScriptedPeer DubPeer { get; } = new("dub") { Connected = new() { ["fra"] = true } };
    public Channel<AlertReceived> Alerts { get; } = Channel.CreateUnbounded<AlertReceived>();
    public List<Detection> Handed { get; } = [];

    public static readonly WatchOptions Options = new()
    {
        Interval = TimeSpan.FromSeconds(1),
        ProbeTimeout = TimeSpan.FromMilliseconds(800),
    };

    /// <summary>
    /// <see cref="Options"/> with the probe's word alone enough to move a region (the explicit
    /// <c>minVantagesForRegionActions: 1</c>): for tests about what happens once a region-level diagnosis is acted on.
    /// </summary>
    public static readonly WatchOptions ProbeAloneMovesRegions = Options with
    {
        AutoRecover = new HashSet<DiagnosisCode> { DiagnosisCode.RegionDown, DiagnosisCode.NodeDown },
        Thresholds = AnalysisThresholds.Default with { MinVantagesForRegionActions = 1 },
    };

    /// <summary>A loop over both probes; with peers and/or the alerts vantage as asked; recording what it hands over.</summary>
    public WatchLoop Loop(
        bool peers = false, bool alerts = false, WatchOptions? options = null,
        Func<Detection, CancellationToken, Task<PipelineOutcome>>? recover = null) =>
        new(options ?? Options with { AutoRecover = new HashSet<DiagnosisCode> { DiagnosisCode.RegionDown, DiagnosisCode.NodeDown } },
            Topology, [Fra, Dub], peers ? [FraPeer, DubPeer] : [], alerts ? Alerts.Reader : null,
            recover ?? ((d, _) =>
            {
                lock (Handed)
                    Handed.Add(d);
                return Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("recorded by the test"));
            }),
            Clock);

    /// <summary>Runs <paramref name="count"/> rounds one second apart, handing their detections over after each.</summary>
    public async Task RoundsAsync(WatchLoop loop, int count, Action<int>? before = null)
    {
        for (var i = 0; i < count; i++)
        {
            before?.Invoke(i);
            await loop.RoundAsync(CancellationToken.None);
            await loop.DecidePendingAsync(CancellationToken.None);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    public void Fires(string alertName, string region, string fingerprint = "fp-1", string status = "firing") =>
        Alerts.Writer.TryWrite(new AlertReceived(fingerprint, alertName, status, T0, null,
            new Dictionary<string, string> { ["alertname"] = alertName, [MonitoringLabels.Region] = region },
            new Dictionary<string, string>(), null, null, "es-dr", Clock.GetUtcNow()));

    public static RegionObservation Healthy(string region) => new(
        new ClusterObservation(region, true, ClusterStatus.Green, true,
            Topology.Regions.Single(r => r.Name == region).NodeNames, []),
        region == "dub"
            ? new DatabaseObservation("dub", true, ReadOnly: true, IsReplica: true, true, true, SecondsBehind: 0, "uuid:1-100")
            : new DatabaseObservation("fra", true, ReadOnly: false, IsReplica: false, false, false, null, "uuid:1-100"),
        new EndpointObservation(region, true));

    public static RegionObservation NodeMissing(string region, string node)
    {
        var healthy = Healthy(region);
        return healthy with { Cluster = healthy.Cluster! with { NodeNames = [.. healthy.Cluster.NodeNames.Where(n => n != node)] } };
    }

    public static RegionObservation Down(string region) => new(
        new ClusterObservation(region, false, null, false, [], []), null, new EndpointObservation(region, false));
}
