using System.Diagnostics;
using System.Globalization;
using System.Text;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Support;

/// <summary>
/// Debian's real Alertmanager (prometheus-alertmanager, 0.25) on loopback, its clustering off, routing every alert to
/// one webhook receiver named as the stack's (<see cref="AlertmanagerConfig.ReceiverName"/>): group_wait 1 s, and a
/// delivered group is sent again only after 4 h. Alerts are handed to it as Prometheus would
/// (<c>POST /api/v2/alerts</c>). Every wait is bounded.
/// </summary>
internal sealed class RealAlertmanager : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string dir = Directory.CreateTempSubdirectory("esdr-alertmanager-").FullName;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Dictionary<string, string> startedAt = new(StringComparer.Ordinal);
    private ToolProcess? process;

    private RealAlertmanager(Uri api) => Api = api;

    /// <summary>Alertmanager's own address (its UI and API).</summary>
    public Uri Api { get; }

    /// <summary>What Alertmanager logged (debug level).</summary>
    public string Log => process?.Output ?? "";

    /// <summary>Starts Alertmanager posting to <paramref name="webhook"/> (its <c>/alerts</c>) with the bearer token, and waits until it is ready.</summary>
    public static async Task<RealAlertmanager> StartAsync(Uri webhook, string token)
    {
        var alertmanager = new RealAlertmanager(new Uri($"http://127.0.0.1:{Loopback.FreePort()}/"));
        try
        {
            var config = Path.Combine(alertmanager.dir, "alertmanager.yml");
            await File.WriteAllTextAsync(config, $"""
                route:
                  receiver: {AlertmanagerConfig.ReceiverName}
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 1h
                  repeat_interval: 4h
                receivers:
                  - name: {AlertmanagerConfig.ReceiverName}
                    webhook_configs:
                      - url: {webhook}alerts
                        send_resolved: true
                        http_config:
                          authorization:
                            type: Bearer
                            credentials: {token}
                """);
            alertmanager.process = alertmanager.Start(config);
            await alertmanager.UntilAsync(async () => await alertmanager.ReadyAsync(), "Alertmanager to be ready");
            return alertmanager;
        }
        catch
        {
            await alertmanager.DisposeAsync();
            throw;
        }
    }

    /// <summary>Hands Alertmanager <paramref name="count"/> firing alerts of one name (one group) in <paramref name="region"/>, as Prometheus would.</summary>
    public Task FireAsync(string alertName, int count, string region = "fra")
    {
        var startsAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        lock (startedAt)
            startedAt[alertName] = startsAt;
        return PostAsync(alertName, count, region, startsAt, endsAt: null);
    }

    /// <summary>Ends what <see cref="FireAsync"/> started, as Prometheus does when the rule stops firing (endsAt now).</summary>
    public Task ResolveAsync(string alertName, int count, string region = "fra")
    {
        string startsAt;
        lock (startedAt)
            startsAt = startedAt[alertName];
        return PostAsync(alertName, count, region, startsAt,
            DateTimeOffset.UtcNow.AddSeconds(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    public async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience || process is { HasExited: true })
                throw new TimeoutException($"gave up waiting for {what}; Alertmanager said:\n{Log}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            await process.KillAsync();
            process.Dispose();
        }
        client.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private async Task PostAsync(string alertName, int count, string region, string startsAt, string? endsAt)
    {
        var alerts = Enumerable.Range(0, count).Select(i =>
            $$"""{"labels":{"alertname":"{{alertName}}","region":"{{region}}","instance":"node-{{i}}"},"annotations":{"summary":"{{alertName}} on node-{{i}}"},"startsAt":"{{startsAt}}"{{(endsAt is null ? "" : $",\"endsAt\":\"{endsAt}\"")}},"generatorURL":"http://prometheus:9090/graph"}""");
        using var content = new StringContent("[" + string.Join(',', alerts) + "]", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(Api, "api/v2/alerts"), content);
        response.EnsureSuccessStatusCode();
    }

    private async Task<bool> ReadyAsync()
    {
        try
        {
            using var response = await client.GetAsync(new Uri(Api, "-/ready"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    // Its debug log is read whole by the tests (a 413's and a 503's retries): kept generously.
    private ToolProcess Start(string config) => ToolProcess.Start("alertmanager",
        ToolProcess.Binary("prometheus-alertmanager", "/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager", "/usr/bin/alertmanager"),
        ["--config.file=" + config, "--storage.path=" + Path.Combine(dir, "data"), "--web.listen-address=" + Api.Authority,
            "--cluster.listen-address=", "--log.level=debug"],
        keptLines: 100_000);
}
