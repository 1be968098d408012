using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EsDr.Infra.Outputs;

/// <summary>
/// The contract between the compiler and recovery: the stack outputs (all but the secret <c>credentials</c>), one
/// definition. The compiler builds it and writes each property as one output of the program; recovery reads the
/// same record back from <c>pulumi stack output --json</c>, so it plans against what was deployed, whatever its own
/// compiler would emit today. Values the program interpolates (addresses, the CA) are <c>${…}</c> text in the
/// program and the resolved value once deployed.
/// </summary>
/// <param name="ActiveRegion">The region that takes writes, as deployed.</param>
/// <param name="Regions">Per region, in config order.</param>
/// <param name="CaCertificate">The stack CA's public certificate (not secret: recovery verifies every cluster's TLS chain against it).</param>
public sealed record DeployedOutputs(
    string ActiveRegion,
    IReadOnlyDictionary<string, DeployedRegion> Regions,
    string CaCertificate)
{
    /// <summary>
    /// The version of this contract. Outputs without it were written by a compiler before the contract; raise it
    /// when a field recovery needs changes meaning or goes away (an added optional field does not need it).
    /// </summary>
    public const int CurrentContract = 1;

    /// <summary>The contract version the outputs were written with; 0 for a stack deployed before the contract.</summary>
    [JsonPropertyOrder(-1)]
    public int Contract { get; init; }

    /// <summary>The monitoring site (absent without <c>es-dr:monitoring</c>).</summary>
    public DeployedMonitoring? Monitoring { get; init; }

    /// <summary>The DNS names that follow the active region (absent without <c>es-dr:dns</c>).</summary>
    public DeployedDns? Dns { get; init; }

    /// <summary>
    /// Every resource of the program, in program order, with its type: what a URN is made of, and everything a
    /// <c>--exclude</c> glob must be proved not to select.
    /// </summary>
    public IReadOnlyList<DeployedResource> Resources { get => resources; init => resources = value ?? []; }

    // The source-generated reader sets every init property, absent ones to null: outputs before the contract have none.
    private readonly IReadOnlyList<DeployedResource> resources = [];

    /// <summary>The region named so; an <see cref="ArgumentException"/> naming the deployed regions otherwise.</summary>
    public DeployedRegion Region(string name) =>
        Regions.TryGetValue(name, out var region) ? region
            : throw new ArgumentException($"no region '{name}' in the stack outputs (regions: {string.Join(", ", Regions.Keys)})", nameof(name));
}

/// <summary>One region: where it is, its recovery-owned state and generation, its endpoints and its resources by part.</summary>
/// <param name="State">As the config spells it: active, standby, lost, rebuilding.</param>
/// <param name="Endpoint">The search endpoint (a HAProxy region's follows the active region).</param>
/// <param name="ClusterEndpoint">This very cluster (a HAProxy region's cluster port; the endpoint otherwise).</param>
public sealed record DeployedRegion(
    string Cloud,
    string Location,
    string State,
    int Generation,
    string ClusterName,
    string Endpoint,
    string ClusterEndpoint,
    DeployedBalancer Balancer,
    IReadOnlyList<string> NetworkResources,
    IReadOnlyList<DeployedNode> Nodes)
{
    /// <summary>The region's database host (absent without <c>es-dr:database</c> there).</summary>
    public DeployedDatabase? Database { get; init; }

    /// <summary>The region's application pool (absent without <c>es-dr:application</c> there).</summary>
    public DeployedApplication? Application { get; init; }
}

/// <summary>The balancer's kind and resources; a pushed HAProxy's config push is among them.</summary>
public sealed record DeployedBalancer(string Kind, IReadOnlyList<string> Resources);

/// <summary>
/// One Elasticsearch node: its name, ordinal, recovery-owned generation, addresses and every resource making it up.
/// An address that is a resource's attribute as such may deploy as null (a cloud that leaves it unset): no reason to
/// refuse the whole stack, so addresses are optional.
/// </summary>
public sealed record DeployedNode(string Name, int Ordinal, int Generation, string? PrivateIp, string? PublicIp, IReadOnlyList<string> Resources);

/// <summary>A region's MySQL server: its role (primary, replica), public host, private address and port.</summary>
public sealed record DeployedDatabase(string Role, string? Host, string? PrivateIp, int Port, IReadOnlyList<string> Resources);

