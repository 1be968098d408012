using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Lease;
using EsDr.Recovery.Tests.Operate;
using EsDr.Recovery.Tests.Support;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests;

/// <summary>
/// <c>watch</c> and <c>serve</c> against the operator test bed (stand-in pulumi, an Elasticsearch stand-in per
/// region), over real HTTP on loopback: one-round checks, the daemon's automatic decisions, the webhook's answers,
/// <c>/metrics</c> checked by the real promtool, and a clean stop.
/// </summary>
[Collection("live processes")]
public sealed partial class WatchCommandTests
{
    internal const string Token = "watch-cmd-Bearer-token-7c1e9a";

    [Fact]
    public async Task WatchOnce_AllRegionsAnswer_ReportsHealthy_Exit0()
    {
        using var bed = new OperatorTestbed();

        var exit = await bed.RunAsync("watch", "--once");

        Assert.True(exit == ExitCodes.Ok, bed.Out.ToString() + bed.Error);
        Assert.Matches(@"round 1: healthy", bed.Out.ToString());
    }

    [Fact]
    public async Task WatchOnce_FraDown_NamesFra_Exit3_InJsonToo()
    {
        using var bed = new OperatorTestbed();
        bed.Fra.Dispose();

        var exit = await bed.RunAsync("watch", "--once", "--json");

        Assert.Equal(ExitCodes.Degraded, exit);
        var lines = bed.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var round = Assert.Single(lines, l => (string?)l["event"] == "round");
        Assert.Equal("round", (string?)round["event"]);
        Assert.False((bool)round["healthy"]!);
        Assert.Contains(round["problems"]!.AsArray(), p => ((string)p!).StartsWith("fra: ", StringComparison.Ordinal));
        Assert.DoesNotContain(round["problems"]!.AsArray(), p => ((string)p!).StartsWith("dub: ", StringComparison.Ordinal));
        // A log pipeline reads the offset as written, not as the HTML-safe escape \u002B.
        Assert.EndsWith("+00:00", (string?)round["time"], StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AllowedToRecover_RefusesAPulumiOlderThanRecoverysFlags_AtStart()
    {
        using var bed = new OperatorTestbed();
        bed.Pulumi.Version = "v3.157.0";
        WithRecovery(bed, "auto: [nodeRebuild]");

        Assert.Equal(ExitCodes.PulumiTooOld, await bed.RunAsync("watch", "--once"));
        Assert.Contains("recovery needs v3.158.0 or newer", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task Watch_ThatMayNotRecover_RunsWithAnyPulumi()
    {
        using var bed = new OperatorTestbed();
        bed.Pulumi.Version = "v3.100.0";

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("watch", "--once"));
        Assert.DoesNotContain(bed.Pulumi.Calls, c => c[0] == "version");
    }

    [Fact]
    public async Task Watch_WithoutAToken_RefusesToListen_Exit2_AndAMissingTokenFile_Exit4()
    {
        using var bed = new OperatorTestbed();

        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("watch", "--listen", "127.0.0.1:0"));
        Assert.Contains("ESDR_WEBHOOK_TOKEN", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("serve", "--listen", "127.0.0.1:0"));
        Assert.Equal(ExitCodes.FileNotFound, await bed.RunAsync("serve", "--webhook-token-file", "/nonexistent/token"));
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("watch", "--once", "--interval", "soon"));
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("watch", "--once", "--listen", "nowhere"));
        Assert.Empty(bed.Pulumi.Calls); // refused before anything was loaded
    }

