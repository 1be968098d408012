using EsDr.Infra.Program;
using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Compilation;

/// <summary>
/// What recovery reads about the database and application tiers: per region of the <c>regions</c> output a
/// <c>database</c> entry (role, public host, private address, port, resources) and an <c>application</c> entry
/// (endpoint, resources), and under the secret <c>credentials</c> output the recovery admin account.
/// </summary>
public static class TierOutputs
{
    public const string CredentialsOutput = "credentials";

    public static void Add(PulumiProgram program, IReadOnlyList<DatabaseHostBuild> databases, IReadOnlyList<ApplicationPoolBuild> applications)
    {
        if (program.Outputs.ContainsKey("regions") && program.Outputs["regions"] is PMap regions)
        {
            foreach (var db in databases)
            {
                if (regions[db.Region.Name] is not PMap region) continue;
                region.Add("database", new PMap
                {
                    { "role", db.Host.Role == MySqlRole.Primary ? "primary" : "replica" },
                    { "host", db.Resources.PublicIp },
                    { "privateIp", db.Resources.PrivateIp },
                    { "port", Config.DatabaseSettings.Port },
                    { "resources", db.Resources.ResourceNames },
                });
            }
            foreach (var pool in applications)
            {
                if (regions[pool.Region.Name] is not PMap region) continue;
                region.Add("application", new PMap
                {
                    { "endpoint", pool.Balancer.Endpoint },
                    { "resources", pool.Members.SelectMany(m => m.Resources.ResourceNames).Concat(pool.Balancer.ResourceNames).ToList() },
                });
            }
        }
        if (databases.Count == 0) return;
        SecretCredentials(program).Add("database", new PMap
        {
            { "user", RecoveryAdminAccount.DefaultUser },
            { "password", Ref.To(DatabaseTier.AdminPasswordName, "result") },
        });
    }

    /// <summary>The map inside the one secret <c>credentials</c> output, created by whichever part adds to it first.</summary>
    private static PMap SecretCredentials(PulumiProgram program)
    {
        if (!program.Outputs.ContainsKey(CredentialsOutput))
            program.Outputs.Add(CredentialsOutput, new PMap { { "fn::secret", new PMap() } });
        return (PMap)((PMap)program.Outputs[CredentialsOutput])["fn::secret"];
    }
}
