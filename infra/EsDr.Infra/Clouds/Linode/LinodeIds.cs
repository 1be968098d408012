using EsDr.Infra.Compilation;
using EsDr.Infra.Program;

namespace EsDr.Infra.Clouds.Linode;

/// <summary>
/// Linode's inputs take other resources' ids as integers (<c>vpcId</c>, <c>subnetId</c>, <c>linodeId</c>,
/// <c>firewallId</c>, <c>nodebalancerId</c>, <c>configId</c>), but every Pulumi id is a string, and Pulumi YAML's
/// type checker refuses a string where an integer is expected (pulumi/pulumi-yaml#1073, open; Pulumi's own
/// workaround is <c>std:parseint</c>, a package this project does not pin). The Terraform bridge itself
/// parses a numeric string into an integer input, so only the static type stands in the way.
/// <para>
/// This helper passes the id through a no-op <c>command:local:Command</c> (no <c>create</c>, so it runs
/// nothing): its <c>triggers</c> output is typed <c>Any</c>, which Pulumi YAML assigns to an integer input.
/// One per id, named <c>&lt;resource&gt;-id</c>, so nothing depends on more than it uses.
/// </para>
/// </summary>
internal static class LinodeIds
{
    public const string Type = "command:local:Command";

    /// <summary>The logical name of the cast of <paramref name="resourceName"/>'s id.</summary>
    public static string CastName(string resourceName) => $"{resourceName}-id";

    /// <summary>
    /// An integer-assignable reference to the id of <paramref name="resourceName"/> (which may be declared
    /// later in the program); declares the cast the first time it is asked for.
    /// </summary>
    public static string Of(PulumiProgram program, string resourceName)
    {
        var cast = CastName(resourceName);
        if (!program.Resources.Exists(r => r.Name == cast))
        {
            program.Add(cast, Type,
                new PMap { { "triggers", new List<object> { Ref.To(resourceName, "id") } } },
                RegionContext.Pinned(ProviderPackages.Command));
        }
        return $"${{{cast}.triggers[0]}}";
    }
}
