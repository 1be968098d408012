using System.Diagnostics;
using System.Globalization;
using EsDr.Benchmarks.WebhookAbuse;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;

// The daemon's memory under an authenticated flood of its webhook (a program, never a timed test). WatchService runs
// as `serve` does (no probes; the webhook, its replay guard in an SQLite audit database, the loop taking the queue
// every second); the sender is a child process, so only the daemon is measured.
// Usage: WebhookAbuse [seconds=30] [connections=8] [warmup=5]   (internal: WebhookAbuse --flood URL TOKEN SECONDS CONNECTIONS)
const string Token = "benchmark-webhook-token";
if (args is ["--flood", var floodUrl, var floodToken, var floodSeconds, var floodConnections])
{
    await Flood.RunAsync(new Uri(floodUrl), floodToken, TimeSpan.FromSeconds(int.Parse(floodSeconds, CultureInfo.InvariantCulture)),
        int.Parse(floodConnections, CultureInfo.InvariantCulture));
    return 0;
}

var seconds = Arg(0, 30);
var connections = Arg(1, 8);
var warmup = Arg(2, 5);
var dir = Directory.CreateTempSubdirectory("esdr-webhook-abuse-");
try
{
    var limits = new WebhookLimits();
    var expected = new ExpectedTopology(
        [new ExpectedRegion("fra", ["es-fra-0", "es-fra-1", "es-fra-2"]), new ExpectedRegion("dub", ["es-dub-0", "es-dub-1", "es-dub-2"])],
        ActiveRegion: "fra", MySqlPrimaryRegion: null, MySqlReplicaRegion: null);
    var auditDb = Path.Combine(dir.FullName, "audit.db");
    await using var service = WatchService.Create(
        new WatchOptions { Interval = TimeSpan.FromSeconds(1), ProbeTimeout = TimeSpan.FromMilliseconds(800) }, expected, [], [],
        (new WebhookOptions { Url = "http://127.0.0.1:0", ReplayDatabase = auditDb, Limits = limits }, WebhookToken.FromSecret(Token)),
        (_, _) => Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("benchmark")), TimeProvider.System);
    using var stop = new CancellationTokenSource();
    await service.StartWebhookAsync(stop.Token);
    var loop = service.Loop.RunAsync(stop.Token);
    await Task.Delay(TimeSpan.FromSeconds(warmup));
    var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
    var me = Process.GetCurrentProcess();
    me.Refresh();
    var workingSetBefore = me.WorkingSet64;

    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in (self.EndsWith("dotnet", StringComparison.Ordinal) ? [typeof(Flood).Assembly.Location] : Array.Empty<string>())
                 .Concat(["--flood", service.WebhookAddress!.ToString(), Token, seconds.ToString(CultureInfo.InvariantCulture), connections.ToString(CultureInfo.InvariantCulture)]))
        start.ArgumentList.Add(a);
    using var sender = Process.Start(start)!;
    var report = sender.StandardOutput.ReadToEndAsync();
    long maxWorkingSet = 0, maxHeap = 0;
    var clock = Stopwatch.StartNew();
    while (!sender.HasExited)
    {
        await Task.WhenAny(sender.WaitForExitAsync(), Task.Delay(TimeSpan.FromMilliseconds(250)));
        me.Refresh();
        maxWorkingSet = Math.Max(maxWorkingSet, me.WorkingSet64);
        maxHeap = Math.Max(maxHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
    }
    var wall = clock.Elapsed;
    var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
    me.Refresh();
    var workingSetAfter = me.WorkingSet64;
    var lines = (await report).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
    await stop.CancelAsync();
    await loop;

    static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
    var sent = long.Parse(lines.Single(l => l[0] == "bytes")[1], CultureInfo.InvariantCulture);
    var requests = lines.Where(l => l[0] != "bytes").Sum(l => int.Parse(l[2], CultureInfo.InvariantCulture));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"\n## Webhook under an authenticated flood ({seconds} s, {connections} connections, {Environment.ProcessorCount} CPUs, .NET {Environment.Version})\n"));
    Console.WriteLine("| measure | value |");
    Console.WriteLine("|---|---:|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| requests answered | {requests} ({requests / wall.TotalSeconds:0} /s), {Mb(sent)} of bodies ({sent / 1048576.0 / wall.TotalSeconds:0.0} MiB/s) |"));
    foreach (var l in lines.Where(l => l[0] != "bytes"))
        Console.WriteLine($"| {l[0]}: answered {(l[1] == "0" ? "connection closed" : l[1])} | {l[2]} |");
    Console.WriteLine($"| working set: before / peak (sampled every 250 ms) / after | {Mb(workingSetBefore)} / {Mb(maxWorkingSet)} / {Mb(workingSetAfter)} |");
    Console.WriteLine($"| GC heap after a full GC: before / after the flood | {Mb(heapBefore)} / {Mb(heapAfter)} |");
    Console.WriteLine($"| GC heap as left by the last collection, max during the flood | {Mb(maxHeap)} |");
    Console.WriteLine($"| audit database with the replay guard's table (+ WAL) | {Mb(Directory.GetFiles(dir.FullName).Sum(f => new FileInfo(f).Length))} |");
    return 0;
}
finally
{
    dir.Delete(recursive: true);
}

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
