using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Tests.Operate;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// The rendered prometheus.yml run by the real Prometheus (Debian's 2.42), everything on loopback: its
/// <c>esdr_recovery</c> job, rendered for the webhook URL a running <c>serve</c> takes alerts at, scrapes that daemon's
/// CCR series; its <c>elasticsearch</c> job, against a stand-in answering as elasticsearch_exporter labels its series,
/// stores one <c>cluster</c> label and no <c>exported_cluster</c>. Scrape and evaluation every second (the renderer's
/// settings; the stack renders 15 s). Each wait is bounded.
/// </summary>
[Collection("live processes")]
public sealed class RealPrometheusScrapeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string dir = Directory.CreateTempSubdirectory("esdr-prometheus-").FullName;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ToolProcess? prometheus;

    [Fact]
    public async Task RenderedConfig_RealPrometheus_ScrapesServesCcrSeriesBesideItsWebhook_AndKeepsOneClusterLabel()
    {
        using var bed = new OperatorTestbed();
        bed.Dub.Indices["orders-1"].FollowerGlobalCheckpoint = 4; // 3 operations behind
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = WatchCommandTests.Token;
        using var daemon = Daemon.Start(bed, "serve", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(1);
        using var exporter = ExporterStandIn.Start("""
            # HELP elasticsearch_cluster_health_status Whether all primary and replica shards are allocated.
            # TYPE elasticsearch_cluster_health_status gauge
            elasticsearch_cluster_health_status{cluster="prod-fra",color="green"} 1
            elasticsearch_cluster_health_status{cluster="prod-fra",color="red"} 0
            # HELP elasticsearch_cluster_health_up Was the last scrape of the Elasticsearch cluster health endpoint successful.
            # TYPE elasticsearch_cluster_health_up gauge
            elasticsearch_cluster_health_up 1

            """);
        var settings = new PrometheusSettings(
            [new MonitoredCluster("fra", "prod-fra", exporter.Port, 3)], [], [], "rules.yml",
            RecoveryScrape.Beside(new Uri(daemon.Client.BaseAddress!, "alerts").ToString()))
        {
            ScrapeInterval = TimeSpan.FromSeconds(1),
            EvaluationInterval = TimeSpan.FromSeconds(1),
        };
        await File.WriteAllTextAsync(Path.Combine(dir, "rules.yml"), "groups: []\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), PrometheusConfig.Render(settings));
        var api = new Uri($"http://127.0.0.1:{Loopback.FreePort()}/");
        prometheus = Start(Path.Combine(dir, "prometheus.yml"), api);

        var lag = await QueryUntilAsync(api, "esdr_ccr_follower_lag_operations{follower_index=\"orders-1\"}");
        var health = await QueryUntilAsync(api, "elasticsearch_cluster_health_status{color=\"green\"}");
        var up = await QueryUntilAsync(api, "elasticsearch_cluster_health_up");

        var sample = Assert.Single(lag);
        Assert.Equal("esdr_recovery", Label(sample, "job"));
        Assert.Equal(("dub", "prod-dub", "orders-1"), (Label(sample, "region"), Label(sample, "cluster"), Label(sample, "follower_index")));
        Assert.Equal("3", (string?)sample!["value"]![1]);
        var green = Assert.Single(health);
        Assert.Equal(("fra", "prod-fra"), (Label(green, "region"), Label(green, "cluster")));
        Assert.Null(green!["metric"]!["exported_cluster"]);
        Assert.Equal("prod-fra", Label(Assert.Single(up), "cluster")); // the target's, the exporter sets none
    }

    public void Dispose()
    {
        if (prometheus is not null)
        {
            prometheus.KillAsync().GetAwaiter().GetResult();
            prometheus.Dispose();
        }
        client.Dispose();
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
    }

    private static string? Label(JsonNode? sample, string name) => (string?)sample!["metric"]![name];

    /// <summary>The instant query's samples, once it has any.</summary>
    private async Task<JsonArray> QueryUntilAsync(Uri api, string query)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var body = await client.GetStringAsync(new Uri(api, "api/v1/query?query=" + Uri.EscapeDataString(query)));
                if (JsonNode.Parse(body)!["data"]!["result"] is JsonArray { Count: > 0 } result) return result;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (deadline.Elapsed > Patience || prometheus is { HasExited: true })
                throw new TimeoutException($"no samples for {query}; Prometheus said:\n{Log}");
            await Task.Delay(200);
        }
    }

    private string Log => prometheus?.Output ?? "";

    private ToolProcess Start(string config, Uri api) => ToolProcess.Start("prometheus",
        ToolProcess.Binary("prometheus", "/usr/bin/prometheus", "/usr/local/bin/prometheus"),
        ["--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"), "--web.listen-address=" + api.Authority]);

    /// <summary>Answers every GET with one fixed exposition page, as an exporter on loopback does.</summary>
    private sealed class ExporterStandIn : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task serving;

        private ExporterStandIn(int port, string page)
        {
            Port = port;
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            serving = Task.Run(async () =>
            {
                var bytes = Encoding.UTF8.GetBytes(page);
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                    context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public int Port { get; }

        public static ExporterStandIn Start(string page) => new(Loopback.FreePort(), page);

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
