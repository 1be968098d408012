using System.Globalization;
using System.Text.RegularExpressions;
using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// The exposure policy, for any program text: what a protected port admits is measured by coverage, not spelling.
/// Every cloud's rule shape is read (<see cref="Shapes"/>), the sources each rule set (a firewall, a security group, a
/// balancer, a HAProxy frontend, a host's nftables) admits to a port are united, and a union covering more than
/// <see cref="PublicAddressSpace.ProtectedPortLimit"/> public addresses is a violation; so is a literal source that is
/// not canonical IPv4 CIDR notation, any IPv6 source, and a rule of a resource type the policy cannot read. A source
/// resolved at deploy time (<c>${vm.ipAddress}</c>, optionally <c>/32</c>) is one of the compiler's own hosts, which
/// config cannot name (see <see cref="NoInterpolationPolicy"/>), and is not counted.
/// </summary>
internal static partial class ExposurePolicy
{
    /// <summary>Elasticsearch (9200, 9300), MySQL (3306), SSH, and the ports that proxy Elasticsearch: a HAProxy VM's cluster port, Linode's front doors.</summary>
    public static readonly int[] ProtectedPorts = [22, 3306, 9200, 9201, 9210, 9300, 9301];

    public const string LinodeFirewall = "linode:index/firewall:Firewall";
    public const string AwsIngressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    public const string AwsSecurityGroup = "aws:ec2/securityGroup:SecurityGroup";
    public const string DigitalOceanFirewall = "digitalocean:index/firewall:Firewall";
    public const string DigitalOceanBalancer = "digitalocean:index/loadBalancer:LoadBalancer";
    public const string HaproxyFrontend = "haproxy frontend";
    public const string Nftables = "nftables";

    /// <summary>Every shape read; <see cref="Admissions"/> tags each admission with one.</summary>
    public static readonly string[] Shapes = [LinodeFirewall, AwsIngressRule, AwsSecurityGroup, DigitalOceanFirewall, DigitalOceanBalancer, HaproxyFrontend, Nftables];

