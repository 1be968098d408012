using EsDr.Infra.Topology;

namespace EsDr.Infra.Config;

/// <summary>
/// The one check of every key whose networks a firewall admits to a protected port: a data port (9200, 9300, 3306)
/// or SSH. Each network must be spelled canonically, and what the keys admit to a port together may cover at most
/// <see cref="PublicAddressSpace.ProtectedPortLimit"/> public addresses, measured over their union (private and other
/// non-public ranges not counted), so no spelling of "the internet" gets through.
/// </summary>
public static partial class ConfigRules
{
    /// <summary>A key that admits networks to a protected port, what its owner should list there, and an example.</summary>
    private sealed record SourceKey(string Path, IReadOnlyList<string> Cidrs, string Advice, string Example);

    /// <summary>A protected port and the keys whose networks its firewalls admit together.</summary>
    private sealed record ProtectedPort(string Name, IReadOnlyList<SourceKey> Keys);

    /// <summary>
    /// Which keys reach which protected port. <c>application.clientCidrs</c> is not here: the application port is
    /// public by design and never a protected one (<see cref="TakenPorts"/>).
    /// </summary>
    private static List<ProtectedPort> ProtectedPorts(StackConfig c)
    {
        var clients = new SourceKey("elasticsearch.clientCidrs", c.Elasticsearch.ClientCidrs, "list the networks of your clients", "198.51.100.0/24");
        var operators = new SourceKey("ssh.allowedCidrs", c.Ssh.AllowedCidrs, "list your operators' networks or a bastion", "203.0.113.0/24");
        var deployer = new SourceKey("deployer.cidrs", c.Deployer?.Cidrs ?? [], "list the network the deploying machine leaves from", "203.0.113.10/32");
        // DeployerAccess admits the deployer beside the clients on the regional endpoint, and beside the operators on
        // a pushed HAProxy VM's SSH.
        return [new("Elasticsearch (9200)", [clients, deployer]), new("SSH (22)", [operators, deployer])];
    }

    private static List<ConfigError> SourcesOfProtectedPortsAreCanonicalAndFewOfTheInternet(StackConfig c)
    {
        var ports = ProtectedPorts(c);
        var keys = ports.SelectMany(p => p.Keys).Distinct().ToList();
        var spelling = keys.SelectMany(k => SpellingErrors(c, k)).ToList();
        if (spelling.Count > 0) return spelling; // measure only what parses
        var perKey = keys.SelectMany(k => CoverageErrors(c, k, PortNames(ports, k))).ToList();
        return perKey.Count > 0 ? perKey : ports.SelectMany(p => SharedCoverageErrors(c, p)).ToList();
    }

    private static IEnumerable<ConfigError> SpellingErrors(StackConfig c, SourceKey key)
    {
        for (var i = 0; i < key.Cidrs.Count; i++)
            if (CidrError(Key(c, $"{key.Path}[{i}]"), key.Cidrs[i], key.Example) is { } error)
                yield return error;
    }

    /// <summary>An entry over the limit is named itself; a key whose entries are each within it but not together, as a whole.</summary>
    private static IEnumerable<ConfigError> CoverageErrors(StackConfig c, SourceKey key, string ports)
    {
        var cidrs = key.Cidrs.Select(Ipv4Cidr.Parse).ToList();
        var overLimit = false;
        for (var i = 0; i < cidrs.Count; i++)
        {
            var covered = PublicAddressSpace.Covered([cidrs[i]]);
            if (covered <= PublicAddressSpace.ProtectedPortLimit) continue;
            overLimit = true;
            yield return new(Key(c, $"{key.Path}[{i}]"), $"'{key.Cidrs[i]}' {OverLimit(covered, ports)}; {key.Advice}");
        }
        var total = PublicAddressSpace.Covered(cidrs);
        if (!overLimit && total > PublicAddressSpace.ProtectedPortLimit)
            yield return new(Key(c, key.Path), $"together {OverLimit(total, ports)}; {key.Advice}");
    }

    /// <summary>Keys within the limit one by one may still exceed it on the port they share; the port's first key is named.</summary>
    private static IEnumerable<ConfigError> SharedCoverageErrors(StackConfig c, ProtectedPort port)
    {
        var total = PublicAddressSpace.Covered(port.Keys.SelectMany(k => k.Cidrs).Select(Ipv4Cidr.Parse));
        if (total <= PublicAddressSpace.ProtectedPortLimit) yield break;
        var others = string.Join(" and ", port.Keys.Skip(1).Select(k => k.Path));
        yield return new(Key(c, port.Keys[0].Path), $"with {others} {OverLimit(total, port.Name)}; {port.Keys[0].Advice}");
    }

    private static string OverLimit(long covered, string ports) =>
        $"admits {PublicAddressSpace.Describe(covered)} to {ports}, more than the {PublicAddressSpace.Describe(PublicAddressSpace.ProtectedPortLimit)} "
        + "(one /8) a data port or SSH may be opened to";

    private static string PortNames(IEnumerable<ProtectedPort> ports, SourceKey key) =>
        string.Join(" and ", ports.Where(p => p.Keys.Contains(key)).Select(p => p.Name));

    /// <summary>The error for a network that is not canonical IPv4 CIDR notation, saying why; null when it is.</summary>
    private static ConfigError? CidrError(string path, string text, string example) =>
        Ipv4Cidr.Problem(text) is { } problem ? new(path, $"must be an IPv4 network such as {example}, got '{text}': {problem}") : null;
}
