namespace EsDr.Recovery.Execute.Lease;

/// <summary>
/// One instance on one machine: an exclusive lock file in the state directory. The operating system
/// drops the lock when the process dies, so a crashed holder never blocks the next run.
/// </summary>
internal sealed class LocalLease(string stateDirectory) : IRecoveryLease
{
    public const string LockFileName = "recovery.lock";

    public string LockFilePath { get; } = Path.Combine(stateDirectory, LockFileName);

    public async Task<LeaseHandle?> TryAcquireAsync(string holderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderId);
        Directory.CreateDirectory(stateDirectory);
        FileStream stream;
        try
        {
            stream = new FileStream(LockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            // The holder's id is written for operators; the lock itself is what excludes.
            stream.SetLength(0);
            var bytes = System.Text.Encoding.UTF8.GetBytes(holderId + "\n");
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new Handle(holderId, stream);
    }

    private sealed class Handle(string holderId, FileStream stream) : LeaseHandle(holderId)
    {
        private int _released;

        public override bool IsHeld => Volatile.Read(ref _released) == 0;

        public override async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            MarkLost();
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        protected override ValueTask DisposeCoreAsync() => new(ReleaseAsync(CancellationToken.None));
    }
}
