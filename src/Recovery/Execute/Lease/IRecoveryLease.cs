namespace EsDr.Recovery.Execute.Lease;

/// <summary>
/// The "one recovery at a time" guard rail: whoever holds the lease may act; everyone else waits.
/// <see cref="LocalLease"/> for a single instance, <see cref="EtcdLease"/> when several replicas run.
/// </summary>
internal interface IRecoveryLease
{
    /// <summary>Takes the lease for <paramref name="holderId"/>, or returns null at once when someone else holds it.</summary>
    Task<LeaseHandle?> TryAcquireAsync(string holderId, CancellationToken cancellationToken);
}

/// <summary>
/// A held lease. It is kept alive until released or disposed; <see cref="IsHeld"/> turns false (and
/// <see cref="Lost"/> is cancelled) as soon as the holder can no longer be sure it still holds it.
/// </summary>
internal abstract class LeaseHandle : IAsyncDisposable
{
    private readonly CancellationTokenSource _lost = new();

    protected LeaseHandle(string holderId) => HolderId = holderId;

    public string HolderId { get; }

    /// <summary>True while the lease is held: not released, not expired, not taken away.</summary>
    public abstract bool IsHeld { get; }

    /// <summary>Cancelled when the lease is lost or released; pass it to the work the lease guards.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Gives the lease up so another contender can take it at once.</summary>
    public abstract Task ReleaseAsync(CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync().ConfigureAwait(false);
        MarkLost();
        _lost.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask DisposeCoreAsync();

    protected void MarkLost()
    {
        try
        {
            if (!_lost.IsCancellationRequested) _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to signal.
        }
    }
}
