using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Observe.Alertmanager;

/// <summary>Where the daemon reads Alertmanager's active alerts, and what it accepts of the answer.</summary>
/// <param name="Url">Alertmanager's base URL (<c>es-dr:monitoring.alertmanagerUrl</c>), without credentials.</param>
/// <param name="CaCertificatePem">The stack's CA, the only trust anchor over https; null over http.</param>
internal sealed record AlertmanagerApiOptions(Uri Url, string? CaCertificatePem = null)
{
    /// <summary>How long one read may take, answer included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes of one answer: room for <see cref="MaxAlerts"/> alerts of the webhook's size limits. Over it the read
    /// fails (and changes nothing).
    /// </summary>
    public long MaxResponseBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Alerts in one answer (as many as the daemon holds at most); over it the read fails.</summary>
    public int MaxAlerts { get; init; } = 10_000;

    /// <summary>Per-alert limits: the webhook's, so the pull keeps nothing the webhook would refuse.</summary>
    public WebhookLimits Limits { get; init; } = new();

    /// <summary>The receiver whose alerts are read: the one the stack's Alertmanager routes every alert to.</summary>
    public string Receiver { get; init; } = AlertmanagerConfig.ReceiverName;
}

/// <summary>The active alerts could not be read (no answer, an error status, an answer too large or not the API's JSON).</summary>
internal sealed class AlertmanagerApiException : Exception
{
    public AlertmanagerApiException() { }

    public AlertmanagerApiException(string message) : base(message) { }

    public AlertmanagerApiException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Reads the alerts that fire now; the watch loop's pull (a stand-in in tests).</summary>
internal interface IActiveAlerts
{
    /// <summary>Where it reads, for log lines.</summary>
    Uri Source { get; }

    /// <summary>
    /// Every alert Alertmanager holds as active (not silenced, not inhibited) for our receiver, as the webhook would
    /// deliver it; throws <see cref="AlertmanagerApiException"/> when it cannot tell.
    /// </summary>
    Task<IReadOnlyList<AlertReceived>> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Alertmanager's API v2, <c>GET /api/v2/alerts</c> (prometheus/alertmanager <c>api/v2/openapi.yaml</c>,
/// <c>gettableAlerts</c>), asked for the active alerts only (<c>active=true&amp;silenced=false&amp;inhibited=false</c>:
/// what the webhook is notified of) routed to <see cref="AlertmanagerApiOptions.Receiver"/>. Bounded in time and size;
/// over https the stack's CA is the only trust anchor. An alert the webhook's limits would refuse is left out, as the
/// webhook would never have passed it on.
/// </summary>
internal sealed class AlertmanagerApi : IActiveAlerts, IDisposable
{
    private readonly AlertmanagerApiOptions options;
    private readonly HttpClient client;
    private readonly X509Certificate2? ca;
    private readonly TimeProvider time;

