using System.IO.Compression;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// A policy over every emitted program, whatever the cloud: what a data port (9200, 9300, 3306), a port proxying one,
/// or SSH admits covers at most one /8 of public address space, measured over the union of each rule set's sources
/// (<see cref="ExposurePolicy"/>). The self-tests below show that each cloud's rule shape is read and can fail.
/// </summary>
public class InternetExposurePolicyTests
{
    private const string TwoHalves = "0.0.0.0/1";
    private const string OtherHalf = "128.0.0.0/1";

    public static TheoryData<string> Stacks() => Repository.StackFileData();

    private static string Program(string file)
    {
        var stack = Repository.Load(file);
        return StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config)).Yaml;
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void NoProtectedPort_AdmitsMoreThanOneSlash8OfTheInternet(string file)
    {
        var violations = ExposurePolicy.Violations(Program(file));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheExampleStacks_ExerciseEveryRuleShapeTheCompilerEmits()
    {
        var shapes = Repository.StackFiles().SelectMany(f => ExposurePolicy.Admissions(Program(f))).Select(a => a.Shape).ToHashSet();

        // Inline security-group rules are read for safety; the AWS adapter writes one rule resource per source.
        Assert.Equal(ExposurePolicy.Shapes.Where(s => s != ExposurePolicy.AwsSecurityGroup).Order(), shapes.Order());
    }

    [Fact]
    public void LinodeFirewall_InboundsCoveringTheInternetTogether_AreAViolation()
    {
        var violations = ExposurePolicy.Violations($$"""
            resources:
              fw:
                type: {{ExposurePolicy.LinodeFirewall}}
                properties:
                  inboundPolicy: DROP
                  inbounds:
                    - { label: a, action: ACCEPT, protocol: TCP, ports: "9200", ipv4s: ["{{TwoHalves}}"] }
                    - { label: b, action: ACCEPT, protocol: TCP, ports: "80,9200", ipv4s: ["{{OtherHalf}}"] }
                    - { label: c, action: ACCEPT, protocol: TCP, ports: "9000-9100", ipv4s: ["0.0.0.0/0"] }
                    - { label: app, action: ACCEPT, protocol: TCP, ports: "80", ipv4s: ["0.0.0.0/0"] }
                  outbounds:
                    - { label: out, action: ACCEPT, protocol: TCP, ports: "9200", ipv4s: ["0.0.0.0/0"] }
            """);

        Assert.Equal(["resources.fw (linode:index/firewall:Firewall), port 9200: admits 3,702,258,688 public addresses (the whole internet), more than one /8"], violations);
    }

    [Fact]
    public void LinodeFirewall_AcceptingByDefault_AdmitsEveryone() =>
        Assert.Equal(ExposurePolicy.ProtectedPorts.Length, ExposurePolicy.Violations($$"""
            resources:
              fw: { type: {{ExposurePolicy.LinodeFirewall}}, properties: { inboundPolicy: ACCEPT, inbounds: [] } }
            """).Count);

    [Fact]
    public void AwsIngressRules_OfOneSecurityGroup_AreMeasuredTogether()
    {
        var violations = ExposurePolicy.Violations($$"""
            resources:
              a: { type: {{ExposurePolicy.AwsIngressRule}}, properties: { securityGroupId: "${es-sg.id}", ipProtocol: tcp, fromPort: 9300, toPort: 9300, cidrIpv4: "{{TwoHalves}}" } }
              b: { type: {{ExposurePolicy.AwsIngressRule}}, properties: { securityGroupId: "${es-sg.id}", ipProtocol: tcp, fromPort: 9300, toPort: 9300, cidrIpv4: "{{OtherHalf}}" } }
              c: { type: {{ExposurePolicy.AwsIngressRule}}, properties: { securityGroupId: "${app-sg.id}", ipProtocol: tcp, fromPort: 9300, toPort: 9300, cidrIpv4: "17.0.0.0/8" } }
              d: { type: {{ExposurePolicy.AwsIngressRule}}, properties: { securityGroupId: "${es-sg.id}", ipProtocol: tcp, fromPort: 9300, toPort: 9300, cidrIpv4: "${peer.publicIp}/32" } }
            """);

        Assert.Equal(["security group ${es-sg.id} (aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule), port 9300: admits 3,702,258,688 public addresses (the whole internet), more than one /8"], violations);
    }

    [Fact]
    public void AwsSecurityGroup_InlineIngress_IsRead()
    {
        var violations = ExposurePolicy.Violations($$"""
            resources:
              sg:
                type: {{ExposurePolicy.AwsSecurityGroup}}
                properties:
                  ingress: [{ protocol: tcp, fromPort: 3306, toPort: 3306, cidrBlocks: ["{{TwoHalves}}", "{{OtherHalf}}"] }]
            """);

        Assert.Single(violations, v => v.StartsWith("security group ${sg.id} (aws:ec2/securityGroup:SecurityGroup), port 3306:", StringComparison.Ordinal));
    }

    [Fact]
    public void DigitalOceanFirewall_SourceAddresses_AreRead()
    {
        var violations = ExposurePolicy.Violations($$"""
            resources:
              fw:
                type: {{ExposurePolicy.DigitalOceanFirewall}}
                properties:
                  inboundRules:
                    - { protocol: tcp, portRange: "3306", sourceAddresses: ["{{TwoHalves}}", "{{OtherHalf}}"], sourceTags: ["${app.name}"] }
                    - { protocol: icmp, sourceAddresses: ["0.0.0.0/0"] }
            """);

        Assert.Equal(["resources.fw (digitalocean:index/firewall:Firewall), port 3306: admits 3,702,258,688 public addresses (the whole internet), more than one /8"], violations);
    }

    [Theory]
    [InlineData($"firewall: {{ allows: [\"cidr:{TwoHalves}\", \"cidr:{OtherHalf}\", \"ip:${{peer.ipv4Address}}\"] }}")]
    [InlineData("healthcheck: { port: 9200 }")] // no firewall: everyone
    public void DigitalOceanBalancer_AllowsOrTheirAbsence_AreRead(string firewall)
    {
        var violations = ExposurePolicy.Violations($$"""
            resources:
              lb:
                type: {{ExposurePolicy.DigitalOceanBalancer}}
                properties:
                  forwardingRules: [{ entryPort: 9200, targetPort: 9200 }, { entryPort: 80, targetPort: 8080 }]
                  {{firewall}}
            """);

        Assert.Equal(["resources.lb (digitalocean:index/loadBalancer:LoadBalancer), port 9200: admits 3,702,258,688 public addresses (the whole internet), more than one /8"], violations);
    }

    [Fact]
    public void DigitalOceanBalancer_AllowingOneAddress_IsNotAViolation() =>
        Assert.Empty(ExposurePolicy.Violations($$"""
            resources:
              lb:
                type: {{ExposurePolicy.DigitalOceanBalancer}}
                properties: { forwardingRules: [{ entryPort: 9200 }], firewall: { allows: ["ip:198.51.100.22", "cidr:17.0.0.0/8"] } }
            """));

    [Fact]
    public void HaproxyFrontends_InRenderedText_AreRead()
    {
        var violations = ExposurePolicy.Violations(Variable("""
            frontend es_cluster
                bind :9210
                tcp-request connection reject unless { src 0.0.0.0/1 ${mon.ip}/32 128.0.0.0/1 }
                default_backend es_cluster
            frontend mysql
                bind *:3306
                default_backend mysql
            frontend front_door
                bind 10.0.0.11:9201
                default_backend es
            frontend closed
                bind :9300
                tcp-request connection reject
            frontend app
                bind :80
                tcp-request connection reject unless { src 0.0.0.0/0 }
            backend es
                server a 10.0.0.11:9200
            """));

        Assert.Equal(
            [
                "variables.cfg frontend es_cluster (haproxy frontend), port 9210: admits 3,702,258,688 public addresses (the whole internet), more than one /8",
                "variables.cfg frontend mysql (haproxy frontend), port 3306: admits 3,702,258,688 public addresses (the whole internet), more than one /8",
            ],
            violations);
    }

    [Fact]
    public void HaproxyFrontend_WithAnAccessRuleItCannotRead_IsReported() =>
        Assert.Single(ExposurePolicy.Violations(Variable("""
            frontend es
                bind :9200
                acl ok src 198.51.100.0/24
                tcp-request connection reject if !ok
            """)), v => v.Contains("access rules the exposure policy does not read", StringComparison.Ordinal));

    [Fact]
    public void NftablesRules_InRenderedText_AreRead()
    {
        var violations = ExposurePolicy.Violations(Variable($$"""
            table inet es_dr {
                chain input {
                    type filter hook input priority 0; policy drop;
                    tcp dport 22 ip saddr { {{TwoHalves}}, {{OtherHalf}}, ${mon.ip}/32 } accept
                    tcp dport { 80, 443 } accept
                    tcp dport 3306 accept
                    tcp dport 22 drop
                }
            }
            """));

        Assert.Equal(
            [
                "variables.cfg nftables (nftables), port 22: admits 3,702,258,688 public addresses (the whole internet), more than one /8",
                "variables.cfg nftables (nftables), port 3306: admits 3,702,258,688 public addresses (the whole internet), more than one /8",
            ],
            violations);
    }

    [Fact]
    public void CompressedFilesOfACloudConfig_AreReadDecompressed()
    {
        var rules = NftablesRules.SshOnlyFrom([TwoHalves, OtherHalf]);
        var userData = $"""
            {CloudInit.Header}write_files:
              - path: /etc/nftables.conf
                encoding: gz+b64
                content: {Gzip(rules)}
            """;

        var violations = ExposurePolicy.Violations(Variable(userData));

        Assert.Single(violations, v => v.StartsWith("variables.cfg (/etc/nftables.conf) nftables (nftables), port 22: admits 3,702,258,688", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("010.0.0.0/8", "is not a canonical IPv4 network")]
    [InlineData("0.0.0.0/+0", "is not a canonical IPv4 network")]
    [InlineData("::/0", "is not a canonical IPv4 network: an IPv6 network")]
    [InlineData("${a.ip}/1", "cannot measure the source")]
    public void SourcesThatCannotBeMeasured_AreViolations(string source, string problem) =>
        Assert.Single(ExposurePolicy.Violations($$"""
            resources:
              fw:
                type: {{ExposurePolicy.LinodeFirewall}}
                properties: { inboundPolicy: DROP, inbounds: [{ action: ACCEPT, protocol: TCP, ports: "9200", ipv4s: ["{{source}}"] }] }
            """), v => v.Contains(problem, StringComparison.Ordinal));

    [Fact]
    public void AResourceTypeWithSourcesItCannotRead_IsReported() =>
        Assert.Single(ExposurePolicy.Violations("""
            resources:
              acl: { type: "newcloud:index/acl:Acl", properties: { rules: [{ port: 9200, sourceAddresses: ["17.0.0.0/8"] }] } }
            """), v => v.Contains("a shape the exposure policy does not read", StringComparison.Ordinal));

    private static string Variable(string text) =>
        "variables:\n  cfg: |\n" + string.Concat(text.Split('\n').Select(l => $"    {l}\n"));

    private static string Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return Convert.ToBase64String(buffer.ToArray());
    }
}
