namespace EsDr.Infra.Tests.Support;

/// <summary>
/// Tests that run real servers (haproxy, MariaDB) and measure how fast they react run one class at a
/// time, so the timings they assert are not skewed by the rest of the suite competing for two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveProcesses
{
    public const string Name = "live processes";
}
