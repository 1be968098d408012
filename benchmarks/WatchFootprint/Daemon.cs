using System.Diagnostics;
using System.Globalization;
using EsDr.Recovery.Replication;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;

namespace EsDr.Benchmarks.WatchFootprint;

/// <summary>Runs the watch service against the stand-ins and samples this process once a second.</summary>
internal static class Daemon
{
    public static async Task<List<(string, string)>> MeasureAsync(IReadOnlyList<Uri> urls, TimeSpan warmup, TimeSpan measured)
    {
        var regions = Enumerable.Range(0, urls.Count).Select(StandIns.Region).ToList();
        var expected = new ExpectedTopology(
            [.. regions.Select(r => new ExpectedRegion(r, [.. Enumerable.Range(0, 3).Select(n => $"es-{r}-{n}")]))],
            ActiveRegion: regions[0], MySqlPrimaryRegion: null, MySqlReplicaRegion: null);
        var clients = urls.Select(u => ElasticsearchConnection.Create(new ElasticsearchEndpoint(u), null, TimeSpan.FromSeconds(5))).ToList();
        var byAlias = regions.ToDictionary(r => r, r => r, StringComparer.Ordinal);
        var probes = regions.Select((r, i) => (IRegionProbe)new ElasticsearchRegionProbe(r, new ElasticsearchObserver(clients[i], r))).ToList();
        var peers = regions.Select((r, i) => (IPeerProbe)new RemoteInfoPeerProbe(r, clients[i], byAlias)).ToList();
        var handed = 0;
        await using var service = WatchService.Create(
            new WatchOptions { Interval = TimeSpan.FromSeconds(1), ProbeTimeout = TimeSpan.FromMilliseconds(800), AutoRecover = new HashSet<DiagnosisCode>(Enum.GetValues<DiagnosisCode>()) },
            expected, probes, peers,
            (new WebhookOptions { Url = "http://127.0.0.1:0" }, WebhookToken.FromSecret("benchmark-token")),
            (_, _) =>
            {
                Interlocked.Increment(ref handed);
                return Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("benchmark"));
            },
            TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(stop.Token);

        await Task.Delay(warmup);
        var heapStart = GC.GetTotalMemory(forceFullCollection: true);
        var me = Process.GetCurrentProcess();
        me.Refresh();
        var (user0, sys0, wall0, rounds0) = (me.UserProcessorTime, me.PrivilegedProcessorTime, Stopwatch.GetTimestamp(), service.Loop.Rounds);
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var gen2Before = GC.CollectionCount(2);
        long maxWorkingSet = 0, maxHeap = 0;
        for (var s = 0; s < (int)measured.TotalSeconds; s++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            me.Refresh();
            maxWorkingSet = Math.Max(maxWorkingSet, me.WorkingSet64);
            maxHeap = Math.Max(maxHeap, GC.GetGCMemoryInfo().HeapSizeBytes); // the heap as the last collection left it
        }
        me.Refresh();
        var wall = Stopwatch.GetElapsedTime(wall0);
        var user = me.UserProcessorTime - user0;
        var sys = me.PrivilegedProcessorTime - sys0;
        var rounds = service.Loop.Rounds - rounds0;
        var allocatedPerRound = (GC.GetTotalAllocatedBytes(precise: true) - allocated0) / Math.Max(1, rounds);
        var gen2 = GC.CollectionCount(2) - gen2Before;
        var heapEnd = GC.GetTotalMemory(forceFullCollection: true);
        await stop.CancelAsync();
        await run;
        clients.ForEach(c => c.Dispose());

        static string Pct(TimeSpan cpu, TimeSpan wall) => (100 * cpu / wall).ToString("0.00", CultureInfo.InvariantCulture) + " %";
        static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
        return
        [
            ("rounds completed (1 per second expected)", rounds.ToString(CultureInfo.InvariantCulture) + " in " + wall.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"),
            ("HTTP requests per round (5 per region: health, nodes, ccr info, ccr stats, remote info)", (5 * urls.Count).ToString(CultureInfo.InvariantCulture)),
            ("CPU user (of one core)", Pct(user, wall)),
            ("CPU sys (of one core)", Pct(sys, wall)),
            ("CPU user+sys (of one core)", Pct(user + sys, wall)),
            ("peak working set after warm-up (sampled each second)", Mb(maxWorkingSet)),
            ("GC heap after a full GC: start / end of the measurement", Mb(heapStart) + " / " + Mb(heapEnd)),
            ("GC heap as left by the last collection, max while measuring", Mb(maxHeap)),
            ("allocated per round", (allocatedPerRound / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " KB"),
            ("gen-2 collections while measuring", gen2.ToString(CultureInfo.InvariantCulture)),
            ("detections handed over (healthy world: 0 expected)", handed.ToString(CultureInfo.InvariantCulture)),
            ("snapshots kept in history (capacity)", $"{service.Loop.History.Count} ({service.Loop.History.Capacity})"),
        ];
    }
}
