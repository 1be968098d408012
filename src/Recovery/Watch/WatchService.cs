using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe.Alertmanager;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Watch;

/// <summary>
/// What <c>watch</c> and <c>serve</c> run: the Alertmanager webhook on Kestrel (when configured) feeding the
/// <see cref="WatchLoop"/>'s "alerts" vantage, and the loop itself, until cancelled. <c>serve</c> is the same
/// with no probes: the alerts alone. Everything is injected; the command builds the probes and the pipeline.
/// </summary>
internal sealed class WatchService : IAsyncDisposable
{
    private readonly WebhookReceiver? webhook;

    private WatchService(WatchLoop loop, WebhookReceiver? webhook)
    {
        Loop = loop;
        this.webhook = webhook;
    }

    public WatchLoop Loop { get; }

    /// <summary>Where the webhook listens once running; null without one.</summary>
    public Uri? WebhookAddress => webhook?.BaseAddress;

    /// <param name="webhook">The webhook's options and token; null: no webhook, so no "alerts" vantage.</param>
    /// <param name="activeAlerts">Alertmanager's active alerts, read at start and every few rounds; null: pushed alerts only.</param>
    /// <param name="metrics">Renders <c>/metrics</c> from the loop, on the webhook's listener; null: no <c>/metrics</c>.</param>
    public static WatchService Create(
        WatchOptions options,
        ExpectedTopology expected,
        IReadOnlyList<IRegionProbe> probes,
        IReadOnlyList<IPeerProbe> peers,
        (WebhookOptions Options, WebhookToken Token)? webhook,
        Func<Detection, CancellationToken, Task<PipelineOutcome>> recover,
        TimeProvider time,
        ILogger? logger = null,
        Func<WatchLoop, string>? metrics = null,
        IActiveAlerts? activeAlerts = null)
    {
        WatchLoop? built = null;
        var receiver = webhook is { } w
            ? new WebhookReceiver(w.Options, w.Token, time, metrics is null ? null : () => metrics(built!))
            : null;
        built = new WatchLoop(options, expected, probes, peers, receiver?.Alerts, recover, time, logger, activeAlerts);
        return new WatchService(built, receiver);
    }

    /// <summary>Binds the webhook (so a bad address fails before anything runs), then watches until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (webhook is not null)
            await webhook.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Loop.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (webhook is not null)
                await webhook.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Starts only the webhook, for a caller that drives <see cref="WatchLoop.RoundAsync"/> itself (tests, benchmarks).</summary>
    public Task StartWebhookAsync(CancellationToken cancellationToken) =>
        webhook?.StartAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (webhook is not null)
            await webhook.DisposeAsync().ConfigureAwait(false);
    }
}