    [Fact]
    public async Task Serve_Answers401_400_202_IgnoresReplays_SurvivesABurstOfMalformedBodies_AndLeaksNoToken()
    {
        using var bed = new OperatorTestbed();
        var tokenFile = Path.Combine(bed.Pulumi.ProjectDirectory, "webhook.token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        using var daemon = Daemon.Start(bed, "serve", "--webhook-token-file", tokenFile);
        await daemon.WaitForRoundsAsync(1);

        using (var noToken = await daemon.PostAsync(Payload("fp-1"), token: null))
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using (var wrongToken = await daemon.PostAsync(Payload("fp-1"), token: "not-the-token"))
            Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        using (var malformed = await daemon.PostAsync("{\"version\":\"4\",\"alerts\":[{", Token))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using (var wrongVersion = await daemon.PostAsync(Payload("fp-1").Replace("\"4\"", "\"3\"", StringComparison.Ordinal), Token))
            Assert.Equal(HttpStatusCode.BadRequest, wrongVersion.StatusCode);

        using var first = await daemon.PostAsync(Payload("fp-1"), Token);
        using var replay = await daemon.PostAsync(Payload("fp-1"), Token);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(1, (int)JsonNode.Parse(await first.Content.ReadAsStringAsync())!["enqueued"]!);
        Assert.Equal(0, (int)JsonNode.Parse(await replay.Content.ReadAsStringAsync())!["enqueued"]!);

        var burst = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var r = await daemon.PostAsync(i % 2 == 0 ? "{" + new string('[', i) : "{\"version\":\"4\",\"alerts\":" + i.ToString(CultureInfo.InvariantCulture) + "}", Token);
            return r.StatusCode;
        }));
        Assert.All(burst, s => Assert.Equal(HttpStatusCode.BadRequest, s));
        using (var after = await daemon.PostAsync(Payload("fp-2"), Token))
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        Assert.Equal("ok", await daemon.Client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));

        var exit = await daemon.StopAsync();
        Assert.Equal(ExitCodes.Ok, exit);
        var output = bed.Out.ToString() + bed.Error;
        Assert.Contains("serve: listening on http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorTestbed.FraPassword, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CarryTheCcrSeriesAndDaemonGauges_AndPassPromtool()
    {
        using var bed = new OperatorTestbed();
        bed.Dub.Indices["orders-1"].FollowerGlobalCheckpoint = 4; // 3 operations behind
        bed.Dub.Indices["products-1"].FatalError = "no such remote cluster";
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        using var daemon = Daemon.Start(bed, "watch", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(2);

        var page = await daemon.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await daemon.StopAsync();

        var (exit, output) = await Promtool.CheckMetricsAsync(page);
        Assert.True(exit == 0, output + "\n" + page);
        Assert.Contains("# TYPE esdr_ccr_follower_lag_operations gauge\n", page, StringComparison.Ordinal);
        Assert.Contains("esdr_ccr_follower_lag_operations{region=\"dub\",cluster=\"prod-dub\",follower_index=\"orders-1\"} 3\n", page, StringComparison.Ordinal);
        Assert.Contains("esdr_ccr_fatal_errors{region=\"dub\",cluster=\"prod-dub\"} 1\n", page, StringComparison.Ordinal);
        Assert.Matches(@"\nesdr_watch_rounds_total [1-9]\d*\n", page);
        Assert.Contains("\nesdr_watch_recoveries_started_total 0\n", page, StringComparison.Ordinal);
        Assert.Contains("\nesdr_watch_paused 0\n", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SamplesTheCcrFollowers_SoItsMetricsCarryTheCcrSeries_AndPassPromtool()
    {
        using var bed = new OperatorTestbed();
        bed.Dub.Indices["orders-1"].FollowerGlobalCheckpoint = 4; // 3 operations behind
        bed.Dub.Indices["products-1"].FatalError = "no such remote cluster";
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        using var daemon = Daemon.Start(bed, "serve", "--interval", "100ms");

        var page = await daemon.WaitForPageAsync(p => p.Contains("esdr_ccr_fatal_errors{", StringComparison.Ordinal));
        await daemon.StopAsync();

        var (exit, output) = await Promtool.CheckMetricsAsync(page);
        Assert.True(exit == 0, output + "\n" + page);
        Assert.Contains("esdr_ccr_follower_lag_operations{region=\"dub\",cluster=\"prod-dub\",follower_index=\"orders-1\"} 3\n", page, StringComparison.Ordinal);
        Assert.Contains("esdr_ccr_fatal_errors{region=\"dub\",cluster=\"prod-dub\"} 1\n", page, StringComparison.Ordinal);
        Assert.Contains("serve: listening on http://127.0.0.1:", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("sampling CCR every 0.1 s", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SamplingTheFollowers_IsNoVantage_ItsRoundsStillSeeOnlyTheAlerts()
    {
        using var bed = new OperatorTestbed();
        bed.Fra.Dispose(); // a probe would see fra down; serve's analysis must not
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        using var daemon = Daemon.Start(bed, "serve", "--interval", "100ms");

        await daemon.WaitForPageAsync(p => p.Contains("esdr_ccr_fatal_errors{region=\"dub\"", StringComparison.Ordinal));
        await daemon.WaitForRoundsAsync(3);
        await daemon.StopAsync();

        Assert.Matches(@"round 1: healthy\n", bed.Out.ToString());
        Assert.DoesNotMatch(@"round \d+: (?!healthy)", bed.Out.ToString());
        Assert.Contains("CCR stats of fra not read for /metrics", bed.Out.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The scrape the compiler renders for a webhook URL (<see cref="RecoveryScrape.Beside"/>: its scheme, host:port and
    /// sibling path) reaches the daemon that takes the alerts at that URL: one listener, one origin. (Before, the
    /// rendered target was the webhook host's port 9464, where nothing listens.)
    /// </summary>
    [Fact]
    public async Task Serve_AnswersTheRenderedScrape_AtTheOriginItsWebhookUrlNames()
    {
        using var bed = new OperatorTestbed();
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        using var daemon = Daemon.Start(bed, "serve", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(1);
        var webhookUrl = new Uri(daemon.Client.BaseAddress!, "alerts");

        var scrape = RecoveryScrape.Beside(webhookUrl.ToString());
        using var prometheus = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var scraped = await prometheus.GetAsync(new Uri($"{scrape.Scheme}://{scrape.Address}{scrape.MetricsPath}"));
        using var alerted = await daemon.PostAsync(Payload("fp-scrape"), Token);
        await daemon.StopAsync();

        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", scraped.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("# TYPE esdr_ccr_follower_lag_operations gauge\n", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, alerted.StatusCode);
    }

    [Fact]
    public async Task Watch_DryRun_OnARegionDown_RecordsOnePlan_ChangesNothing()
    {
        using var bed = new OperatorTestbed();
        WithRecovery(bed, "auto: [regionFailover]");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        bed.Fra.Dispose();
        using var daemon = Daemon.Start(bed, "watch", "--interval", "100ms", "--dry-run", "--json");
        await daemon.AlertFraEndpointDownAsync();

        await daemon.WaitForMetricAsync("esdr_watch_recoveries_started_total", v => v >= 1);
        var rounds = await daemon.MetricAsync("esdr_watch_rounds_total");
        await daemon.WaitForRoundsAsync(rounds + 5);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        Assert.Empty(bed.Changes);
        Assert.DoesNotContain(bed.Dub.Requests, r => !r.StartsWith("GET ", StringComparison.Ordinal));
        using var audit = AuditTrail.Open(bed.AuditPath, Redactor.None);
        var recorded = Assert.Single(audit.History(5));
        Assert.Equal(RecoveryTrigger.Timer, recorded.Trigger);
        Assert.Equal("RegionFailover", recorded.Kind);
        Assert.Contains("fail over from fra to dub", recorded.Summary, StringComparison.Ordinal);
        var lines = bed.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var outcome = Assert.Single(lines, l => (string?)l["event"] == "recovery");
        Assert.Equal(("RegionDown", "fra", "dry-run"), ((string?)outcome["diagnosis"], (string?)outcome["region"], (string?)outcome["outcome"]));
        Assert.Equal("stopped", (string?)lines[^1]["event"]);
    }

    [Fact]
    public async Task Watch_ReportOnly_NeedsOperatorOnce_AndLogsNothingMoreWhileNothingChanges()
    {
        using var bed = new OperatorTestbed();
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        bed.Fra.Dispose();
        using var daemon = Daemon.Start(bed, "watch", "--interval", "100ms");
        await daemon.AlertFraEndpointDownAsync();
        await daemon.WaitForRoundsAsync(12);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        var output = bed.Out.ToString();
        Assert.Single(NeedsOperatorLine().Matches(output));
        // One line for the first round and one when the diagnosis was confirmed; not one per round.
        var roundLines = RoundLine().Count(output);
        Assert.InRange(roundLines, 2, 3);
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task Watch_Cancelled_StopsCleanly_ClosesTheListener_AndHoldsNoLease()
    {
        using var bed = new OperatorTestbed();
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        using var daemon = Daemon.Start(bed, "watch", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(2);

        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        Assert.Contains(" stopped after ", bed.Out.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => daemon.Client.GetAsync(new Uri("/healthz", UriKind.Relative)));
        var lease = new LocalLease(Path.GetDirectoryName(bed.AuditPath)!);
        await using var handle = await lease.TryAcquireAsync("test", CancellationToken.None);
        Assert.NotNull(handle);
    }

    [Fact]
    public async Task Program_OnSigterm_StopsCleanly_Exit0_AndNeverPrintsTheToken()
    {
        using var bed = new OperatorTestbed();
        var port = Loopback.FreePort();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(WatchCommand).Assembly.Location);
        foreach (var a in new[] { "watch", "--interval", "200ms", "--listen", $"127.0.0.1:{port}", "--stack-file", bed.StackFile.FullName, "--audit-db", bed.AuditPath })
            start.ArgumentList.Add(a);
        start.Environment["PATH"] = bed.Pulumi.SearchPath;
        start.Environment[WatchCommand.TokenVariable] = Token;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains("\nesdr_watch_rounds_total 2", StringComparison.Ordinal)) break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < giveUp && !process.HasExited)
            {
                // still starting
            }
            Assert.True(DateTime.UtcNow < giveUp && !process.HasExited, "the daemon did not come up: " + (process.HasExited ? await stderr : ""));
            await Task.Delay(50);
        }

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(bound.Token);

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == ExitCodes.Ok, output);
        Assert.Contains(" stopped after ", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_CancelledMidRecovery_LeavesItResumable_ReleasesTheLease_AndARestartStartsNothingNew()
    {
        using var bed = new OperatorTestbed();
        WithRecovery(bed, "auto: [nodeRebuild]");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        var lost = bed.Fra.NodeNames[^1];
        bed.Fra.NodeNames = [.. bed.Fra.NodeNames.Where(n => n != lost)];
        using var daemon = Daemon.Start(bed, "watch", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(1);
        using (var alert = await daemon.PostAsync(Payload("fp-fra-nodes", EsDr.Infra.Renderers.Monitoring.AlertRules.ElasticsearchFewerNodesThanExpected), Token))
            Assert.Equal(HttpStatusCode.Accepted, alert.StatusCode);

        // The rebuilt node never joins the stand-in, so the recovery sits in its wait step when the daemon is stopped.
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!bed.Changes.Any(c => c.StartsWith("up ", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < giveUp, "the daemon never started the node rebuild");
            await Task.Delay(50);
        }
        await Task.Delay(300);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        using (var audit = AuditTrail.Open(bed.AuditPath, Redactor.None))
        {
            var recovery = Assert.Single(audit.History(5));
            Assert.Equal(("NodeRebuild", RecoveryTrigger.Timer), (recovery.Kind, recovery.Trigger));
            // Left running with the interrupted step recorded as started: the next action refuses until --resume ID.
            Assert.Equal(RecoveryStatus.Running, recovery.Status);
            Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded, StepStatus.Started], recovery.Steps.Select(s => s.Status));
            Assert.Single(audit.Unfinished());
        }
        var lease = new LocalLease(Path.GetDirectoryName(bed.AuditPath)!);
        await using (var handle = await lease.TryAcquireAsync("test", CancellationToken.None))
            Assert.NotNull(handle);

        // A restarted daemon seeing the same failure starts nothing while that recovery waits for --resume.
        var changes = bed.Changes.Count;
        using var again = Daemon.Start(bed, "watch", "--interval", "100ms");
        await again.WaitForRoundsAsync(1);
        using (var alert = await again.PostAsync(Payload("fp-fra-nodes", EsDr.Infra.Renderers.Monitoring.AlertRules.ElasticsearchFewerNodesThanExpected), Token))
            Assert.Equal(HttpStatusCode.Accepted, alert.StatusCode);
        await again.WaitForMetricAsync("esdr_watch_active_diagnoses", v => v >= 1);
        await again.WaitForRoundsAsync(await again.MetricAsync("esdr_watch_rounds_total") + 10);
        Assert.Equal(0, await again.MetricAsync("esdr_watch_recoveries_started_total"));
        Assert.Equal(ExitCodes.Ok, await again.StopAsync());
        Assert.Equal(changes, bed.Changes.Count);
        Assert.Matches(@"NodeDown fra prod-fra-es-3: skipped: recovery rec-[-0-9a-f]+ \(.*\) did not finish; resume it with --resume rec-", bed.Out.ToString());
    }

    [Fact]
    public async Task Serve_OneFewerNodesAlert_WithAutoNodeRebuild_RebuildsNoNode_AndAsksForAnOperator()
    {
        using var bed = new OperatorTestbed();
        WithRecovery(bed, "auto: [nodeRebuild]", "analysis:", "  confirmAfter: 1");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;
        using var daemon = Daemon.Start(bed, "serve");
        await daemon.WaitForRoundsAsync(1);
        using (var alert = await daemon.PostAsync(Payload("fp-fra-nodes", EsDr.Infra.Renderers.Monitoring.AlertRules.ElasticsearchFewerNodesThanExpected), Token))
            Assert.Equal(HttpStatusCode.Accepted, alert.StatusCode);

        await daemon.WaitForMetricAsync("esdr_watch_active_diagnoses", v => v >= 1);
        await daemon.WaitForRoundsAsync(await daemon.MetricAsync("esdr_watch_rounds_total") + 1);
        var started = await daemon.MetricAsync("esdr_watch_recoveries_started_total");
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        // Alertmanager is serve's only vantage and its alert names no node: nothing to rebuild, a person to call.
        Assert.Equal(0, started);
        Assert.Empty(bed.Changes);
        Assert.Contains("needs operator: NodesMissing in fra", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_StartedAfterAlertmanagerDeliveredAFiringAlert_KnowsItFromItsStartUpPull()
    {
        await using var earlier = await Observe.Webhook.RunningReceiver.StartAsync(TimeProvider.System);
        await using var alertmanager = await RealAlertmanager.StartAsync(earlier.Receiver.BaseAddress, Observe.Webhook.RunningReceiver.Secret);
        await alertmanager.FireAsync(EsDr.Infra.Renderers.Monitoring.AlertRules.ElasticsearchClusterRed, 1);
        // Delivered to the receiver that ran before; Alertmanager sends the group again only after 4 h.
        await alertmanager.UntilAsync(() => Task.FromResult(earlier.Receiver.Alerts.Count == 1), "the alert's notification");
        using var bed = new OperatorTestbed(alertmanagerUrl: alertmanager.Api);
        WithRecovery(bed, "analysis:", "  confirmAfter: 1");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = Token;

        using var daemon = Daemon.Start(bed, "serve");
        await daemon.WaitForMetricAsync("esdr_watch_active_diagnoses", v => v >= 1);
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        Assert.Contains("diagnosis ClusterRed fra", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cannot read Alertmanager", bed.Out.ToString(), StringComparison.Ordinal);
    }

    internal static void WithRecovery(OperatorTestbed bed, params string[] lines) => OperatorTestbedFiles.AppendRecovery(bed, lines);

    internal static string Payload(string fingerprint, string alertName = "ElasticsearchClusterRed", string region = "fra") => $$"""
        {"version":"4","groupKey":"{}:{alertname=\"{{alertName}}\"}","status":"firing","receiver":"es-dr",
         "groupLabels":{"alertname":"{{alertName}}"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093",
         "alerts":[{"status":"firing","labels":{"alertname":"{{alertName}}","region":"{{region}}","severity":"critical"},
           "annotations":{},"startsAt":"2026-03-01T11:55:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"{{fingerprint}}"}]}
        """;

    [GeneratedRegex(@"needs operator: RegionDown in fra")]
    private static partial Regex NeedsOperatorLine();

    [GeneratedRegex(@"Z round \d+: ")]
    private static partial Regex RoundLine();
}

/// <summary>A <c>watch</c> or <c>serve</c> running in the background on a free loopback port, with an HTTP client for it.</summary>
internal sealed partial class Daemon : IDisposable
{
    private readonly CancellationTokenSource stop = new(TimeSpan.FromSeconds(120));
    private readonly Task<int> run;

    private Daemon(OperatorTestbed bed, int port, TextWriter? output, string[] args)
    {
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        string[] all = [.. args, "--listen", $"127.0.0.1:{port}"];
        run = output is null ? bed.RunAsync(stop.Token, all) : bed.RunWritingToAsync(output, output, stop.Token, all);
    }

    public HttpClient Client { get; }

    public static Daemon Start(OperatorTestbed bed, params string[] args) => new(bed, Loopback.FreePort(), null, args);

    /// <summary>Writing stdout and stderr to <paramref name="output"/>, which may be read while it runs (other commands may run on the bed meanwhile).</summary>
    public static Daemon Start(OperatorTestbed bed, Watch.LineWriter output, params string[] args) => new(bed, Loopback.FreePort(), output, args);

    /// <summary>Waits (at most 60 s) until a line of <paramref name="output"/> contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(Watch.LineWriter output, string text)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!output.Lines().Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (run.IsCompleted) throw new InvalidOperationException($"the daemon exited with {await run}:\n{string.Join('\n', output.Lines())}");
            if (DateTime.UtcNow > giveUp) throw new TimeoutException($"no line with '{text}':\n{string.Join('\n', output.Lines().TakeLast(30))}");
            await Task.Delay(50);
        }
    }

    /// <summary>Alertmanager's word that <paramref name="region"/>'s endpoint probe fails.</summary>
    public async Task AlertEndpointDownAsync(string region)
    {
        using var response = await PostAsync(WatchCommandTests.Payload($"fp-{region}-endpoint", EsDr.Infra.Renderers.Monitoring.AlertRules.EndpointProbeDown, region),
            WatchCommandTests.Token);
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"the webhook answered {response.StatusCode}");
    }

    public async Task<HttpResponseMessage> PostAsync(string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/alerts", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Alertmanager's word that fra's endpoint probe fails: the "alerts" vantage then agrees with the daemon's own
    /// probe (a silent Alertmanager counts as every region fine, so the probe alone would not be enough).
    /// </summary>
    public async Task AlertFraEndpointDownAsync()
    {
        await WaitForRoundsAsync(1);
        using var response = await PostAsync(WatchCommandTests.Payload("fp-fra-endpoint", EsDr.Infra.Renderers.Monitoring.AlertRules.EndpointProbeDown), WatchCommandTests.Token);
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"the webhook answered {response.StatusCode}");
    }

    /// <summary>One metric's value from <c>/metrics</c>, waiting for the listener to come up.</summary>
    public async Task<long> MetricAsync(string name)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (run.IsCompleted) throw new InvalidOperationException($"the daemon exited with {await run}");
            try
            {
                var page = await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                var m = Regex.Match(page, "\n" + Regex.Escape(name) + @" (\d+)\n");
                if (m.Success) return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < giveUp)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > giveUp) throw new TimeoutException($"no {name} on /metrics");
            await Task.Delay(50);
        }
    }

    public async Task WaitForMetricAsync(string name, Func<long, bool> condition)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition(await MetricAsync(name)))
        {
            if (DateTime.UtcNow > giveUp) throw new TimeoutException($"{name} never met the condition");
            await Task.Delay(50);
        }
    }

    public Task WaitForRoundsAsync(long rounds) => WaitForMetricAsync("esdr_watch_rounds_total", v => v >= rounds);

    /// <summary>The first <c>/metrics</c> page that meets <paramref name="condition"/>.</summary>
    public async Task<string> WaitForPageAsync(Func<string, bool> condition)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await MetricAsync("esdr_watch_rounds_total"); // listening, daemon alive
            var page = await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (condition(page)) return page;
            if (DateTime.UtcNow > giveUp) throw new TimeoutException("/metrics never met the condition:\n" + page);
            await Task.Delay(50);
        }
    }

    /// <summary>Cancels it as SIGTERM would and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await stop.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(30));
    }


    public void Dispose()
    {
        stop.Cancel();
        try { run.Wait(TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { }
        stop.Dispose();
        Client.Dispose();
    }
}
