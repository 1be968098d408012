using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>Where and how the webhook listens.</summary>
internal sealed record WebhookOptions
{
    /// <summary>The URL Kestrel binds; port 0 picks a free one (see <see cref="WebhookReceiver.BaseAddress"/>).</summary>
    public string Url { get; init; } = "http://127.0.0.1:9095";

    /// <summary>The audit database, where the replay guard keeps what it needs across restarts; null: memory only.</summary>
    public string? ReplayDatabase { get; init; }

    /// <summary>What it accepts and keeps (docs/recovery.md, "Webhook limits").</summary>
    public WebhookLimits Limits { get; init; } = new();
}

/// <summary>
/// The Alertmanager webhook: <c>POST /alerts</c> (bearer token, version-4 payload) answers at once and queues the
/// alerts that are news (<see cref="ReplayGuard"/>) on <see cref="Alerts"/> for the watch loop; <c>GET /healthz</c>;
/// and, when given, <c>GET /metrics</c>. A notification is accepted (202) or refused (4xx, 503) whole; what it may
/// cost is bounded by <see cref="WebhookLimits"/>, which also says which answers Alertmanager retries.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebhookOptions options;
    private readonly WebhookLimits limits;
    private readonly WebhookToken token;
    private readonly TimeProvider time;
    private readonly AlertQueue queue;
    private readonly SemaphoreSlim turns;
    private readonly ArrayPool<byte> bodies;
    private readonly Lock intake = new();
    private readonly Func<string>? metrics;
    private ReplayGuard? replays;
    private WebApplication? app;

    /// <param name="metrics">The <c>/metrics</c> page (Prometheus text), served on the same listener; null: no such route.</param>
    public WebhookReceiver(WebhookOptions options, WebhookToken token, TimeProvider time, Func<string>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Limits.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        this.options = options;
        limits = options.Limits;
        this.token = token;
        this.time = time;
        this.metrics = metrics;
        queue = new AlertQueue(limits.QueueAlerts, limits.QueueBytes, limits.QueueReserve);
        turns = new SemaphoreSlim(limits.ConcurrentNotifications, limits.ConcurrentNotifications);
        bodies = ArrayPool<byte>.Create((int)limits.MaxBodyBytes, limits.ConcurrentNotifications);
    }

    /// <summary>Alerts accepted and not replays, in arrival order.</summary>
    public ChannelReader<AlertReceived> Alerts => queue;

    /// <summary>Bytes (<see cref="WebhookLimits.Footprint"/>) of the alerts waiting on <see cref="Alerts"/>.</summary>
    public long QueuedBytes => queue.Bytes;

    /// <summary>Fingerprints the replay guard remembers now.</summary>
    public int RememberedAlerts
    {
        get
        {
            lock (intake)
                return replays?.Count ?? 0;
        }
    }

    /// <summary>The address actually bound (after <see cref="StartAsync"/>).</summary>
    public Uri BaseAddress { get; private set; } = new("http://invalid/");

    /// <summary>
    /// Loads the replay guard (from the audit database when one is named: an unusable one throws
    /// <see cref="Execute.Audit.AuditDatabaseException"/>), then binds.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (app is not null)
        {
            throw new InvalidOperationException("the webhook receiver is already started");
        }

        replays ??= new ReplayGuard(limits, time.GetUtcNow(), options.ReplayDatabase is { } path ? ReplayStore.Open(path) : null);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // No route but POST /alerts takes a body; that one raises the limit for itself (LimitBody).
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
            kestrel.Limits.MaxRequestBufferSize = limits.ConnectionBufferBytes;
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
        queue.Complete();
        replays?.Dispose();
        turns.Dispose();
    }

    private async Task HandleAlertsAsync(HttpContext context)
    {
        // First: Kestrel drains what a refusal leaves unread up to this limit and keeps the connection for the next request.
        LimitBody(context);
        if (!token.Matches(context.Request.Headers.Authorization.ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new WebhookError("missing or wrong bearer token", null)).ConfigureAwait(false);
            return;
        }

        if (context.Request.ContentLength > limits.MaxBodyBytes)
        {
            await TooLargeAsync(context).ConfigureAwait(false);
            return;
        }

        // Bodies are read and parsed a few at a time, so that many connections cannot hold many parses in memory.
        if (!await turns.WaitAsync(limits.TurnWait, context.RequestAborted).ConfigureAwait(false))
        {
            await RetryLaterAsync(context, "the webhook is busy reading other notifications; retry later").ConfigureAwait(false);
            return;
        }

        Answer answer;
        try
        {
            answer = await ReceiveAsync(context).ConfigureAwait(false);
        }
        finally
        {
            turns.Release();
        }

        await (answer switch
        {
            { Accepted: { } accepted } => WriteAsync(context, StatusCodes.Status202Accepted, accepted),
            { Status: StatusCodes.Status503ServiceUnavailable } => RetryLaterAsync(context, answer.Error!.Error),
            { BodyTooLarge: true } => TooLargeAsync(context),
            _ => WriteAsync(context, answer.Status, answer.Error!),
        }).ConfigureAwait(false);
    }

    /// <summary>What <c>POST /alerts</c> answers: 202 with what was accepted, or a status with why not.</summary>
    private readonly record struct Answer(int Status, WebhookError? Error, WebhookAccepted? Accepted = null, bool BodyTooLarge = false);

    /// <summary>Reads, checks and takes in one notification: 202, or why not (400, 413, 503).</summary>
    private async Task<Answer> ReceiveAsync(HttpContext context)
    {
        AlertmanagerPayload? payload;
        var (body, length) = (Array.Empty<byte>(), 0);
        try
        {
            (body, length) = await ReadBodyAsync(context).ConfigureAwait(false);
            if (length < 0)
                return new(StatusCodes.Status413PayloadTooLarge, TooLarge(), BodyTooLarge: true);
            payload = JsonSerializer.Deserialize(body.AsSpan(0, length), WebhookJsonContext.Default.AlertmanagerPayload);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(e.StatusCode, TooLarge(), BodyTooLarge: true);
        }
        catch (BadHttpRequestException e)
        {
            return new(e.StatusCode, new WebhookError(e.Message, null));
        }
        catch (JsonException e)
        {
            // Also duplicate keys, lone surrogates and bytes that are not UTF-8: never what Alertmanager's encoder writes.
            return new(StatusCodes.Status400BadRequest, new WebhookError("malformed JSON", string.IsNullOrEmpty(e.Path) || e.Path == "$" ? null : e.Path));
        }
        finally
        {
            if (body.Length > 0)
                bodies.Return(body);
        }

        if (PayloadValidator.Validate(payload) is { } problem)
            return new(StatusCodes.Status400BadRequest, problem);
        if (PayloadValidator.Exceeds(payload!, limits) is { } tooMuch)
            return new(StatusCodes.Status413PayloadTooLarge, tooMuch);
        return TakeIn(payload!);
    }

    /// <summary>
    /// The whole body into a buffer of the receiver's own pool (a turn's worth of bodies at most, each no larger than
    /// the limit): parsing it there needs no buffer that grows with the longest string, as parsing from the stream
    /// would, into the process-wide pool that keeps it. A length of -1: more than the limit.
    /// </summary>
    private async Task<(byte[] Body, int Length)> ReadBodyAsync(HttpContext context)
    {
        var size = (int)Math.Min(context.Request.ContentLength ?? limits.MaxBodyBytes, limits.MaxBodyBytes);
        var body = bodies.Rent(Math.Max(size, 1));
        var length = 0;
        int read;
        while (length < size && (read = await context.Request.Body.ReadAsync(body.AsMemory(length, size - length), context.RequestAborted).ConfigureAwait(false)) > 0)
            length += read;
        var more = new byte[1];
        if (length == size && await context.Request.Body.ReadAsync(more, context.RequestAborted).ConfigureAwait(false) > 0)
            length = -1;
        return (body, length);
    }

    /// <summary>
    /// Queues the notification's news, all of it or nothing: 503 when it does not fit until the watch loop takes what
    /// waits (its next round), or when the replay guard cannot record it; either way nothing is queued or remembered,
    /// so Alertmanager's retry is taken in whole.
    /// </summary>
    private Answer TakeIn(AlertmanagerPayload payload)
    {
        var now = time.GetUtcNow();
        var alerts = payload.Alerts!.Select(a => a!).ToList();
        // Validated: every alert has alertname, fingerprint, status and startsAt.
        var keys = alerts.Select(a => new AlertKey(a.Fingerprint!, a.StartsAt!.Value, a.Status!)).ToList();
        lock (intake)
        {
            var guard = replays ?? throw new InvalidOperationException("the webhook receiver is not started");
            var fresh = guard.Fresh(keys, now);
            var news = Enumerable.Range(0, alerts.Count).Where(i => fresh[i])
                .Select(i => (Alert: Received(payload, alerts[i], now), Bytes: PayloadValidator.Footprint(payload, alerts[i])))
                .ToList();
            if (!queue.HasRoomFor([.. news.Select(n => n.Bytes)], small: alerts.Count <= limits.SmallNotificationAlerts))
                return new(StatusCodes.Status503ServiceUnavailable, new WebhookError("alert queue is full until the watch loop's next round; retry later", null));
            try
            {
                guard.Record([.. Enumerable.Range(0, keys.Count).Where(i => fresh[i]).Select(i => keys[i])], now);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Execute.Audit.AuditDatabaseException)
            {
                return new(StatusCodes.Status503ServiceUnavailable, new WebhookError($"cannot record the alerts in the audit database ({e.Message}); retry later", null));
            }
            queue.EnqueueAll(news);
            return new(StatusCodes.Status202Accepted, null, new WebhookAccepted("accepted", alerts.Count, news.Count));
        }
    }

    private static AlertReceived Received(AlertmanagerPayload payload, AlertmanagerAlert alert, DateTimeOffset now) => new(
        alert.Fingerprint!,
        alert.Labels!["alertname"],
        alert.Status!,
        alert.StartsAt!.Value,
        alert.EndsAt,
        alert.Labels,
        alert.Annotations ?? new Dictionary<string, string>(),
        alert.GeneratorUrl,
        payload.GroupKey,
        payload.Receiver,
        now);

    /// <summary>This endpoint's own body limit (Kestrel's per-request <c>MaxRequestBodySize</c>), before anything reads the body.</summary>
    private void LimitBody(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limits.MaxBodyBytes;
    }

    private WebhookError TooLarge() => new($"body exceeds {limits.MaxBodyBytes} bytes", null);

    /// <summary>413 for a body over the limit, which is left unread: the connection closes, so no client sends on it again.</summary>
    private Task TooLargeAsync(HttpContext context)
    {
        context.Response.Headers.Connection = "close";
        return WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge());
    }

    /// <summary>503: Alertmanager retries it (5xx) with backoff; Retry-After is for other clients.</summary>
    private static Task RetryLaterAsync(HttpContext context, string why)
    {
        context.Response.Headers.RetryAfter = "5";
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new WebhookError(why, null));
    }

    private static Task WriteAsync<T>(HttpContext context, int status, T body)
    {
        context.Response.StatusCode = status;
        var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)WebhookJsonContext.Default.GetTypeInfo(typeof(T))!;
        return context.Response.WriteAsJsonAsync(body, info, contentType: null, context.RequestAborted);
    }
}
