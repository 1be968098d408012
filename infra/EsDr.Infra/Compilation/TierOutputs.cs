using EsDr.Infra.Outputs;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Compilation;

/// <summary>
/// What recovery reads about the database and application tiers: per region a <c>database</c> entry (role, public
/// host, private address, port, resources) and an <c>application</c> entry (endpoint, resources), and for the secret
/// <c>credentials</c> output the recovery admin account.
/// </summary>
public static class TierOutputs
{
    public const string CredentialsOutput = StackOutputs.CredentialsOutput;

    /// <summary>The regions with their database host and application pool added.</summary>
    public static Dictionary<string, DeployedRegion> WithTiers(
        IReadOnlyDictionary<string, DeployedRegion> regions, IReadOnlyList<DatabaseHostBuild> databases, IReadOnlyList<ApplicationPoolBuild> applications)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var result = new Dictionary<string, DeployedRegion>(regions, StringComparer.Ordinal);
        foreach (var db in databases)
        {
            if (!result.TryGetValue(db.Region.Name, out var region)) continue;
            result[db.Region.Name] = region with
            {
                Database = new DeployedDatabase(db.Host.Role == MySqlRole.Primary ? "primary" : "replica",
                    db.Resources.PublicIp, db.Resources.PrivateIp, Config.DatabaseSettings.Port, db.Resources.ResourceNames),
            };
        }
        foreach (var pool in applications)
        {
            if (!result.TryGetValue(pool.Region.Name, out var region)) continue;
            result[pool.Region.Name] = region with
            {
                Application = new DeployedApplication(pool.Balancer.Endpoint,
                    pool.Members.SelectMany(m => m.Resources.ResourceNames).Concat(pool.Balancer.ResourceNames).ToList()),
            };
        }
        return result;
    }

    /// <summary>The recovery admin account for the secret <c>credentials</c> output; null without a database tier.</summary>
    public static PMap? DatabaseCredentials(IReadOnlyList<DatabaseHostBuild> databases) =>
        databases.Count == 0 ? null : new PMap
        {
            { "user", RecoveryAdminAccount.DefaultUser },
            { "password", Ref.To(DatabaseTier.AdminPasswordName, "result") },
        };
}
