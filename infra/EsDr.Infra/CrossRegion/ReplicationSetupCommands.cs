using System.Globalization;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;

namespace EsDr.Infra.CrossRegion;

/// <summary>
/// Cross-cluster replication is set up after the clusters are up, by the recovery program's
/// <c>es-dr-recovery replication apply</c> (the program that speaks to the clusters; the compiler speaks to no
/// one) run from a <c>command:local:Command</c> per following region (standby or
/// rebuilding): both clusters learn each other as proxy-mode remotes through their balancers' transport
/// passthrough, the follower auto-follows the index patterns and follows the leader indices that exist.
/// The command is idempotent, and its triggers (leader, generations, patterns) make it run again — in the
/// other direction — when the active region changes. It runs on the machine running Pulumi, which
/// the endpoints admit through <c>es-dr:deployer</c> (<see cref="Compilation.DeployerAccess"/>).
/// </summary>
public static class ReplicationSetupCommands
{
    public const string ElasticUser = "elastic";

    public static void Add(PulumiProgram program, StackConfig config, IReadOnlyList<RegionResources> regions)
    {
        if (config.Replication is not { } replication) return;
        var leader = regions.Single(r => r.Region.Name == config.ActiveRegion);
        var followers = DeployReach.ReplicationFollowers(config).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var follower in regions.Where(r => followers.Contains(r.Region.Name)))
            AddFollower(program, config, replication, leader, follower);
    }

    private static void AddFollower(PulumiProgram program, StackConfig config, ReplicationSettings replication, RegionResources leader, RegionResources follower)
    {
        var es = config.Elasticsearch;
        var command = string.Join(' ', new[]
        {
            "./bin/es-dr-recovery replication apply",
            // The clusters themselves: a HAProxy region's endpoint follows the active region, its cluster port does not.
            Arg("--leader-url", leader.ClusterEndpoint),
            Arg("--leader-alias", leader.Region.Name),
            Arg("--leader-proxy", $"{leader.TransportHost}:{Port(es.TransportPort)}"),
            Arg("--leader-server-name", leader.Region.ClusterName),
            Arg("--follower-url", follower.ClusterEndpoint),
            Arg("--follower-alias", follower.Region.Name),
            Arg("--follower-proxy", $"{follower.TransportHost}:{Port(es.TransportPort)}"),
            Arg("--follower-server-name", follower.Region.ClusterName),
            Arg("--license", es.License),
        }.Concat(replication.IndexPatterns.Select(p => Arg("--pattern", p))));

        program.Add($"ccr-{follower.Region.Key}", "command:local:Command",
            new PMap
            {
                { "create", command },
                { "update", command },
                // Passwords reach the command through its environment only: never its text or its output.
                { "environment", new PMap
                    {
                        { "ES_LEADER_USER", ElasticUser },
                        { "ES_LEADER_PASSWORD", Ref.To(ClusterSecurity.ElasticPasswordName(leader.Region), "result") },
                        { "ES_FOLLOWER_USER", ElasticUser },
                        { "ES_FOLLOWER_PASSWORD", Ref.To(ClusterSecurity.ElasticPasswordName(follower.Region), "result") },
                        { "ES_CA_PEM", Ref.To(ClusterSecurity.CaCert, "certPem") },
                    }
                },
                // Any change here replaces the command, which runs it again: a new leader reverses the set-up.
                { "triggers", new List<object> { leader.Region.Key, follower.Region.Key }.Concat(replication.IndexPatterns).ToList() },
            },
            new ResourceOptions
            {
                Version = ProviderPackages.VersionOf(ProviderPackages.Command),
                DependsOn = leader.BalancerResourceNames.Concat(follower.BalancerResourceNames).Distinct(StringComparer.Ordinal).ToList(),
            });
    }

    /// <summary>An option and its value, the value single-quoted for the shell (patterns hold '*').</summary>
    private static string Arg(string option, string value) => $"{option} '{value.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
