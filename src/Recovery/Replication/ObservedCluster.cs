namespace EsDr.Recovery.Replication;

/// <summary>A remote cluster as <c>GET /_remote/info</c> reports it.</summary>
public sealed record ObservedRemote(
    string Alias,
    RemoteMode Mode,
    IReadOnlyList<string> Seeds,
    string? ProxyAddress,
    string? ServerName,
    bool Connected);

/// <summary>An auto-follow pattern as <c>GET /_ccr/auto_follow</c> reports it.</summary>
public sealed record ObservedAutoFollowPattern(
    string Name,
    string RemoteCluster,
    IReadOnlyList<string> LeaderIndexPatterns,
    IReadOnlyList<string> LeaderIndexExclusionPatterns,
    string? FollowIndexPattern,
    bool Active);

/// <summary>A follower index as <c>GET /&lt;index&gt;/_ccr/info</c> reports it.</summary>
public sealed record ObservedFollower(string FollowerIndex, string RemoteCluster, string LeaderIndex, bool Active);

/// <summary>An index of the cluster (follower indices included) as <c>GET /_cat/indices</c> reports it.</summary>
public sealed record ObservedIndex(string Name, bool Open);

/// <summary>The cluster's licence as <c>GET /_license</c> reports it (<c>type</c>, <c>status</c>).</summary>
public sealed record ObservedLicense(string Type, string Status)
{
    /// <summary>Licence types that include cross-cluster replication.</summary>
    public bool AllowsCcr => Status == "active" && Type is "trial" or "platinum" or "enterprise";
}

/// <summary>Everything the planner needs to know about one cluster, read with GETs only.</summary>
public sealed record ObservedCluster(
    IReadOnlyList<ObservedRemote> Remotes,
    IReadOnlyList<ObservedAutoFollowPattern> AutoFollowPatterns,
    IReadOnlyList<ObservedFollower> Followers,
    IReadOnlyList<ObservedIndex> Indices,
    ObservedLicense License)
{
    /// <summary>A brand-new cluster: no remotes, patterns or indices, on the given licence.</summary>
    public static ObservedCluster Fresh(string licenseType = "trial") =>
        new([], [], [], [], new ObservedLicense(licenseType, "active"));
}
