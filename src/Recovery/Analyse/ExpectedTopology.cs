namespace EsDr.Recovery.Analyse;

/// <summary>
/// What should exist, against which snapshots are judged: each region's Elasticsearch node names, the active
/// region, and where the MySQL primary and replica live. Built from the stack's config and outputs.
/// </summary>
public sealed record ExpectedTopology(
    IReadOnlyList<ExpectedRegion> Regions,
    string ActiveRegion,
    string? MySqlPrimaryRegion,
    string? MySqlReplicaRegion);

/// <summary>One region and the names its cluster's nodes report in <c>_cat/nodes</c>.</summary>
public sealed record ExpectedRegion(string Name, IReadOnlyList<string> NodeNames);
