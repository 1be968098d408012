namespace EsDr.Infra.Config;

/// <summary>
/// What a <c>pulumi up</c> of the stack reaches in the regions from the machine running it: one definition for
/// the rules that require <c>es-dr:deployer</c> and <c>es-dr:deployKey</c> and for the compiler that emits the
/// commands and admits the deployer.
/// </summary>
public static class DeployReach
{
    /// <summary>
    /// The regions <c>es-dr-recovery replication apply</c> sets up as followers (standby or rebuilding; a lost region
    /// follows nobody). The command runs on the deployer and calls the leader's and each follower's endpoint.
    /// </summary>
    public static IReadOnlyList<RegionConfig> ReplicationFollowers(StackConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Replication is null
            ? []
            : config.Regions.Where(r => r.State is RegionState.Standby or RegionState.Rebuilding).ToList();
    }

    /// <summary>
    /// The regions whose HAProxy VM gets its complete config pushed over SSH from the deployer. With one region
    /// the first-boot config is already complete (it names only the region's own nodes), so nothing is pushed.
    /// </summary>
    public static IReadOnlyList<RegionConfig> PushedHaproxies(StackConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Regions.Count > 1
            ? config.Regions.Where(r => r.LoadBalancer.Kind == BalancerKind.HaProxy).ToList()
            : [];
    }
}
