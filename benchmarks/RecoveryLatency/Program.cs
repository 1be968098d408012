using EsDr.TestSupport;
using System.Diagnostics;
using System.Globalization;
using EsDr.Benchmarks.RecoveryLatency;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.MySql;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.MySql;

// Recovery latency benchmark (a program, never a timed test):
//  1. injected failure -> decision: the analyser fed a 1 s snapshot stream from 2 vantages, 10 regions of 3-5 nodes,
//     the active region going down at t0; decision time in stream time (timestamps are data), CPU per snapshot by Stopwatch.
//  2. decision -> writable MySQL primary: real MariaDB primary and replica on loopback; per run the primary is fenced,
//     then the clock runs from the decision through MySqlPromotion.PromoteAsync to the first successful application write,
//     once through the product's MySqlConnector client and once through the old mariadb-CLI transport, for comparison.
// Usage: RecoveryLatency [runs=20] [--skip-mysql]
var runs = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 20;
var skipMySql = args.Contains("--skip-mysql");

var rows = new List<(string What, string Unit, IReadOnlyList<double> Values)>();
rows.AddRange(AnalysisBenchmark.Run(runs));
if (!skipMySql)
{
    rows.AddRange(await PromotionBenchmark.RunAsync(runs));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\n## Recovery latency ({runs} runs, {Environment.ProcessorCount} CPUs, .NET {Environment.Version})\n"));
Console.WriteLine("| Measure | Unit | Median | p95 | Max |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var (what, unit, values) in rows)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {what} | {unit} | {Percentile(values, 50):0.###} | {Percentile(values, 95):0.###} | {values.Max():0.###} |"));
}
return 0;

static double Percentile(IReadOnlyList<double> values, double p)
{
    var sorted = values.Order().ToArray();
    var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1; // nearest rank
    return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
}

namespace EsDr.Benchmarks.RecoveryLatency
{
    /// <summary>Part 1: pure analysis over a synthetic stream; no sleeping, no I/O.</summary>
    internal static class AnalysisBenchmark
    {
        private const int Regions = 10;
        private static readonly string[] Vantages = ["peer", "probe"];

        public static IEnumerable<(string, string, IReadOnlyList<double>)> Run(int runs)
        {
            var expected = new ExpectedTopology(
                [.. Enumerable.Range(0, Regions).Select(r => new ExpectedRegion(Region(r),
                    [.. Enumerable.Range(0, 3 + (r % 3)).Select(i => string.Create(CultureInfo.InvariantCulture, $"{Region(r)}-es-{i}"))]))],
                ActiveRegion: Region(0), MySqlPrimaryRegion: Region(0), MySqlReplicaRegion: Region(1));
            var thresholds = AnalysisThresholds.Default;

            for (var warm = 1; warm <= 10; warm++)
            {
                RunOnce(expected, thresholds, seed: -warm); // warm-up: JIT and tiered compilation settle first
            }
            var decision = new List<double>();
            var cpuMicros = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var (decided, perSnapshot) = RunOnce(expected, thresholds, run);
                decision.Add(decided.TotalSeconds);
                cpuMicros.Add(perSnapshot.TotalMicroseconds);
            }
            yield return ($"Failure → decision, stream time (RegionDown, {thresholds.ConfirmAfter} fails × {Vantages.Length} vantages, 1 s interval)", "s", decision);
            yield return ($"Analyser CPU per snapshot ({Regions} regions, 3–5 nodes each)", "µs", cpuMicros);
        }

        /// <summary>
        /// 300 s healthy, then the active region down at t0 for 60 s more. Each vantage ticks every second at its own
        /// random phase and t0 falls at a random point inside a second, as with a real probe loop.
        /// </summary>
        private static (TimeSpan Decision, TimeSpan CpuPerSnapshot) RunOnce(ExpectedTopology expected, AnalysisThresholds thresholds, int seed)
        {
#pragma warning disable CA5394 // a benchmark's phases, not security
            var random = new Random(seed);
            var origin = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var t0 = origin + TimeSpan.FromSeconds(300 + random.NextDouble());
            var phases = Vantages.Select(_ => TimeSpan.FromSeconds(random.NextDouble())).ToArray();
#pragma warning restore CA5394
            var stream = Enumerable.Range(0, 360)
                .SelectMany(k => Vantages.Select((v, i) => (At: origin + TimeSpan.FromSeconds(k) + phases[i], Vantage: v)))
                .OrderBy(s => s.At)
                .Select(s => Snapshot(expected, s.At, s.Vantage, activeDown: s.At >= t0))
                .ToList(); // built before timing: only the analyser is measured

            var state = AnalysisState.Empty;
            DateTimeOffset? decidedAt = null;
            var clock = Stopwatch.StartNew();
            foreach (var snapshot in stream)
            {
                var step = HealthAnalyser.Step(state, snapshot, expected, thresholds);
                state = step.State;
                if (decidedAt is null && step.Raised.Any(d => d is { Code: DiagnosisCode.RegionDown } && d.Region == expected.ActiveRegion))
                {
                    decidedAt = snapshot.At;
                }
            }
            clock.Stop();
            if (decidedAt is not { } at || at < t0)
            {
                throw new InvalidOperationException($"run {seed}: no RegionDown decision after t0 ({decidedAt})");
            }
            return (at - t0, clock.Elapsed / stream.Count);
        }

