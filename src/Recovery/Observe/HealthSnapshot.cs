namespace EsDr.Recovery.Observe;

/// <summary>
/// What one vantage point (this program's own probe, Prometheus alerts, the peer region) saw at one
/// moment. Observation produces these; analysis reads a timeline of them and never probes anything.
/// </summary>
public sealed record HealthSnapshot(
    DateTimeOffset At,
    string Vantage,
    IReadOnlyList<ClusterObservation> Clusters,
    IReadOnlyList<DatabaseObservation> Databases,
    IReadOnlyList<EndpointObservation> Endpoints);

/// <summary>A region's cluster as seen: unreachable, or its health, master and member nodes, and its followers.</summary>
public sealed record ClusterObservation(
    string Region,
    bool Reachable,
    ClusterStatus? Status,
    bool HasMaster,
    IReadOnlyList<string> NodeNames,
    IReadOnlyList<FollowerObservation> Followers);

public enum ClusterStatus { Green, Yellow, Red }

/// <summary>One follower index (CCR): paused or active, how many operations behind, and its fatal error if any.</summary>
public sealed record FollowerObservation(string Index, bool Active, long LagOperations, string? FatalError);

/// <summary>A region's MySQL server as seen.</summary>
public sealed record DatabaseObservation(
    string Region,
    bool Reachable,
    bool ReadOnly,
    bool IsReplica,
    bool IoThreadRunning,
    bool SqlThreadRunning,
    int? SecondsBehind,
    string? GtidPosition);

/// <summary>A region's public endpoint (its balancer's health check) as seen.</summary>
public sealed record EndpointObservation(string Region, bool Healthy);
