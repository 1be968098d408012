using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Execute.MySql;

/// <summary>
/// The shared real MariaDB primary and replica (<see cref="MariaDbPair"/>), started once per test class and
/// killed after it. A missing MariaDB fails the class; it never skips.
/// </summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    internal MariaDbPair Pair { get; } = new();

    public Task InitializeAsync() => Pair.StartAsync(CancellationToken.None);

    public Task DisposeAsync() => Pair.DisposeAsync().AsTask();
}
