namespace EsDr.Recovery.Tests.Support;

/// <summary>Test classes that start real servers (MariaDB, etcd…) run one at a time, never alongside each other.</summary>
[CollectionDefinition("live processes", DisableParallelization = true)]
public sealed class LiveProcessesGroup;
