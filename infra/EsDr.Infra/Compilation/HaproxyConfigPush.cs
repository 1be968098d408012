using System.Security.Cryptography;
using System.Text;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Keeps a running HAProxy VM's config current. User-data is first-boot only, so when the active region moves
/// or other regions' nodes are rebuilt the new haproxy.cfg is pushed by a <c>command:remote:Command</c> per
/// HAProxy VM: over SSH as the image's admin user with the program's secret <c>deployKey</c>, the config on
/// stdin, <see cref="HaproxyPushScript"/> checking it with <c>haproxy -c</c> before installing it and reloading.
/// A rejected config leaves the running one untouched and fails the update with haproxy's message.
/// </summary>
public static class HaproxyConfigPush
{
    public static string ResourceName(RegionResources region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return $"{region.Region.Balancer.LogicalName}-config-push";
    }

    /// <summary>The hex SHA-256 of the rendered config text (its deploy-time values still as interpolations).</summary>
    public static string Hash(string config) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(config)));

    /// <param name="config">The complete rendered haproxy.cfg (interpolations resolve at deploy time).</param>
    public static ProgramResource Add(PulumiProgram program, RegionResources region, string adminUser, string config)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(region);
        var script = Ref.Literal(HaproxyPushScript.Render(CloudInit.HaproxyConfigFile));
        return program.Add(ResourceName(region), "command:remote:Command",
            new PMap
            {
                { "connection", new PMap
                    {
                        { "host", region.EndpointHost },
                        { "user", adminUser },
                        // Declared secret config read through fn::secret: its text never reaches the program, and its
                        // value stays secret even when the stack stores it in plain text.
                        { "privateKey", program.SecretConfig(ProgramSecrets.DeployKey) },
                    }
                },
                { "create", script },
                // A changed address alone (a node replaced under the same name) changes stdin: update runs the push too.
                { "update", script },
                { "stdin", config },
                // A changed config text replaces the command, which pushes again.
                { "triggers", new List<object> { $"sha256:{Hash(config)}" } },
            },
            new ResourceOptions
            {
                Version = ProviderPackages.VersionOf(ProviderPackages.Command),
                DependsOn = region.BalancerResourceNames,
            });
    }
}