    /// <summary>Types that carry no inbound rule of their own though they name addresses: outbound rules, a VM's own addresses.</summary>
    private static readonly string[] NotInbound = ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "linode:index/instance:Instance"];

    /// <summary>Property names that hold a rule's sources on some cloud; an unread resource type carrying one is reported.</summary>
    private static readonly string[] SourceKeys =
        ["ipv4s", "ipv6s", "cidrIpv4", "cidrIpv6", "cidrBlocks", "ipv6CidrBlocks", "sourceAddresses", "sourceRanges", "allows", "inbounds", "inboundRules", "ingress", "remoteIpPrefix"];

    private const string Everyone = "0.0.0.0/0";

    /// <summary>One rule's admission: a human-readable place, the scope whose admissions add up, the shape, ports and sources.</summary>
    public sealed record Admission(string Where, string Scope, string Shape, IReadOnlyList<PortRange> Ports, IReadOnlyList<string> Sources);

    public sealed record PortRange(int From, int To)
    {
        public static readonly PortRange All = new(0, 65535);
        public bool Contains(int port) => port >= From && port <= To;
    }

    public static IReadOnlyList<string> Violations(string programYaml)
    {
        var (admissions, unread) = Read(programYaml);
        var violations = new List<string>(unread);
        foreach (var scope in admissions.GroupBy(a => a.Scope))
            foreach (var port in ProtectedPorts)
            {
                var sources = scope.Where(a => a.Ports.Any(p => p.Contains(port))).SelectMany(a => a.Sources).Distinct(StringComparer.Ordinal).ToList();
                if (sources.Count > 0) violations.AddRange(PortViolations(scope.Key, scope.First().Shape, port, sources));
            }
        return violations;
    }

    public static IReadOnlyList<Admission> Admissions(string programYaml) => Read(programYaml).Admissions;

    private static IEnumerable<string> PortViolations(string scope, string shape, int port, List<string> sources)
    {
        var literal = new List<Ipv4Cidr>();
        foreach (var source in sources)
        {
            if (source.Contains("${", StringComparison.Ordinal))
            {
                if (!IsOneAddressResolvedAtDeploy(source)) yield return $"{scope} ({shape}), port {port}: cannot measure the source '{source}'";
            }
            else if (Ipv4Cidr.Problem(source) is { } problem)
                yield return $"{scope} ({shape}), port {port}: source '{source}' is not a canonical IPv4 network: {problem}";
            else
                literal.Add(Ipv4Cidr.Parse(source));
        }
        var covered = PublicAddressSpace.Covered(literal);
        if (covered > PublicAddressSpace.ProtectedPortLimit)
            yield return $"{scope} ({shape}), port {port}: admits {PublicAddressSpace.Describe(covered)}, more than one /8";
    }

    private static bool IsOneAddressResolvedAtDeploy(string source) => OneResolvedAddress().IsMatch(source);

    private static (List<Admission> Admissions, List<string> Unread) Read(string programYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(programYaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var admissions = new List<Admission>();
        var unread = new List<string>();
        if (root.Children.TryGetValue(new YamlScalarNode("resources"), out var resources) && resources is YamlMappingNode all)
        {
            foreach (var (key, body) in all.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                var resource = (YamlMappingNode)body;
                var type = Text(resource, "type") ?? "";
                var properties = resource.Children.TryGetValue(new YamlScalarNode("properties"), out var p) && p is YamlMappingNode m ? m : new YamlMappingNode();
                var read = ReadResource(name, type, properties);
                if (read is null && !NotInbound.Contains(type) && CarriesSources(properties))
                    unread.Add($"resources.{name} ({type}): carries inbound sources in a shape the exposure policy does not read");
                admissions.AddRange(read ?? []);
            }
        }
        ReadTexts(root, "", admissions, unread);
        return (admissions, unread);
    }

    private static IEnumerable<Admission>? ReadResource(string name, string type, YamlMappingNode p) => type switch
    {
        LinodeFirewall => LinodeRules(name, p),
        AwsIngressRule => AwsRule(name, p),
        AwsSecurityGroup => AwsInlineRules(name, p),
        DigitalOceanFirewall => DigitalOceanRules(name, p),
        DigitalOceanBalancer => DigitalOceanBalancerRules(name, p),
        _ => null,
    };

    /// <summary><c>inbounds[]</c> with <c>action: ACCEPT</c>, <c>ports</c> and <c>ipv4s</c>/<c>ipv6s</c>; an ACCEPT inbound policy admits everyone.</summary>
    private static IEnumerable<Admission> LinodeRules(string name, YamlMappingNode p)
    {
        var scope = $"resources.{name}";
        if (string.Equals(Text(p, "inboundPolicy"), "ACCEPT", StringComparison.OrdinalIgnoreCase))
            yield return new($"{scope}.inboundPolicy", scope, LinodeFirewall, [PortRange.All], [Everyone]);
        foreach (var (rule, i) in Items(p, "inbounds").Select((r, i) => (r, i)))
        {
            if (!string.Equals(Text(rule, "action"), "ACCEPT", StringComparison.OrdinalIgnoreCase) || IsIcmp(Text(rule, "protocol"))) continue;
            yield return new($"{scope}.inbounds[{i}]", scope, LinodeFirewall, Ports(Text(rule, "ports")), [.. Strings(rule, "ipv4s"), .. Strings(rule, "ipv6s")]);
        }
    }

    /// <summary>One ingress rule resource: <c>fromPort</c>–<c>toPort</c> (all for protocol <c>-1</c>), <c>cidrIpv4</c>/<c>cidrIpv6</c>; scoped by its security group.</summary>
    private static IEnumerable<Admission> AwsRule(string name, YamlMappingNode p)
    {
        var sources = new[] { Text(p, "cidrIpv4"), Text(p, "cidrIpv6") }.OfType<string>().ToList();
        if (sources.Count == 0) yield break; // another security group or a prefix list: no address of its own
        var ports = Text(p, "ipProtocol") is "-1" or "all" ? [PortRange.All] : FromTo(Text(p, "fromPort"), Text(p, "toPort"));
        yield return new($"resources.{name}", $"security group {Text(p, "securityGroupId")}", AwsIngressRule, ports, sources);
    }

    /// <summary>A security group's inline <c>ingress[]</c> (<c>cidrBlocks</c>, <c>ipv6CidrBlocks</c>), scoped as the group its rule resources name.</summary>
    private static IEnumerable<Admission> AwsInlineRules(string name, YamlMappingNode p) =>
        Items(p, "ingress").Select((rule, i) => new Admission(
            $"resources.{name}.ingress[{i}]", $"security group ${{{name}.id}}", AwsSecurityGroup,
            Text(rule, "protocol") is "-1" or "all" ? [PortRange.All] : FromTo(Text(rule, "fromPort"), Text(rule, "toPort")),
            [.. Strings(rule, "cidrBlocks"), .. Strings(rule, "ipv6CidrBlocks")]));

    /// <summary><c>inboundRules[]</c>: <c>portRange</c> and <c>sourceAddresses</c> (tags, droplets and balancers are not addresses).</summary>
    private static IEnumerable<Admission> DigitalOceanRules(string name, YamlMappingNode p) =>
        Items(p, "inboundRules").Select((rule, i) => (rule, i)).Where(r => !IsIcmp(Text(r.rule, "protocol"))).Select(r => new Admission(
            $"resources.{name}.inboundRules[{r.i}]", $"resources.{name}", DigitalOceanFirewall, Ports(Text(r.rule, "portRange")), Strings(r.rule, "sourceAddresses")));

    /// <summary>
    /// A balancer admits to every <c>forwardingRules[].entryPort</c> what <c>firewall.allows</c> lists (<c>cidr:…</c>,
    /// <c>ip:…</c>); without an allow list it admits everyone.
    /// </summary>
    private static IEnumerable<Admission> DigitalOceanBalancerRules(string name, YamlMappingNode p)
    {
        var ports = Items(p, "forwardingRules").Select(r => Text(r, "entryPort")).OfType<string>().SelectMany(Ports).ToList();
        var firewall = p.Children.TryGetValue(new YamlScalarNode("firewall"), out var f) && f is YamlMappingNode fw ? fw : new YamlMappingNode();
        var allows = Strings(firewall, "allows").Select(BalancerSource).ToList();
        yield return new($"resources.{name}.firewall", $"resources.{name}", DigitalOceanBalancer, ports, allows.Count > 0 ? allows : [Everyone]);
    }

    private static string BalancerSource(string allow) =>
        allow.StartsWith("cidr:", StringComparison.Ordinal) ? allow["cidr:".Length..]
        : allow.StartsWith("ip:", StringComparison.Ordinal) ? (allow[3..].Contains("${", StringComparison.Ordinal) ? allow[3..] : $"{allow[3..]}/32")
        : allow; // an unknown kind stays as written and fails as not canonical

    /// <summary>Rendered text anywhere in the program (user-data, variables, a pushed config), and the files a cloud-config writes encoded.</summary>
    private static void ReadTexts(YamlNode node, string path, List<Admission> admissions, List<string> unread)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text } when text.Contains('\n', StringComparison.Ordinal):
                ReadText(text, path, admissions, unread);
                foreach (var (file, content) in EncodedFiles(text)) ReadText(content, $"{path} ({file})", admissions, unread);
                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children) ReadTexts(v, path.Length == 0 ? ((YamlScalarNode)k).Value! : $"{path}.{((YamlScalarNode)k).Value}", admissions, unread);
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++) ReadTexts(list.Children[i], $"{path}[{i}]", admissions, unread);
                break;
        }
    }

    private static void ReadText(string text, string path, List<Admission> admissions, List<string> unread)
    {
        admissions.AddRange(NftablesRules(text, path));
        admissions.AddRange(HaproxyFrontends(text, path, unread));
    }

    /// <summary><c>tcp dport P ip saddr { a, b } accept</c> (or without <c>saddr</c>: everyone), P a port, range or set.</summary>
    private static IEnumerable<Admission> NftablesRules(string text, string path)
    {
        foreach (var line in text.Split('\n').Select(l => l.Trim()))
        {
            if (!line.EndsWith(" accept", StringComparison.Ordinal) || NftDport().Match(line) is not { Success: true } dport) continue;
            var ports = Set(dport.Groups[1].Value).SelectMany(Ports).ToList();
            var saddr = NftSaddr().Match(line);
            var sources = saddr.Success ? Set(saddr.Groups[1].Value) : [Everyone];
            yield return new($"{path}: {line}", $"{path} nftables", Nftables, ports, sources);
        }
    }

    /// <summary>
    /// Each <c>frontend</c>/<c>listen</c> section: its <c>bind</c> ports (a bind to a non-public address is not
    /// exposed) and <c>tcp-request connection reject unless { src … }</c>; no reject rule admits everyone, an
    /// unconditional one nobody. Any other access rule is reported as unread.
    /// </summary>
    private static IEnumerable<Admission> HaproxyFrontends(string text, string path, List<string> unread)
    {
        var sections = HaproxySection().Matches(text);
        for (var s = 0; s < sections.Count; s++)
        {
            if (sections[s].Groups[1].Value is not ("frontend" or "listen")) continue;
            var end = s + 1 < sections.Count ? sections[s + 1].Index : text.Length;
            var lines = text[sections[s].Index..end].Split('\n').Skip(1).Select(l => l.Trim()).ToList();
            var where = $"{path} {sections[s].Groups[1].Value} {sections[s].Groups[2].Value}";
            var ports = lines.Where(l => l.StartsWith("bind ", StringComparison.Ordinal)).SelectMany(BindPorts).ToList();
            if (ports.Count == 0) continue;
            var rules = lines.Where(IsAccessRule).ToList();
            if (rules.Any(r => !r.StartsWith("tcp-request connection reject", StringComparison.Ordinal)) || rules.Count > 1)
            {
                unread.Add($"{where}: access rules the exposure policy does not read: {string.Join(" | ", rules)}");
                continue;
            }
            var sources = rules.Count == 0 ? [Everyone] : HaproxyUnlessSrc().Match(rules[0]) is { Success: true } m
                ? m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Contains('/', StringComparison.Ordinal) ? a : $"{a}/32").ToList()
                : rules[0] == "tcp-request connection reject" ? [] : null;
            if (sources is null) unread.Add($"{where}: access rule the exposure policy does not read: {rules[0]}");
            else yield return new(where, where, HaproxyFrontend, ports, sources);
        }
    }

    private static bool IsAccessRule(string line) =>
        line.StartsWith("tcp-request", StringComparison.Ordinal) || line.StartsWith("http-request deny", StringComparison.Ordinal)
        || line.StartsWith("acl ", StringComparison.Ordinal) || line.StartsWith("use_backend", StringComparison.Ordinal) && line.Contains(" src", StringComparison.Ordinal);

    /// <summary><c>bind :9200</c>, <c>bind *:9200</c>, <c>bind 10.0.0.5:9201 …</c>: the ports, unless the address is not public.</summary>
    private static IEnumerable<PortRange> BindPorts(string line)
    {
        var address = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var colon = address.LastIndexOf(':');
        if (colon < 0) return [];
        var host = address[..colon];
        if (host.Contains('@', StringComparison.Ordinal)) host = host[(host.IndexOf('@', StringComparison.Ordinal) + 1)..];
        if (Ipv4Cidr.TryParseAddress(host, out var ip) && PublicAddressSpace.Covered([ip]) == 0) return [];
        return Ports(address[(colon + 1)..]);
    }

    /// <summary>The content of every <c>write_files</c> entry of a cloud-config that is base64 (or gzip and base64) encoded.</summary>
    internal static IEnumerable<(string Path, string Content)> EncodedFiles(string text)
    {
        if (!text.StartsWith(CloudInit.Header, StringComparison.Ordinal)) yield break;
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents[0].RootNode is not YamlMappingNode root) yield break;
        foreach (var file in Items(root, "write_files"))
        {
            var content = Text(file, "content");
            if (content is null || content.Contains("${", StringComparison.Ordinal)) continue;
            switch (Text(file, "encoding"))
            {
                case CloudConfigCompression.Encoding:
                    yield return (Text(file, "path") ?? "", CloudConfigCompression.Decompress(content));
                    break;
                case "b64" or "base64":
                    yield return (Text(file, "path") ?? "", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(content)));
                    break;
            }
        }
    }

    private static bool CarriesSources(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.Any(kv => SourceKeys.Contains(((YamlScalarNode)kv.Key).Value) || CarriesSources(kv.Value)),
        YamlSequenceNode l => l.Children.Any(CarriesSources),
        _ => false,
    };

    private static bool IsIcmp(string? protocol) => protocol is not null && protocol.StartsWith("icmp", StringComparison.OrdinalIgnoreCase);

    /// <summary>"9200", "9000-9300", "22,80", "all" or nothing (every port).</summary>
    private static List<PortRange> Ports(string? text)
    {
        if (text is null || text.Trim() is "" or "all" or "*" or "1-65535") return [PortRange.All];
        return [.. text.Split(',').Select(part => part.Trim().Split('-')).Select(b => new PortRange(Int(b[0]), Int(b[^1])))];
    }

    private static List<PortRange> FromTo(string? from, string? to) =>
        from is null || to is null ? [PortRange.All] : [new PortRange(Int(from), Int(to))];

    private static List<string> Set(string text) =>
        [.. text.Trim('{', '}', ' ').Split(',').Select(s => s.Trim()).Where(s => s.Length > 0)];

    private static int Int(string s) => int.Parse(s.Trim(), CultureInfo.InvariantCulture);

    private static string? Text(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    private static IEnumerable<YamlMappingNode> Items(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlSequenceNode list ? list.Children.OfType<YamlMappingNode>() : [];

    private static List<string> Strings(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlSequenceNode list
            ? [.. list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")]
            : [];

    [GeneratedRegex(@"^\$\{[^}]+\}(/32)?$")]
    private static partial Regex OneResolvedAddress();

    // A set's braces hold no '}' but the ones closing a ${…} resolved at deploy time.
    [GeneratedRegex(@"\btcp dport (\{(?:\$\{[^}]*\}|[^}])*\}|\S+)")]
    private static partial Regex NftDport();

    [GeneratedRegex(@"\bip6? saddr (\{(?:\$\{[^}]*\}|[^}])*\}|\S+)")]
    private static partial Regex NftSaddr();

    [GeneratedRegex(@"^[ \t]*(frontend|listen|backend|defaults|global|peers|resolvers|userlist|program|cache|mailers|ring|http-errors)\b[ \t]*(\S*)", RegexOptions.Multiline)]
    private static partial Regex HaproxySection();

    [GeneratedRegex(@"^tcp-request connection reject unless \{ src ((?:[^}]|\$\{[^}]*\})*?) \}$")]
    private static partial Regex HaproxyUnlessSrc();
}