        private static HealthSnapshot Snapshot(ExpectedTopology expected, DateTimeOffset at, string vantage, bool activeDown)
        {
            var clusters = expected.Regions.Select(r => r.Name == expected.ActiveRegion && activeDown
                ? new ClusterObservation(r.Name, false, null, false, [], [])
                : new ClusterObservation(r.Name, true, ClusterStatus.Green, true, r.NodeNames,
                    r.Name == expected.ActiveRegion ? [] : [new FollowerObservation("orders", true, 12, null), new FollowerObservation("customers", true, 3, null)]))
                .ToList();
            DatabaseObservation[] databases =
            [
                new(expected.MySqlPrimaryRegion!, !activeDown, false, false, false, false, null, activeDown ? null : "0-1-100"),
                new(expected.MySqlReplicaRegion!, true, true, true, !activeDown, true, activeDown ? null : 0, "0-1-100"),
            ];
            var endpoints = expected.Regions.Select(r => new EndpointObservation(r.Name, !(r.Name == expected.ActiveRegion && activeDown))).ToList();
            return new HealthSnapshot(at, vantage, clusters, databases, endpoints);
        }

        private static string Region(int r) => string.Create(CultureInfo.InvariantCulture, $"region-{r:00}");
    }

    /// <summary>
    /// Part 2: real MariaDB, the same promotion through the product's driver (MySqlConnector, pooled, verified TLS) and
    /// through the old CLI transport (<see cref="CliMySqlClient"/>, one <c>mariadb</c> process per statement, TLS
    /// verified against the same CA). The variants alternate run by run (which goes first alternates too), so drift in
    /// the shared machine's load hits both alike. Roles swap each cycle (failover, then the old primary rebuilt as
    /// replica), so no history diverges.
    /// </summary>
    internal static class PromotionBenchmark
    {
        private sealed record Variant(string Name, IMySqlClient Client, List<double> ToWritable, List<double> PromoteOnly);

        public static async Task<IEnumerable<(string, string, IReadOnlyList<double>)>> RunAsync(int runs)
        {
            await using var pair = new MariaDbPair();
            using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(20));
            var token = overall.Token;
            var startUp = await pair.StartAsync(token);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MariaDB pair up in {startUp.TotalSeconds:0.0} s ({pair.Version})"));
            Variant[] variants =
            [
                new("MySqlConnector", pair.Client, [], []),
                new("mariadb CLI", new CliMySqlClient(TimeSpan.FromSeconds(30)), [], []),
            ];
            var (primary, replica) = (pair.Primary, pair.Replica);
            for (var run = 0; run <= runs; run++) // run 0 is a warm-up for each variant
            {
                foreach (var variant in run % 2 == 0 ? variants : variants.Reverse())
                {
                    var (toWritable, promoted) = await FailOverOnceAsync(pair, variant.Client, primary, replica, token);
                    if (run > 0)
                    {
                        variant.ToWritable.Add(toWritable.TotalMilliseconds);
                        variant.PromoteOnly.Add(promoted.TotalMilliseconds);
                    }
                    (primary, replica) = (replica, primary);
                }
            }
            return variants.SelectMany(v => new (string, string, IReadOnlyList<double>)[]
            {
                ($"Decision → writable primary via {v.Name} (PromoteAsync + first accepted write, real MariaDB, loopback, TLS)", "ms", v.ToWritable),
                ($"of which PromoteAsync via {v.Name} (STOP SLAVE, RESET SLAVE ALL, read_only=OFF, with checks)", "ms", v.PromoteOnly),
            });
        }

        /// <summary>One failover from <paramref name="primary"/> to <paramref name="replica"/>, timed from the decision; then the old primary replicates from the new.</summary>
        private static async Task<(TimeSpan ToWritable, TimeSpan Promoted)> FailOverOnceAsync(
            MariaDbPair pair, IMySqlClient client, MariaDbPair.Server primary, MariaDbPair.Server replica, CancellationToken token)
        {
            var promotion = new MySqlPromotion(client, EsDr.Recovery.Sql.SqlDialect.MariaDb);
            // Replicating state: a write on the primary, applied on the replica.
            await client.QueryAsync(primary.App, "INSERT INTO appdb.items (writer, payload) VALUES (1, 'before failover')", token);
            await promotion.WaitForZeroLagAsync(replica.Admin, await promotion.GtidPositionAsync(primary.Admin, token), TimeSpan.FromSeconds(20), token);

            // The failure: the old primary refuses writes from here on (fenced, not timed).
            await promotion.FenceAsync(primary.Admin, token);

            // Decision taken: promote, then write until a write succeeds (bounded).
            var clock = Stopwatch.StartNew();
            var done = await promotion.PromoteAsync(replica.Admin, token);
            var promoted = clock.Elapsed;
            await WriteUntilAcceptedAsync(client, replica, TimeSpan.FromSeconds(20), token);
            clock.Stop();
            if (done.Count != 3)
            {
                throw new InvalidOperationException($"promotion did {string.Join("; ", done)}");
            }

            // Rebuild (not timed): the old primary replicates from the new one.
            await pair.ReplicateAsync(primary, from: replica, token);
            return (clock.Elapsed, promoted);
        }

        private static async Task WriteUntilAcceptedAsync(IMySqlClient client, MariaDbPair.Server server, TimeSpan bound, CancellationToken token)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await client.QueryAsync(server.App, "INSERT INTO appdb.items (writer, payload) VALUES (2, 'after failover')", token);
                    return;
                }
                catch (MySqlException) when (deadline.Elapsed < bound)
                {
                    await Task.Delay(10, token);
                }
            }
        }
    }
}