/// <summary>A region's application pool: its endpoint and its members' and balancer's resources.</summary>
public sealed record DeployedApplication(string Endpoint, IReadOnlyList<string> Resources);

/// <summary>The monitoring site: where it runs, Prometheus's and Alertmanager's URLs, its resources.</summary>
public sealed record DeployedMonitoring(
    string Cloud, string Location, string? Host, string? PrivateIp, string PrometheusUrl, string AlertmanagerUrl, IReadOnlyList<string> Resources);

/// <summary>The names that follow the active region.</summary>
public sealed record DeployedDns(string Provider, string SearchName, string PrimaryRegion)
{
    /// <summary>Route 53 only: the failover record's secondary (the first standby).</summary>
    public string? SecondaryRegion { get; init; }

    /// <summary>The application's name, with <c>dns.appName</c> and an application tier.</summary>
    public string? AppName { get; init; }
}

/// <summary>A resource of the program: its logical name and its Pulumi type token (the two parts of its URN that vary).</summary>
public sealed record DeployedResource(string Name, string Type);

/// <summary>The outputs were not written by a compiler with this contract, or are not its shape; the message says what to do.</summary>
public sealed class DeployedOutputsFormatException(string message, Exception? inner = null) : FormatException(message, inner);

/// <summary>
/// The one (de)serialisation of <see cref="DeployedOutputs"/>: source-generated (the compiler is Native AOT), camelCase,
/// absent optional parts left out. Reading is strict: a required field missing or null names its path.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(DeployedOutputs))]
internal sealed partial class DeployedOutputsJsonContext : JsonSerializerContext;

/// <summary>Reads and writes the contract as JSON (<c>pulumi stack output --json</c>'s shape).</summary>
public static class DeployedOutputsJson
{
    /// <summary>The contract as the JSON object of outputs it becomes (one property per output).</summary>
    public static JsonObject ToJson(DeployedOutputs stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return (JsonObject)JsonSerializer.SerializeToNode(stack, DeployedOutputsJsonContext.Default.DeployedOutputs)!;
    }

    /// <summary>
    /// Reads <c>pulumi stack output --json</c> (extra outputs such as the masked <c>credentials</c> are ignored). Outputs
    /// written before the contract read as <see cref="DeployedOutputs.Contract"/> 0 when their shape allows; whether that
    /// is enough is the caller's decision (<see cref="RequireCurrent"/>).
    /// </summary>
    /// <exception cref="DeployedOutputsFormatException">Not the contract's shape: the message names the field.</exception>
    public static DeployedOutputs Parse(JsonObject outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs["contract"] is JsonValue v && v.TryGetValue<int>(out var contract) && contract > DeployedOutputs.CurrentContract)
            throw new DeployedOutputsFormatException(
                $"the stack was deployed with a newer compiler (output contract {contract}; this program reads up to {DeployedOutputs.CurrentContract}): use that version of es-dr-recovery");
        try
        {
            return outputs.Deserialize(DeployedOutputsJsonContext.Default.DeployedOutputs)
                ?? throw new DeployedOutputsFormatException("the stack outputs are null");
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path}";
            throw new DeployedOutputsFormatException(
                $"the stack outputs are not the shape this program reads{where}: {e.Message}{OlderHint(outputs)}", e);
        }
    }

    /// <summary>Refuses outputs written before this contract: recovery needs every resource's type from them.</summary>
    /// <exception cref="DeployedOutputsFormatException">The contract is older than <see cref="DeployedOutputs.CurrentContract"/>.</exception>
    public static DeployedOutputs RequireCurrent(DeployedOutputs stack, string stackName)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.Contract < DeployedOutputs.CurrentContract)
            throw new DeployedOutputsFormatException(
                $"stack {stackName} was deployed with an older compiler (output contract {(stack.Contract == 0 ? "none" : stack.Contract)}, " +
                $"this program reads {DeployedOutputs.CurrentContract}): run pulumi up with this version first");
        return stack;
    }

    private static string OlderHint(JsonObject outputs) =>
        outputs.ContainsKey("contract") ? "" : " (no 'contract' output: deployed with an older compiler? run pulumi up with this version first)";
}
