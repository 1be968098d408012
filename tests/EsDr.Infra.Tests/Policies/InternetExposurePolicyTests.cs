using System.Globalization;
using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// A policy over every emitted program, whatever the cloud: no inbound rule admits the whole internet
/// (<c>0.0.0.0/0</c>, <c>::/0</c>) to Elasticsearch (9200, 9300) or MySQL (3306). It reads rules
/// generically — any map holding an internet-wide source next to its port fields — so a new cloud
/// adapter is covered without changes here.
/// </summary>
public partial class InternetExposurePolicyTests
{
    private static readonly int[] ProtectedPorts = [9200, 9300, 3306];
    private static readonly string[] Anywhere = ["0.0.0.0/0", "::/0"];

    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void NoInboundRule_OpensElasticsearchOrMySqlToTheInternet(string file)
    {
        var stack = Repository.Load(file);
        var yaml = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config)).Yaml;

        var violations = Violations(yaml);

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Checker_FindsAnInternetWideRuleOnAProtectedPort()
    {
        const string program = """
            resources:
              fw:
                type: linode:index/firewall:Firewall
                properties:
                  inbounds:
                    - { label: ok, ports: "22", ipv4s: ["0.0.0.0/0"] }
                    - { label: bad, ports: "9000-9300", ipv4s: ["10.0.0.0/8", "0.0.0.0/0"] }
                  outbounds:
                    - { label: out, ports: "9200", ipv4s: ["0.0.0.0/0"] }
              sg:
                type: aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
                properties: { cidrIpv6: "::/0", fromPort: 3306, toPort: 3306, ipProtocol: tcp }
            """;

        var violations = Violations(program);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Contains("resources.fw.properties.inbounds[1]", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("resources.sg.properties", StringComparison.Ordinal));
    }

    internal static List<string> Violations(string programYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(programYaml));
        var violations = new List<string>();
        Walk(stream.Documents[0].RootNode, "", outbound: false, violations);
        return violations;
    }

    private static void Walk(YamlNode node, string path, bool outbound, List<string> violations)
    {
        switch (node)
        {
            case YamlMappingNode map:
                if (!outbound && AdmitsAnywhere(map) && Ports(map) is var ports && ports.Any(p => ProtectedPorts.Any(p.Contains)))
                    violations.Add($"{path}: admits the internet on {string.Join(", ", ports)}");
                // An egress rule resource (aws:vpc/securityGroupEgressRule…) is outbound as a whole.
                var egressResource = map.Children.TryGetValue(new YamlScalarNode("type"), out var type) &&
                    type is YamlScalarNode { Value: { } t } && t.Contains("Egress", StringComparison.Ordinal);
                foreach (var (k, v) in map.Children)
                {
                    var key = ((YamlScalarNode)k).Value ?? "";
                    Walk(v, path.Length == 0 ? key : $"{path}.{key}", outbound || egressResource || IsOutbound(key), violations);
                }
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++) Walk(list.Children[i], $"{path}[{i}]", outbound, violations);
                break;
        }
    }

    private static bool IsOutbound(string key) =>
        key.StartsWith("outbound", StringComparison.OrdinalIgnoreCase) || key.StartsWith("egress", StringComparison.OrdinalIgnoreCase);

    /// <summary>An internet-wide address among the map's sources (not a route's destination).</summary>
    private static bool AdmitsAnywhere(YamlMappingNode map) =>
        map.Children.Where(kv => IsSourceKey(((YamlScalarNode)kv.Key).Value ?? "")).Select(kv => kv.Value).Any(v => v switch
        {
            YamlScalarNode s => Anywhere.Contains(s.Value),
            YamlSequenceNode l => l.Children.OfType<YamlScalarNode>().Any(s => Anywhere.Contains(s.Value)),
            _ => false,
        });

    private static bool IsSourceKey(string key) =>
        !key.Contains("destination", StringComparison.OrdinalIgnoreCase) &&
        (key is "ipv4s" or "ipv6s" || key.Contains("cidr", StringComparison.OrdinalIgnoreCase) || key.Contains("source", StringComparison.OrdinalIgnoreCase));

    /// <summary>The port ranges a rule covers; a rule that names no port covers them all.</summary>
    private static List<Range> Ports(YamlMappingNode map)
    {
        string? Get(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
        var ranges = new List<Range>();
        if (Get("fromPort") is { } from && Get("toPort") is { } to)
            ranges.Add(new Range(Int(from), Int(to)));
        foreach (var key in new[] { "ports", "portRange", "port", "entryPort", "targetPort" })
            if (Get(key) is { } text)
                ranges.AddRange(ParsePorts(text));
        return ranges.Count > 0 ? ranges : [new Range(0, 65535)];
    }

    private static IEnumerable<Range> ParsePorts(string text)
    {
        if (text is "all" or "" or "*") return [new Range(0, 65535)];
        return PortPart().Matches(text).Select(m => m.Groups[2].Success
            ? new Range(Int(m.Groups[1].Value), Int(m.Groups[2].Value))
            : new Range(Int(m.Groups[1].Value), Int(m.Groups[1].Value)));
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private sealed record Range(int From, int To)
    {
        public bool Contains(int port) => port >= From && port <= To;
        public override string ToString() => From == To ? $"{From}" : $"{From}-{To}";
    }

    [GeneratedRegex(@"(\d+)(?:-(\d+))?")]
    private static partial Regex PortPart();
}
