using System.Text.Json.Nodes;
using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers;

public class ApplicationCloudInitTests
{
    private static readonly ApplicationEnvironment Environment = new(
        "https://${fra-lb.ipv4}:9200", ["https://10.0.0.11:9200"], null, "10.0.0.6", 3306, "primary", 8080);

    private static ApplicationUserData With(string userCloudConfig) =>
        new(Environment, "${es-ca-cert-b64}", ["ssh-ed25519 AAAA ops"], JsonNode.Parse(userCloudConfig)!.AsObject());

    [Fact]
    public async Task UserKeys_AreMergedOursFirst_AndTheResultIsValidCloudConfig()
    {
        var rendered = ApplicationCloudInit.Render(With("""
            {"packages":["nginx"],"runcmd":["systemctl enable --now app"],"write_files":[{"path":"/etc/app.conf","content":"x=1\n"}],
             "timezone":"Europe/Berlin"}
            """));
        using var dir = new TempDir();

        var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", dir.Write("app.yaml", rendered));

        Assert.True(exitCode == 0, output);
        Assert.Contains("packages:\n  - \"ca-certificates\"\n  - \"nginx\"\n", rendered, StringComparison.Ordinal);
        Assert.Contains("runcmd:\n  - \"chmod 0755 /etc/es-dr\"\n  - \"systemctl enable --now app\"\n", rendered, StringComparison.Ordinal);
        Assert.True(rendered.IndexOf("/etc/es-dr/app.env", StringComparison.Ordinal) < rendered.IndexOf("/etc/app.conf", StringComparison.Ordinal));
        Assert.EndsWith("timezone: \"Europe/Berlin\"\n", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void UserText_IsProgramText_WrittenAsItIsNotEscapedTwice()
    {
        // The compilation hands the user's cloud-config over already escaped (LiteralConfig).
        var rendered = ApplicationCloudInit.Render(With("""{"runcmd":["echo $${HOME}"]}"""));

        Assert.Contains("\"echo $${HOME}\"", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void UserKey_ReplacingOneOfOurs_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ApplicationCloudInit.Render(With("""{"package_update":false}""")));

        Assert.StartsWith("cloud-config key 'package_update' is set by es-dr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_WithoutDatabaseOrSearchName_LeavesThoseLinesOut()
    {
        var text = ApplicationCloudInit.RenderEnvironment(Environment with { DatabaseHost = null, DatabaseRole = null });

        Assert.DoesNotContain("ES_DR_DB_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ES_DR_SEARCH_URL", text, StringComparison.Ordinal);
        Assert.Contains("ES_DR_ELASTICSEARCH_URL=\"https://${fra-lb.ipv4}:9200\"\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_ValueThatWouldBreakTheFile_IsRefused() =>
        Assert.Throws<ArgumentException>(() => ApplicationCloudInit.RenderEnvironment(Environment with { SearchUrl = "x\"\nEVIL=1" }));
}
