using Microsoft.Extensions.Logging;

namespace EsDr.Recovery.Execute.Git;

/// <summary>
/// The daemon's retry of pending config publications: after a round, at most once per <see cref="Interval"/>, and
/// never two at once; it runs beside the rounds so a hung git host holds up no probe (the publisher bounds each try).
/// The publisher is asked for at each retry: a daemon that reloads its stack hands in the current one.
/// </summary>
internal sealed partial class PendingPublicationRetry(Func<ConfigPublisher> publisher, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    private DateTimeOffset? last;
    private Task running = Task.CompletedTask;

    /// <summary>The retry in flight (or a finished one), for a daemon that stops to wait for.</summary>
    public Task Completion => running;

    /// <summary>Called after each round (from the loop, one at a time): starts a retry when one is due.</summary>
    public void Kick(CancellationToken cancellationToken)
    {
        var current = publisher();
        if (!current.Configured || !running.IsCompleted) return;
        var now = time.GetUtcNow();
        if (last is { } previous && now - previous < Interval) return;
        last = now;
        running = RetryAsync(current, cancellationToken);
    }

    private async Task RetryAsync(ConfigPublisher publisher, CancellationToken cancellationToken)
    {
        try
        {
            if (await publisher.RetryPendingAsync(cancellationToken).ConfigureAwait(false) is { } retry)
            {
                var ids = string.Join(", ", retry.RecoveryIds);
                if (retry.Result.State == PublicationState.Pushed) LogPushed(logger, ids, retry.Result.Detail);
                else LogNotPushed(logger, ids, retry.Result.Detail);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The daemon stops; the publication stays pending for the next process.
        }
#pragma warning disable CA1031 // A retry that cannot run (the audit database busy) is tried again next time, the daemon goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogNotPushed(logger, "pending", GitProcess.Scrub(e.Message));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "recovery {RecoveryIds}: {Detail}")]
    private static partial void LogPushed(ILogger logger, string recoveryIds, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "recovery {RecoveryIds}: {Detail}")]
    private static partial void LogNotPushed(ILogger logger, string recoveryIds, string detail);
}
