using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers;

public class NftablesRulesTests
{
    public static TheoryData<string[]> Sources() => new()
    {
        new[] { "10.60.0.0/24", "203.0.113.0/24" },
        new[] { "198.51.100.7/32" },
        Array.Empty<string>(),
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task SshOnlyFrom_PassesTheRealNftCheck(string[] sources)
    {
        using var dir = new TempDir();
        var file = dir.Write("nftables.conf", NftablesRules.SshOnlyFrom(sources));

        var (exitCode, output) = await RealTool.RunAsync("nft", "-c", "-f", file);

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void SshOnlyFrom_AcceptsTheSourcesThenDropsEveryoneElse()
    {
        var lines = NftablesRules.SshOnlyFrom(["10.60.0.0/24", "203.0.113.0/24"]).Split('\n').Select(l => l.Trim()).ToList();

        var accept = lines.IndexOf("tcp dport 22 ip saddr { 10.60.0.0/24, 203.0.113.0/24 } accept");
        var drop = lines.IndexOf("tcp dport 22 drop");
        Assert.True(accept >= 0 && drop > accept);
    }

    [Fact]
    public void SshOnlyFrom_NoSource_DropsAllSsh()
    {
        var text = NftablesRules.SshOnlyFrom([]);

        Assert.DoesNotContain("accept\n", text.Replace("policy accept;", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("tcp dport 22 drop", text, StringComparison.Ordinal);
    }
    /// <summary>
    /// Inbound is dropped but for replies, loopback, ICMP, DHCP replies and each port from its own sources (a port
    /// with none admits nobody); the real nft accepts it.
    /// </summary>
    [Fact]
    public async Task OnlyFrom_DropsEverythingButEachPortFromItsSources()
    {
        var text = NftablesRules.OnlyFrom([(8443, ["10.60.0.5/32"]), (22, ["203.0.113.0/24", "198.51.100.0/24"]), (9000, [])]);
        var lines = text.Split('\n').Select(l => l.Trim()).SkipWhile(l => !l.StartsWith("type filter", StringComparison.Ordinal)).TakeWhile(l => l != "}").ToList();

        Assert.Equal(
            [
                "type filter hook input priority 0; policy drop;",
                "ct state established,related accept", "iif lo accept", "meta l4proto { icmp, ipv6-icmp } accept", "udp dport 68 accept",
                "tcp dport 8443 ip saddr { 10.60.0.5/32 } accept",
                "tcp dport 22 ip saddr { 203.0.113.0/24, 198.51.100.0/24 } accept",
            ],
            lines);
        using var dir = new TempDir();
        var (exitCode, output) = await RealTool.RunAsync("nft", "-c", "-f", dir.Write("nftables.conf", text));
        Assert.True(exitCode == 0, output);
    }
}
