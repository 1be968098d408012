using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using EsDr.Recovery.Observe.Webhook;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Observe.Webhook;

/// <summary>
/// The webhook's answers as the real Alertmanager (Debian's prometheus-alertmanager, 0.25) takes them, both on
/// loopback, its clustering off: a 413 is given up after one attempt, a 503 is retried until the queue has room.
/// Each wait is bounded; nothing is asserted about how long anything took.
/// </summary>
[Collection("live processes")]
public sealed class RealAlertmanagerTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Two alerts per notification and two in the queue: small enough to reach both refusals with a few alerts.
    private static readonly WebhookLimits Limits = new()
    {
        MaxAlertsPerNotification = 2,
        QueueAlerts = 2,
        QueueBytes = 64 * 1024,
    };

    private readonly string dir = Directory.CreateTempSubdirectory("esdr-alertmanager-").FullName;
    private readonly StringBuilder log = new();
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private RunningReceiver? webhook;
    private Process? alertmanager;
    private Uri api = new("http://127.0.0.1:0/");

    public async Task InitializeAsync()
    {
        webhook = await RunningReceiver.StartAsync(TimeProvider.System, Limits);
        api = new Uri($"http://127.0.0.1:{Loopback.FreePort()}/");
        var config = Path.Combine(dir, "alertmanager.yml");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: esdr
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1h
              repeat_interval: 4h
            receivers:
              - name: esdr
                webhook_configs:
                  - url: {webhook.Receiver.BaseAddress}alerts
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: {RunningReceiver.Secret}
            """);
        alertmanager = Start(config);
        await UntilAsync(async () => (await TryGetAsync(new Uri(api, "-/ready"))) == true, "Alertmanager to be ready");
    }

    public async Task DisposeAsync()
    {
        if (alertmanager is { HasExited: false })
        {
            alertmanager.Kill(entireProcessTree: true);
            await alertmanager.WaitForExitAsync();
        }
        alertmanager?.Dispose();
        if (webhook is not null)
            await webhook.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task Alertmanager_GivesUpA413AfterOneAttempt_AndRetriesA503UntilTheQueueHasRoom()
    {
        var w = webhook!;
        await FireAsync("Fits", 1);
        await UntilAsync(() => Task.FromResult(w.Receiver.Alerts.Count == 1), "the first notification in the queue");

        await FireAsync("TooMany", 3); // more alerts than one notification may carry: 413
        await FireAsync("Waits", 2);   // fits a notification but not the queue's one free place: 503
        await UntilAsync(() => Task.FromResult(Log.Contains("status code 413", StringComparison.Ordinal)
            && Log.Contains("status code 503", StringComparison.Ordinal)), "Alertmanager to meet the 413 and the 503");
        var first = w.Drain(); // the watch loop's round: room again
        await UntilAsync(() => Task.FromResult(w.Receiver.Alerts.Count == 2), "Alertmanager's retry of the 503");
        var retried = w.Drain();

        Assert.Equal(["Fits"], first.Select(a => a.AlertName));
        Assert.Matches("^[0-9a-f]{16}$", first[0].Fingerprint); // Alertmanager's fingerprints: 16 hex digits
        Assert.Equal(["Waits", "Waits"], retried.Select(a => a.AlertName));
        Assert.Contains("notify retry canceled due to unrecoverable error after 1 attempts", Log, StringComparison.Ordinal);
        Assert.Contains("Notify attempt failed, will retry later", Log, StringComparison.Ordinal);
        Assert.DoesNotContain(first.Concat(retried), a => a.AlertName == "TooMany");
    }

    private string Log
    {
        get
        {
            lock (log)
                return log.ToString();
        }
    }

    private Process Start(string config)
    {
        var binary = new[] { "/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager", "/usr/bin/alertmanager" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Alertmanager is required for these tests (Debian: apt-get install prometheus-alertmanager).");
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--config.file=" + config, "--storage.path=" + Path.Combine(dir, "data"),
            "--web.listen-address=" + api.Authority, "--cluster.listen-address=", "--log.level=debug",
        })
        {
            info.ArgumentList.Add(arg);
        }
        try
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException("Alertmanager did not start");
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{binary} could not be started", e);
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (log)
            log.AppendLine(line);
    }

    /// <summary>Hands Alertmanager <paramref name="count"/> firing alerts of one name (one group), as Prometheus would.</summary>
    private async Task FireAsync(string alertName, int count)
    {
        var startsAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var alerts = Enumerable.Range(0, count).Select(i =>
            $$"""{"labels":{"alertname":"{{alertName}}","region":"fra","instance":"node-{{i}}"},"startsAt":"{{startsAt}}"}""");
        using var content = new StringContent("[" + string.Join(',', alerts) + "]", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(api, "api/v2/alerts"), content);
        response.EnsureSuccessStatusCode();
    }

    private async Task<bool?> TryGetAsync(Uri uri)
    {
        try
        {
            using var response = await client.GetAsync(uri);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience || alertmanager is { HasExited: true })
                throw new TimeoutException($"gave up waiting for {what}; Alertmanager said:\n{Log}");
            await Task.Delay(100);
        }
    }
}
