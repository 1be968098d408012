namespace EsDr.Recovery.Analyse;

/// <summary>
/// How much evidence analysis needs before it believes a failure, and before it believes the failure is over.
/// Config-like: every member has a default that suits a probe interval of a few seconds.
/// </summary>
/// <param name="ConfirmAfter">Consecutive failed observations, per vantage, that confirm a failure.</param>
/// <param name="ClearAfter">Consecutive healthy observations, per vantage, that clear a confirmed failure (hysteresis).</param>
/// <param name="MinAgreeingVantages">
/// Vantages that must agree when more than one vantage reported on the same thing within <paramref name="Window"/>;
/// one vantage alone is enough only when it is the only one that reported.
/// </param>
/// <param name="RedGracePeriod">
/// How long a cluster must stay red before it is diagnosed (shards go red briefly while a node restarts).
/// Yellow is never a diagnosis on its own.
/// </param>
/// <param name="CcrLagLimitOperations">A CCR follower index more than this many operations behind is lagging.</param>
/// <param name="MySqlLagLimitSeconds">A MySQL replica more than this many seconds behind is lagging.</param>
/// <param name="MinVantagesForRegionActions">
/// Independent vantages (the region's own probe, a peer region, the monitoring site's alerts) that must have confirmed
/// a region-level diagnosis (<see cref="DiagnosisEntry.RegionLevel"/>: RegionDown, ClusterRed) before anything acts on it by itself. Below it the
/// diagnosis is still raised and shown, but only an operator acts. 1 lets one vantage move a region, and every
/// diagnosis and plan then says so (<c>es-dr:recovery.analysis.minVantagesForRegionActions</c>).
/// </param>
/// <param name="Window">
/// Snapshots older than this are not considered; a vantage whose last word on something is older than this no
/// longer counts as having reported on it.
/// </param>
public sealed record AnalysisThresholds(
    int ConfirmAfter = 3,
    int ClearAfter = 3,
    int MinAgreeingVantages = 2,
    TimeSpan? RedGracePeriod = null,
    long CcrLagLimitOperations = 10_000,
    int MySqlLagLimitSeconds = 30,
    TimeSpan? Window = null,
    int MinVantagesForRegionActions = 2)
{
    public static AnalysisThresholds Default { get; } = new();

    public TimeSpan RedGrace => RedGracePeriod ?? TimeSpan.FromSeconds(30);

    public TimeSpan WindowLength => Window ?? TimeSpan.FromMinutes(2);
}
