using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EsDr.Recovery.Observe.Webhook;

namespace EsDr.Recovery.Tests.Observe.Webhook;

/// <summary>One alert of a test notification; padding makes it as large as a test needs.</summary>
internal sealed record TestAlert(
    string Fingerprint,
    string Status = "firing",
    string StartsAt = "2025-01-01T11:58:00Z",
    string AlertName = "EsNodeDown",
    int DescriptionLength = 0);

/// <summary>Alertmanager version-4 notifications as its webhook notifier writes them, built to size.</summary>
internal static class Notifications
{
    public static byte[] Of(params TestAlert[] alerts) => Of((IReadOnlyList<TestAlert>)alerts);

    public static byte[] Of(IReadOnlyList<TestAlert> alerts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("receiver", "esdr-recovery");
            json.WriteString("status", alerts.Any(a => a.Status == "firing") ? "firing" : "resolved");
            json.WriteStartArray("alerts");
            foreach (var alert in alerts)
                Write(json, alert);
            json.WriteEndArray();
            json.WriteStartObject("groupLabels");
            json.WriteString("alertname", alerts.Count > 0 ? alerts[0].AlertName : "EsNodeDown");
            json.WriteEndObject();
            json.WriteStartObject("commonLabels");
            json.WriteEndObject();
            json.WriteStartObject("commonAnnotations");
            json.WriteEndObject();
            json.WriteString("externalURL", "http://alertmanager:9093");
            json.WriteString("version", "4");
            json.WriteString("groupKey", "{}:{alertname=\"EsNodeDown\", cluster=\"es-fra\", region=\"fra\"}");
            json.WriteNumber("truncatedAlerts", 0);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary><paramref name="count"/> firing alerts with fingerprints <c>{prefix}-0…</c>, each with a description of <paramref name="descriptionLength"/>.</summary>
    public static byte[] Many(string prefix, int count, int descriptionLength = 0) =>
        Of([.. Enumerable.Range(0, count).Select(i => new TestAlert(prefix + "-" + i.ToString(CultureInfo.InvariantCulture), DescriptionLength: descriptionLength))]);

    /// <summary>
    /// <paramref name="count"/> alerts with only what the webhook requires (about 100 bytes each: 9 000 make the
    /// 0.9 MiB notification of issue 9).
    /// </summary>
    public static byte[] Minimal(string prefix, int count)
    {
        var alerts = Enumerable.Range(0, count).Select(i =>
            $$"""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"{{prefix}}{{i.ToString("x8", CultureInfo.InvariantCulture)}}"}""");
        return Encoding.UTF8.GetBytes("""{"version":"4","status":"firing","alerts":[""" + string.Join(',', alerts) + "]}");
    }

    private static void Write(Utf8JsonWriter json, TestAlert alert)
    {
        json.WriteStartObject();
        json.WriteString("status", alert.Status);
        json.WriteStartObject("labels");
        json.WriteString("alertname", alert.AlertName);
        json.WriteString("cluster", "es-fra");
        json.WriteString("region", "fra");
        json.WriteString("severity", "critical");
        json.WriteEndObject();
        json.WriteStartObject("annotations");
        json.WriteString("summary", "node down");
        if (alert.DescriptionLength > 0)
            json.WriteString("description", new string('d', alert.DescriptionLength));
        json.WriteEndObject();
        json.WriteString("startsAt", alert.StartsAt);
        json.WriteString("endsAt", alert.Status == "resolved" ? "2025-01-01T12:05:00Z" : "0001-01-01T00:00:00Z");
        json.WriteString("generatorURL", "http://prometheus:9090/graph?g0.expr=up");
        json.WriteString("fingerprint", alert.Fingerprint);
        json.WriteEndObject();
    }
}

/// <summary>Posts to a receiver's <c>/alerts</c> over loopback HTTP with its bearer token.</summary>
internal sealed class WebhookPoster(Uri baseAddress, string token) : IDisposable
{
    private readonly HttpClient client = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(System.Net.HttpStatusCode Status, JsonDocument Body)> PostAsync(byte[] body, bool chunked = false, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/alerts", UriKind.Relative))
        {
            Content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (chunked)
            request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text));
    }

    public void Dispose() => client.Dispose();
}

/// <summary>A started receiver on a free loopback port with a poster for it.</summary>
internal sealed class RunningReceiver : IAsyncDisposable
{
    public const string Secret = "abuse-test-token-51c0";

    private RunningReceiver(WebhookReceiver receiver, WebhookPoster poster)
    {
        Receiver = receiver;
        Poster = poster;
    }

    public WebhookReceiver Receiver { get; }

    public WebhookPoster Poster { get; }

    public static async Task<RunningReceiver> StartAsync(TimeProvider time, WebhookLimits? limits = null, string? replayDatabase = null)
    {
        var receiver = new WebhookReceiver(
            new WebhookOptions { Url = "http://127.0.0.1:0", Limits = limits ?? new WebhookLimits(), ReplayDatabase = replayDatabase },
            WebhookToken.FromSecret(Secret), time);
        await receiver.StartAsync();
        return new RunningReceiver(receiver, new WebhookPoster(receiver.BaseAddress, Secret));
    }

    /// <summary>What the watch loop does each round: takes every queued alert.</summary>
    public List<AlertReceived> Drain()
    {
        var taken = new List<AlertReceived>();
        while (Receiver.Alerts.TryRead(out var alert))
            taken.Add(alert);
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        Poster.Dispose();
        await Receiver.DisposeAsync();
    }
}

/// <summary>Reading the webhook's JSON answers.</summary>
internal static class WebhookAnswers
{
    public static int Enqueued(this JsonDocument body) => body.RootElement.GetProperty("enqueued").GetInt32();

    public static string Error(this JsonDocument body) => body.RootElement.GetProperty("error").GetString()!;

    public static string? Field(this JsonDocument body) =>
        body.RootElement.TryGetProperty("field", out var field) ? field.GetString() : null;

    public static string Utf8(this byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
