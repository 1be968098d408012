using EsDr.Recovery.Execute.Lease;

namespace EsDr.Recovery.Tests.Execute.Lease;

/// <summary>The single-instance lease: an exclusive lock file in the state directory.</summary>
public sealed class LocalLeaseTests : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "esdr-lease-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_stateDir)) Directory.Delete(_stateDir, recursive: true);
    }

    [Fact]
    public async Task SecondAcquire_WhileHeld_Fails()
    {
        var first = new LocalLease(_stateDir);
        var second = new LocalLease(_stateDir);

        await using var held = await first.TryAcquireAsync("watch-a", CancellationToken.None);
        var other = await second.TryAcquireAsync("watch-b", CancellationToken.None);

        Assert.NotNull(held);
        Assert.True(held.IsHeld);
        Assert.Null(other);
    }

    [Fact]
    public async Task SecondAcquire_AfterRelease_Succeeds()
    {
        var first = new LocalLease(_stateDir);
        var second = new LocalLease(_stateDir);
        var held = await first.TryAcquireAsync("watch-a", CancellationToken.None);
        Assert.NotNull(held);

        await held.ReleaseAsync(CancellationToken.None);
        var other = await second.TryAcquireAsync("watch-b", CancellationToken.None);

        Assert.False(held.IsHeld);
        Assert.True(held.Lost.IsCancellationRequested);
        Assert.NotNull(other);
        Assert.True(other.IsHeld);
        await other.DisposeAsync();
        await held.DisposeAsync();
        Assert.Equal("watch-b\n", await File.ReadAllTextAsync(first.LockFilePath));
    }
}
