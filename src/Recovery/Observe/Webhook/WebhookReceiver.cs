using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>Where and how the webhook listens.</summary>
internal sealed record WebhookOptions
{
    /// <summary>The URL Kestrel binds; port 0 picks a free one (see <see cref="WebhookReceiver.BaseAddress"/>).</summary>
    public string Url { get; init; } = "http://127.0.0.1:9095";

    /// <summary>How long the same (fingerprint, startsAt, status) is treated as a replay.</summary>
    public TimeSpan DedupeWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How many alerts may wait for the pipeline; when full the webhook answers 503 (Alertmanager retries).</summary>
    public int ChannelCapacity { get; init; } = 1024;

    public long MaxBodyBytes { get; init; } = 1024 * 1024;
}

/// <summary>
/// The Alertmanager webhook: <c>POST /alerts</c> (bearer token, version-4 payload) answers 202 at once
/// and queues new alerts on <see cref="Alerts"/> for the background pipeline; <c>GET /healthz</c>; and, when given,
/// <c>GET /metrics</c>.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebhookOptions options;
    private readonly WebhookToken token;
    private readonly TimeProvider time;
    private readonly ReplayGuard replays;
    private readonly Channel<AlertReceived> channel;
    private readonly Func<string>? metrics;
    private WebApplication? app;

    /// <param name="metrics">The <c>/metrics</c> page (Prometheus text), served on the same listener; null: no such route.</param>
    public WebhookReceiver(WebhookOptions options, WebhookToken token, TimeProvider time, Func<string>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(time);
        this.options = options;
        this.token = token;
        this.time = time;
        this.metrics = metrics;
        replays = new ReplayGuard(time, options.DedupeWindow);
        channel = Channel.CreateBounded<AlertReceived>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <summary>Alerts accepted and not replays, in arrival order.</summary>
    public ChannelReader<AlertReceived> Alerts => channel.Reader;

    /// <summary>The address actually bound (after <see cref="StartAsync"/>).</summary>
    public Uri BaseAddress { get; private set; } = new("http://invalid/");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (app is not null)
        {
            throw new InvalidOperationException("the webhook receiver is already started");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.WebHost.UseUrls(options.Url);

        var built = builder.Build();
        built.MapGet("/healthz", static context => context.Response.WriteAsync("ok", context.RequestAborted));
        built.MapPost("/alerts", HandleAlertsAsync);
        if (metrics is { } page)
        {
            // Unauthenticated like every exporter's: it carries lag figures and counters, no secret.
            built.MapGet("/metrics", context =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                return context.Response.WriteAsync(page(), context.RequestAborted);
            });
        }
        await built.StartAsync(cancellationToken).ConfigureAwait(false);
        app = built;
        BaseAddress = new Uri(built.Urls.First());
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (app is { } running)
        {
            app = null;
            await running.StopAsync(cancellationToken).ConfigureAwait(false);
            await running.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        channel.Writer.TryComplete();
    }

    private async Task HandleAlertsAsync(HttpContext context)
    {
        var request = context.Request;
        if (!token.Matches(request.Headers.Authorization.ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new WebhookError("missing or wrong bearer token", null)).ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
            return;
        }

        AlertmanagerPayload? payload;
        try
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            if (body.Length > options.MaxBodyBytes)
            {
                await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
                return;
            }

            payload = JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), WebhookJsonContext.Default.AlertmanagerPayload);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
            return;
        }
        catch (JsonException e)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, new WebhookError("malformed JSON", string.IsNullOrEmpty(e.Path) || e.Path == "$" ? null : e.Path)).ConfigureAwait(false);
            return;
        }

        if (PayloadValidator.Validate(payload) is { } problem)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }

        var (enqueued, full) = Enqueue(payload!);
        if (full)
        {
            context.Response.Headers.RetryAfter = "5";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new WebhookError("alert queue is full; retry later", null)).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, StatusCodes.Status202Accepted, new WebhookAccepted("accepted", payload!.Alerts!.Count, enqueued)).ConfigureAwait(false);
    }

    private (int Enqueued, bool Full) Enqueue(AlertmanagerPayload payload)
    {
        var now = time.GetUtcNow();
        var enqueued = 0;
        var full = false;
        foreach (var alert in payload.Alerts!)
        {
            // Validated: non-null alert with alertname, fingerprint, status and startsAt.
            var key = new AlertKey(alert!.Fingerprint!, alert.StartsAt!.Value, alert.Status!);
            if (!replays.TryAdmit(key))
            {
                continue;
            }

            var item = new AlertReceived(
                key.Fingerprint,
                alert.Labels!["alertname"],
                key.Status,
                key.StartsAt,
                alert.EndsAt,
                alert.Labels,
                alert.Annotations ?? new Dictionary<string, string>(),
                alert.GeneratorUrl,
                payload.GroupKey,
                payload.Receiver,
                now);
            if (channel.Writer.TryWrite(item))
            {
                enqueued++;
            }
            else
            {
                replays.Forget(key);
                full = true;
            }
        }

        return (enqueued, full);
    }

    private WebhookError TooLarge() => new($"body exceeds {options.MaxBodyBytes} bytes", null);

    private static Task WriteAsync<T>(HttpContext context, int status, T body)
    {
        context.Response.StatusCode = status;
        var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)WebhookJsonContext.Default.GetTypeInfo(typeof(T))!;
        return context.Response.WriteAsJsonAsync(body, info, contentType: null, context.RequestAborted);
    }
}
