using System.Diagnostics;
using System.Globalization;
using EsDr.Benchmarks.WatchFootprint;

// Watch daemon footprint (a program, never a timed test): the WatchLoop watching N regions at a 1 s interval with the
// real ElasticsearchObserver and RemoteInfoPeerProbe over real loopback HTTP, plus the Alertmanager webhook on Kestrel.
// The Elasticsearch stand-ins run in a child process so that only the daemon's own CPU and memory are measured.
// Usage: WatchFootprint [seconds=60] [regions=10] [warmup=15]   (internal: WatchFootprint --stand-ins N)
if (args.Length == 2 && args[0] == "--stand-ins")
{
    await StandIns.ServeAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
    return 0;
}

var seconds = Arg(0, 60);
var regions = Arg(1, 10);
var warmup = Arg(2, 15);
var self = Environment.ProcessPath!;
var selfArgs = self.EndsWith("dotnet", StringComparison.Ordinal) ? [typeof(StandIns).Assembly.Location] : Array.Empty<string>();
var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
foreach (var a in selfArgs.Concat(["--stand-ins", regions.ToString(CultureInfo.InvariantCulture)]))
    start.ArgumentList.Add(a);
using var child = Process.Start(start)!;
try
{
    var urls = new List<Uri>();
    while (await child.StandardOutput.ReadLineAsync() is { } line && line != "ready")
        urls.Add(new Uri(line));
    var result = await Daemon.MeasureAsync(urls, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"\n## Watch daemon footprint ({regions} regions, 1 s interval, {seconds} s measured after {warmup} s warm-up, {Environment.ProcessorCount} CPUs, .NET {Environment.Version})\n"));
    Console.WriteLine("| measure | value |");
    Console.WriteLine("|---|---:|");
    foreach (var (what, value) in result)
        Console.WriteLine($"| {what} | {value} |");
    return 0;
}
finally
{
    child.Kill(entireProcessTree: true);
}

int Arg(int i, int fallback) =>
    args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
