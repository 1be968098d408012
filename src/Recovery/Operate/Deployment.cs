using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Operate;

/// <summary>A region's MySQL server as the stack outputs list it (<c>regions.&lt;r&gt;.database</c>).</summary>
internal sealed record DatabaseAddress(string Role, string Host, int Port);

/// <summary>
/// How to reach one region: its public endpoint (null until deployed), its own cluster (<c>clusterEndpoint</c>:
/// a HAProxy region's endpoint follows the active region, its cluster port does not; the endpoint where the
/// output is absent), its database (if the stack has one there) and the node names it should have.
/// </summary>
internal sealed record RegionAddress(string Name, Uri? Endpoint, DatabaseAddress? Database, IReadOnlyList<string> ExpectedNodes)
{
    public Uri? ClusterEndpoint { get; init; }

    /// <summary>Where this region's own cluster answers.</summary>
    public Uri? Cluster => ClusterEndpoint ?? Endpoint;
}

/// <summary>
/// Everything recovery knows of one deployed stack: its validated config, its outputs (as the planner's
/// <see cref="StackView"/> and as addresses), the resource types of its program, the stack's CA and the
/// credentials (in memory only).
/// </summary>
internal sealed record Deployment(
    StackConfig Config,
    StackView View,
    ResourceTypeResolver Types,
    IReadOnlyList<RegionAddress> Regions,
    string? CaCertificatePem,
    StackCredentials Credentials)
{
    /// <summary>The <c>--config-file</c> pulumi needs to find the stack file (null: it finds it unaided).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The stack file's full path: the file recovery's config steps change, and what a config publication commits.</summary>
    public string? StackFile { get; init; }

    /// <summary>What every plan for this deployment is made from.</summary>
    public PlanContext Planning => new(Config, View, Types) { ConfigFile = ConfigFile };

    public RegionAddress Region(string name) =>
        Regions.SingleOrDefault(r => r.Name == name) ?? throw new ArgumentException($"no region '{name}' in the stack (regions: {string.Join(", ", Regions.Select(r => r.Name))})");

    /// <summary>Each region's addresses, from the deployed outputs; values not yet known (<c>${…}</c>) count as absent.</summary>
    public static IReadOnlyList<RegionAddress> Addresses(DeployedOutputs outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        return outputs.Regions.Select(kv =>
        {
            var r = kv.Value;
            var database = r.Database is { Host: { Length: > 0 } host } db ? new DatabaseAddress(db.Role, host, db.Port) : null;
            return new RegionAddress(kv.Key, Url(r.Endpoint), database, r.Nodes.Select(n => n.Name).ToList()) { ClusterEndpoint = Url(r.ClusterEndpoint) };
        }).ToList();
    }

    private static Uri? Url(string text) =>
        !text.Contains("${", StringComparison.Ordinal) && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
}