    public AlertmanagerApi(AlertmanagerApiOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = options.Url;
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"Alertmanager's URL must be an absolute http(s) URL, got '{url}'", nameof(options));
        if (!string.IsNullOrEmpty(url.UserInfo))
            throw new ArgumentException("Alertmanager's URL must not carry credentials", nameof(options));
        if (url.Scheme == Uri.UriSchemeHttps && options.CaCertificatePem is null)
            throw new ArgumentException($"{url.GetLeftPart(UriPartial.Path)} is https but no CA certificate is given: the stack's CA is the only trust anchor", nameof(options));
        this.options = options;
        this.time = time ?? TimeProvider.System;
        Source = new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/api/v2/alerts");
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (url.Scheme == Uri.UriSchemeHttps)
        {
            var trusted = CaTrust.FromPem(options.CaCertificatePem!);
            ca = trusted;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                CaTrust.IsTrusted(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())),
                    chain, errors, trusted, verifyHostname: true);
        }
        // The timeout is ours (below, on the injected clock); the client's own would race it.
        client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = options.MaxResponseBytes };
    }

    public Uri Source { get; }

    /// <summary>The request's URL: the active alerts of our receiver (a regex Alertmanager anchors itself).</summary>
    internal Uri Query => new(Source + "?active=true&silenced=false&inhibited=false&receiver=" + Uri.EscapeDataString(System.Text.RegularExpressions.Regex.Escape(options.Receiver)));

    public async Task<IReadOnlyList<AlertReceived>> ReadAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] body;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Query);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new AlertmanagerApiException($"GET {Source} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            if (response.Content.Headers.ContentLength > options.MaxResponseBytes)
                throw TooLarge();
            body = await ReadCappedAsync(response.Content, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
        {
            throw new AlertmanagerApiException($"GET {Source} gave no answer within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new AlertmanagerApiException($"GET {Source} failed: {Innermost(e)}", e);
        }
        return Parse(body, time.GetUtcNow());
    }

    /// <summary>The answer's alerts for our receiver, as <see cref="AlertReceived"/> (received at <paramref name="now"/>).</summary>
    internal IReadOnlyList<AlertReceived> Parse(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        List<GettableAlert?>? alerts;
        try
        {
            alerts = JsonSerializer.Deserialize(body, AlertmanagerApiJsonContext.Default.ListGettableAlert);
        }
        catch (JsonException e)
        {
            throw new AlertmanagerApiException($"GET {Source} answered with a body that is not Alertmanager's alert list: {e.Message}", e);
        }
        if (alerts is null)
            throw new AlertmanagerApiException($"GET {Source} answered null, not a list of alerts");
        if (alerts.Count > options.MaxAlerts)
            throw new AlertmanagerApiException($"GET {Source} listed {alerts.Count} alerts; at most {options.MaxAlerts} are read");
        var received = new List<AlertReceived>(alerts.Count);
        foreach (var alert in alerts)
        {
            if (Received(alert, now) is { } a)
                received.Add(a);
        }
        return received;
    }

    public void Dispose()
    {
        client.Dispose();
        ca?.Dispose();
    }

    /// <summary>
    /// One gettable alert as the webhook would pass it on: firing, its <c>endsAt</c> left out as Alertmanager leaves it
    /// out of a firing alert's notification (it is only Prometheus's resend deadline), no group key (no notification).
    /// Null for an alert the webhook would refuse (no fingerprint, no alertname, no startsAt, over the limits), one not
    /// active, or one not routed to our receiver.
    /// </summary>
    private AlertReceived? Received(GettableAlert? alert, DateTimeOffset now)
    {
        if (alert is not { Fingerprint: { Length: > 0 } fingerprint, Labels: { } labels, StartsAt: { } startsAt }
            || !labels.TryGetValue("alertname", out var name) || string.IsNullOrWhiteSpace(name))
            return null;
        if (alert.Status?.State is { } state && state != "active")
            return null;
        if (alert.Receivers is { } receivers && !receivers.Any(r => r?.Name == options.Receiver))
            return null;
        var annotations = alert.Annotations ?? new Dictionary<string, string>();
        var limits = options.Limits;
        if (fingerprint.Length > limits.MaxFingerprintLength || labels.Count > limits.MaxPairsPerAlert || annotations.Count > limits.MaxPairsPerAlert)
            return null;
        var kept = new AlertmanagerAlert("firing", labels, annotations, startsAt, null, alert.GeneratorUrl, fingerprint);
        if (PayloadValidator.KeptBytes(new AlertmanagerPayload(null, null, null, null, options.Receiver, null, null, null, null, null), kept) > limits.MaxAlertBytes)
            return null;
        return new AlertReceived(fingerprint, name, "firing", startsAt, null, labels, annotations, alert.GeneratorUrl, null, options.Receiver, now);
    }

    private async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > options.MaxResponseBytes)
                throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private AlertmanagerApiException TooLarge() =>
        new($"GET {Source} answered more than {options.MaxResponseBytes} bytes; not read");

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}

/// <summary>One element of <c>GET /api/v2/alerts</c>'s answer (<c>gettableAlert</c>); every member nullable, checked on use.</summary>
internal sealed record GettableAlert(
    [property: JsonPropertyName("fingerprint")] string? Fingerprint,
    [property: JsonPropertyName("labels")] Dictionary<string, string>? Labels,
    [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset? StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset? EndsAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset? UpdatedAt,
    [property: JsonPropertyName("status")] GettableAlertStatus? Status,
    [property: JsonPropertyName("receivers")] List<GettableAlertReceiver?>? Receivers,
    [property: JsonPropertyName("generatorURL")] string? GeneratorUrl);

/// <summary><c>alertStatus</c>: <c>unprocessed</c>, <c>active</c> or <c>suppressed</c>.</summary>
internal sealed record GettableAlertStatus([property: JsonPropertyName("state")] string? State);

internal sealed record GettableAlertReceiver([property: JsonPropertyName("name")] string? Name);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(List<GettableAlert?>))]
internal sealed partial class AlertmanagerApiJsonContext : JsonSerializerContext;
