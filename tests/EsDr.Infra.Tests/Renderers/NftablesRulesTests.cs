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
}
