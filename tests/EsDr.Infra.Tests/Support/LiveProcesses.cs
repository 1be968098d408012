namespace EsDr.Infra.Tests.Support;

/// <summary>
/// Tests that run real servers (haproxy, MariaDB) or loopback stand-ins on ports of their own run one
/// class at a time: the timings they assert are not skewed by the rest of the suite competing for two
/// cores, and no two of them race for the same free port.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveProcesses
{
    public const string Name = "live processes";
}
