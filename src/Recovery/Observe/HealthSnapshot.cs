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
    IReadOnlyList<EndpointObservation> Endpoints)
{
    /// <summary>
    /// The vantage reports only failures its source has already seen last (Prometheus fires an alert after its rule's
    /// <c>for:</c>), so one observation of a failure is a confirmed one; a probe's single failure is not.
    /// </summary>
    public bool ConfirmedAtSource { get; init; }
}

/// <summary>
/// A region's cluster as seen: unreachable, or its health, master and member nodes, and its followers.
/// <see cref="Observed"/> says which of these the vantage actually saw (the peer region sees only whether the
/// cluster is connected; Prometheus alerts see status and whether nodes are missing, never which); the other
/// members carry no meaning and analysis ignores them.
/// </summary>
public sealed record ClusterObservation(
    string Region,
    bool Reachable,
    ClusterStatus? Status,
    bool HasMaster,
    IReadOnlyList<string> NodeNames,
    IReadOnlyList<FollowerObservation> Followers,
    ClusterFacets Observed = ClusterFacets.All)
{
    public bool Saw(ClusterFacets facet) => (Observed & facet) == facet;

    /// <summary>
    /// What a vantage that sees only the count (<see cref="ClusterFacets.NodeCount"/> without
    /// <see cref="ClusterFacets.Nodes"/>) says: fewer nodes than expected are members. Which ones it cannot say.
    /// </summary>
    public bool FewerNodesThanExpected { get; init; }
}

/// <summary>The parts of a <see cref="ClusterObservation"/> a vantage can see.</summary>
[Flags]
public enum ClusterFacets
{
    None = 0,
    Reachability = 1,
    Status = 2,
    Master = 4,
    Nodes = 8,
    Followers = 16,

    /// <summary>
    /// Whether as many nodes as expected are members, not which (<see cref="ClusterObservation.FewerNodesThanExpected"/>).
    /// A vantage that sees <see cref="Nodes"/> knows the count from the names and does not set this.
    /// </summary>
    NodeCount = 32,
    All = Reachability | Status | Master | Nodes | Followers,
}

public enum ClusterStatus { Green, Yellow, Red }

/// <summary>One follower index (CCR): paused or active, how many operations behind, and its fatal error if any.</summary>
/// <remarks>
/// <see cref="LeaderIndex"/> is the index it follows on the remote cluster, as follow info names it; null where it was
/// not read. es-dr's replication keeps the leader's names, so null means the same name.
/// </remarks>
public sealed record FollowerObservation(string Index, bool Active, long LagOperations, string? FatalError, string? LeaderIndex = null);

/// <summary>
/// A region's MySQL server as seen: unreachable (no connection), answering with an error (<see cref="SqlError"/>:
/// it is up, but what it holds is unknown), or queried — then the other members are what it said.
/// </summary>
public sealed record DatabaseObservation(
    string Region,
    bool Reachable,
    bool ReadOnly,
    bool IsReplica,
    bool IoThreadRunning,
    bool SqlThreadRunning,
    int? SecondsBehind,
    string? GtidPosition)
{
    /// <summary>The error the server answered a query with; set only on a reachable server.</summary>
    public string? SqlError { get; init; }

    /// <summary>Reachable and every query answered: the facts below hold.</summary>
    public bool Queried => Reachable && SqlError is null;
}

/// <summary>A region's public endpoint (its balancer's health check) as seen.</summary>
public sealed record EndpointObservation(string Region, bool Healthy);
