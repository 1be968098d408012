using EsDr.Recovery.Operate;
using EsDr.Recovery.Tests.Pipeline;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// How the daemon converges on the stack: a reload after a recovery swaps the world at once; a changed stack file is
/// noticed by a round and reloaded in the background, never while a recovery runs; a failed load keeps the world
/// and is tried again later; a replaced world is disposed once no probe can use it.
/// </summary>
public sealed class DaemonReloaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("esdr-reloader-").FullName;
    private readonly HandClock clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Queue<World?> loads = new();
    private int loadCalls;

    public DaemonReloaderTests() => File.WriteAllText(StackFile.FullName, "config:\n  es-dr:activeRegion: fra\n");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private FileInfo StackFile => new(Path.Combine(dir, "Pulumi.prod.yaml"));

    private sealed class World(string name, StackFileStamp? stamp) : IDisposable
    {
        public string Name { get; } = name;
        public StackFileStamp? Stamp { get; } = stamp;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    private World Loaded(string name) => new(name, StackFileStamp.Of(StackFile));

    private DaemonReloader<World> Reloader(World initial) => new(initial, StackFile, w => w.Stamp, _ =>
    {
        loadCalls++;
        var next = loads.Count > 0 ? loads.Dequeue() : null;
        return Task.FromResult(new WorldLoad<World>(next, next is null ? "pulumi: cannot read the outputs" : null));
    }, clock, TimeSpan.FromSeconds(30));

    [Fact]
    public async Task AfterARecovery_TheNewWorldIsCurrentAtOnce_AndTheOldOneIsDisposedTwoRoundsLater()
    {
        var first = Loaded("first");
        using var reloader = Reloader(first);
        var second = Loaded("second");
        loads.Enqueue(second);
        string? said = null;
        reloader.Reloaded += (before, now, reason) => said = $"{before.Name}->{now.Name}: {reason}";

        await reloader.ReloadAsync("recovery rec-1 succeeded", CancellationToken.None);

        Assert.Same(second, reloader.Current);
        Assert.Equal("first->second: recovery rec-1 succeeded", said);
        reloader.OnRound(CancellationToken.None);
        Assert.False(first.Disposed);
        reloader.OnRound(CancellationToken.None);
        Assert.True(first.Disposed);
        Assert.False(second.Disposed);
    }

    [Fact]
    public async Task AChangedStackFile_IsReloadedByTheNextRound_ButTheSameContentWrittenAgainIsNot()
    {
        using var reloader = Reloader(Loaded("first"));
        File.WriteAllText(StackFile.FullName, File.ReadAllText(StackFile.FullName));
        File.SetLastWriteTimeUtc(StackFile.FullName, DateTime.UtcNow.AddMinutes(1));
        reloader.OnRound(CancellationToken.None);
        await reloader.StopAsync();
        Assert.Equal(0, loadCalls);

        File.WriteAllText(StackFile.FullName, "config:\n  es-dr:activeRegion: dub\n");
        loads.Enqueue(Loaded("second"));
        reloader.OnRound(CancellationToken.None);
        await reloader.StopAsync();

        Assert.Equal("second", reloader.Current.Name);
    }

    [Fact]
    public async Task WhileARecoveryRuns_AChangedFileIsNotReloaded_ItsEndReloads()
    {
        using var reloader = Reloader(Loaded("first"));
        var release = new TaskCompletionSource();
        var recovery = reloader.RunRecoveryAsync(async w => { await release.Task; return w.Name; }, CancellationToken.None);
        File.WriteAllText(StackFile.FullName, "config:\n  es-dr:activeRegion: dub\n");

        reloader.OnRound(CancellationToken.None);
        await reloader.StopAsync();
        Assert.Equal(0, loadCalls);

        release.SetResult();
        Assert.Equal("first", await recovery);
        loads.Enqueue(Loaded("second"));
        await reloader.ReloadAsync("recovery rec-2 succeeded", CancellationToken.None);
        Assert.Equal("second", reloader.Current.Name);
    }

    [Fact]
    public async Task AFailedLoad_KeepsTheWorld_SaysWhyOnce_AndIsTriedAgainAfterTheRetryInterval()
    {
        var first = Loaded("first");
        using var reloader = Reloader(first);
        var failures = new List<string>();
        reloader.ReloadFailed += (reason, problem) => failures.Add($"{reason}: {problem}");

        await reloader.ReloadAsync("recovery rec-3 failed", CancellationToken.None);
        Assert.Same(first, reloader.Current);
        Assert.Equal(["recovery rec-3 failed: pulumi: cannot read the outputs"], failures);

        reloader.OnRound(CancellationToken.None);
        await reloader.StopAsync();
        Assert.Equal(1, loadCalls);

        clock.Advance(TimeSpan.FromSeconds(31));
        reloader.OnRound(CancellationToken.None);
        await reloader.StopAsync();
        Assert.Equal(2, loadCalls);
        Assert.Single(failures);

        clock.Advance(TimeSpan.FromSeconds(31));
        loads.Enqueue(Loaded("second"));
        reloader.OnRound(CancellationToken.None);
        await reloader.StopAsync();
        Assert.Equal("second", reloader.Current.Name);
        Assert.Equal(1, reloader.Reloads);
    }
}
