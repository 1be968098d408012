using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Database;
using EsDr.Infra.Tests.Compilation;

namespace EsDr.Infra.Tests.Renderers.Database;

public class DatabaseHostCloudInitTests
{
    private static DatabaseHostUserData UserData(MySqlFlavor flavor) => new(
        new MySqlServerSettings(MySqlRole.Replica, 2, "10.60.0.6", DatabaseHostCloudInit.TlsFiles) { Flavor = flavor },
        "${es-ca-cert-b64}", "${db-cert-b64}", "${db-key-b64}", "SELECT 1;\n", ["ssh-ed25519 AAAA ops"]);

    private static readonly (int Port, IReadOnlyList<string> Sources)[] Rules =
        [(3306, ["10.60.0.5/32", "10.60.0.21/32"]), (22, ["198.51.100.0/24"])];

    /// <summary>
    /// A host with no cloud firewall (OVH) filters itself: nftables drops everything inbound but 3306 from the listed
    /// sources (the HAProxy VM, the application servers) and SSH from the operators, and is up before the server restarts.
    /// </summary>
    [Theory]
    [InlineData(MySqlFlavor.MariaDb)]
    [InlineData(MySqlFlavor.MySql)]
    public async Task HostFirewall_IsValidCloudConfig_AndRealNftAcceptsTheRules(MySqlFlavor flavor)
    {
        var rendered = DatabaseHostCloudInit.Render(UserData(flavor) with { HostFirewall = Rules });
        using var dir = new TempDir();

        var (schemaExit, schemaOutput) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", dir.Write("db.yaml", rendered));
        var nftables = DatabaseTierTests.WrittenFile(rendered, NftablesRules.ConfigFile);
        var (nftExit, nftOutput) = await RealTool.RunAsync("nft", "-c", "-f", dir.Write("nftables.conf", nftables));

        Assert.True(schemaExit == 0, schemaOutput);
        Assert.True(nftExit == 0, nftOutput);
        Assert.Contains("type filter hook input priority 0; policy drop;", nftables, StringComparison.Ordinal);
        Assert.Equal(
            ["tcp dport 3306 ip saddr { 10.60.0.5/32, 10.60.0.21/32 } accept", "tcp dport 22 ip saddr { 198.51.100.0/24 } accept"],
            nftables.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("tcp dport", StringComparison.Ordinal)));
        Assert.Contains("  - \"nftables\"\n", rendered, StringComparison.Ordinal);
        var service = flavor == MySqlFlavor.MariaDb ? "mariadb" : "mysql";
        Assert.True(rendered.IndexOf("systemctl restart nftables", StringComparison.Ordinal)
            < rendered.IndexOf($"systemctl restart {service}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutHostFirewall_NoNftables()
    {
        var rendered = DatabaseHostCloudInit.Render(UserData(MySqlFlavor.MariaDb));

        Assert.DoesNotContain("nft", rendered, StringComparison.Ordinal);
    }
}
