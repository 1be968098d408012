using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// The stack outputs recovery reads (<c>pulumi stack output --json</c>): the <see cref="DeployedOutputs"/> contract,
/// written as one program output per property, and the one secret output <c>credentials</c>.
/// </summary>
public static class StackOutputs
{
    public const string CredentialsOutput = "credentials";

    /// <summary>Per region, in config order: its place, recovery-owned state and generation, endpoints and resources.</summary>
    public static Dictionary<string, DeployedRegion> Regions(DeploymentTopology topology, IReadOnlyList<RegionOutputs> regions)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(regions);
        var pushed = DeployReach.PushedHaproxies(topology.Config).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var map = new Dictionary<string, DeployedRegion>(StringComparer.Ordinal);
        foreach (var (region, resources, extras) in regions)
        {
            var nodes = resources.Nodes.Select(n => new DeployedNode(
                n.Node.Name, n.Node.Ordinal, n.Node.Generation, n.PrivateIp, n.PublicIp,
                n.ResourceNames.Concat(extras[n.Node.LogicalName]).ToList())).ToList();
            // With its config push: a failover's up must leave a lost region's push alone (it would SSH into the
            // dead VM), and a node rebuild's up must push the new node's address.
            var balancer = new DeployedBalancer(StackConfigParser.Spell(region.Balancer.Kind), pushed.Contains(region.Name)
                ? resources.BalancerResourceNames.Append(HaproxyConfigPush.ResourceName(resources)).ToList()
                : resources.BalancerResourceNames);
            map.Add(region.Name, new DeployedRegion(
                StackConfigParser.Spell(region.Cloud), region.Config.Location, StackConfigParser.Spell(region.Config.State),
                region.Config.Generation, region.ClusterName, resources.Endpoint,
                // This very cluster: a HAProxy region's endpoint follows the active region (its cluster port does not).
                resources.ClusterEndpoint, balancer, resources.NetworkResourceNames, nodes));
        }
        return map;
    }

    /// <summary>
    /// Writes the contract (stamped with <see cref="DeployedOutputs.CurrentContract"/> and every resource of the
    /// program, so call it last) and the secret <c>credentials</c>.
    /// </summary>
    public static DeployedOutputs Add(PulumiProgram program, DeployedOutputs stack, IEnumerable<RegionTopology> regions, PMap? database)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(stack);
        stack = stack with
        {
            Contract = DeployedOutputs.CurrentContract,
            Resources = program.Resources.Select(r => new DeployedResource(r.Name, r.Type)).ToList(),
        };
        foreach (var (name, value) in ContractValues.Of(stack))
            program.Outputs.Add(name, value);
        program.Outputs.Add(CredentialsOutput, Credentials(regions, database));
        return stack;
    }

    /// <summary>
    /// The contract a compiled program carries in its outputs, read as recovery reads a deployed stack's (values the
    /// program interpolates stay <c>${…}</c> text): what an offline plan is made from.
    /// </summary>
    public static DeployedOutputs Of(PulumiProgram program) => DeployedOutputsJson.Parse(ContractJson(program));

    /// <summary>The program's outputs but the secret one, as the JSON <c>pulumi stack output --json</c> would print.</summary>
    public static JsonObject ContractJson(PulumiProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var json = new JsonObject();
        foreach (var (name, value) in program.Outputs)
            if (name != CredentialsOutput) json[name] = Json(value);
        return json;
    }

    /// <summary>
    /// The one secret output, read only by recovery's <c>pulumi stack output credentials --show-secrets</c>:
    /// each cluster's <c>elastic</c> password as an interpolation of its generated password (the program text
    /// holds no secret), and the recovery admin account of the database tier, wrapped in <c>fn::secret</c> so
    /// Pulumi stores and prints it masked.
    /// </summary>
    private static PMap Credentials(IEnumerable<RegionTopology> regions, PMap? database)
    {
        var perRegion = new PMap();
        foreach (var region in regions)
            perRegion.Add(region.Name, new PMap { { "elasticPassword", Ref.To(ClusterSecurity.ElasticPasswordName(region), "result") } });
        var secret = new PMap { { "regions", perRegion } };
        if (database is not null) secret.Add("database", database);
        return new PMap { { "fn::secret", secret } };
    }

    private static JsonNode? Json(object value) => value switch
    {
        PMap map => map.Aggregate(new JsonObject(), (o, kv) => { o[kv.Key] = Json(kv.Value); return o; }),
        string s => JsonValue.Create(s),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        System.Collections.IEnumerable list => new JsonArray(list.Cast<object>().Select(Json).ToArray()),
        _ => throw new InvalidOperationException($"an output value of type {value.GetType().Name} is not part of the contract"),
    };
}

/// <summary>What one region contributes to the outputs: its resources and each node's TLS resources.</summary>
public sealed record RegionOutputs(
    RegionTopology Region, RegionResources Resources, IReadOnlyDictionary<string, IReadOnlyList<string>> NodeCredentials);
