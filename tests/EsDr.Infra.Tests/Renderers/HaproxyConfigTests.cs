using EsDr.Infra.Renderers;
using static EsDr.Infra.Tests.Renderers.RendererSamples;

namespace EsDr.Infra.Tests.Renderers;

public class HaproxyConfigTests
{
    private static string[] Lines(string config) =>
        config.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The indented lines of one section, e.g. "backend es_http".</summary>
    private static string[] Section(string config, string header) =>
        config.Split("\n\n").Select(s => s.Split('\n'))
            .Single(s => s[0] == header)
            .Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    [Theory]
    [MemberData(nameof(HaproxyRows), MemberType = typeof(RendererSamples))]
    public async Task Render_EveryRow_PassesHaproxyCheckWithoutWarnings(string row)
    {
        using var dir = new TempDir();
        var caFile = dir.Write("ca.crt", ThrowawayCaPem());
        var config = dir.Write("haproxy.cfg", HaproxyConfig.Render(Haproxy(row, caFile)));

        var (exitCode, output) = await RealTool.RunAsync("haproxy", "-c", "-f", config);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HaproxyRows), MemberType = typeof(RendererSamples))]
    public void Render_HealthCheck_NeedsAYellowClusterOverVerifiedTls(string row)
    {
        var backend = Section(HaproxyConfig.Render(Haproxy(row, "/etc/haproxy/es-ca.crt")), "backend es_http");

        Assert.Contains("option httpchk", backend);
        Assert.Contains("http-check send meth GET uri /_cluster/health?wait_for_status=yellow&timeout=1s ver HTTP/1.1 hdr Host elasticsearch", backend);
        Assert.Contains("http-check expect status 200", backend);
        Assert.Contains("default-server inter 1s fall 2 rise 2 check-ssl verify required ca-file /etc/haproxy/es-ca.crt", backend);
    }

    /// <summary>
    /// The application pool: the public port to the region's own servers on the application port, a plain-HTTP check
    /// of the health path at the Elasticsearch checks' rhythm, and only the application's clients admitted.
    /// </summary>
    [Fact]
    public void Render_Application_PassesThePublicPortToTheServersWithAnHttpCheck()
    {
        var config = HaproxyConfig.Render(Haproxy("with application", "/ca.crt"));

        Assert.Equal(
            ["option tcplog", "bind :80", "tcp-request connection reject unless { src 0.0.0.0/0 }", "default_backend app"],
            Section(config, "frontend app"));
        Assert.Equal(
            [
                "balance leastconn", "option httpchk GET /healthz?deep=1", "http-check expect status 200", "default-server inter 1s fall 2 rise 2",
                "server fra-app-1 10.0.0.21:8080 check", "server fra-app-2 10.0.0.22:8080 check",
            ],
            Section(config, "backend app"));
        Assert.DoesNotContain("frontend app", HaproxyConfig.Render(Haproxy("source filtered", "/ca.crt")), StringComparison.Ordinal);
    }

    /// <summary>
    /// The database passthrough: plain TCP to the host's private address (MySQL's TLS is not terminated), no check
    /// (MySQL would count the checks as connection errors and block the VM), only the listed sources admitted.
    /// </summary>
    [Fact]
    public void Render_Database_PassesTcpToTheHostFromTheSourcesOnly()
    {
        var config = HaproxyConfig.Render(Haproxy("with database", "/ca.crt"));

        Assert.Equal(
            ["option tcplog", "bind :3306", "tcp-request connection reject unless { src 198.51.100.7/32 203.0.113.9/32 }", "default_backend mysql"],
            Section(config, "frontend mysql"));
        Assert.Equal(["server fra-db 10.0.0.6:3306"], Section(config, "backend mysql"));
        Assert.Contains("tcp-request connection reject", Section(HaproxyConfig.Render(Haproxy("database closed", "/ca.crt")), "frontend mysql"));
        Assert.DoesNotContain("mysql", HaproxyConfig.Render(Haproxy("with application", "/ca.crt")), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DatabaseServerNameWithABlank_IsRefused() =>
        Assert.Throws<ArgumentException>(() => HaproxyConfig.Render(Haproxy("with database", "/ca.crt") with
        {
            Database = new(3306, "fra db", "10.0.0.6", []),
        }));

    [Theory]
    [InlineData("/health z")]
    [InlineData("healthz")]
    public void Render_ApplicationHealthPathThatIsNotOnePath_IsRefused(string path) =>
        Assert.Throws<ArgumentException>(() => HaproxyConfig.Render(Haproxy("with application", "/ca.crt") with
        {
            Application = Haproxy("with application", "/ca.crt").Application! with { HealthPath = path },
        }));

    [Fact]
    public void Render_WithSources_RefusesEveryoneElseBeforeReadingAByte()
    {
        var config = HaproxyConfig.Render(Haproxy("source filtered", "/ca.crt"));

        Assert.Contains("tcp-request connection reject unless { src 10.0.0.0/24 198.51.100.0/24 203.0.113.7/32 }", Section(config, "frontend es_http"));
        Assert.Contains("tcp-request connection reject unless { src 203.0.113.7/32 }", Section(config, "frontend es_transport"));
    }

    [Fact]
    public void Render_WithNoAllowedSource_RefusesEveryone()
    {
        var config = HaproxyConfig.Render(Haproxy("transport closed", "/ca.crt"));

        Assert.Contains("tcp-request connection reject", Section(config, "frontend es_transport"));
    }

    [Fact]
    public void Render_WithoutSources_LeavesFilteringToTheCloudFirewall() =>
        Assert.DoesNotContain("tcp-request connection reject", HaproxyConfig.Render(Haproxy("transport proxy", "/ca.crt")), StringComparison.Ordinal);

    [Fact]
    public void Render_PrimariesOnly_PassesTlsThroughToEachNode()
    {
        var config = HaproxyConfig.Render(Haproxy("primaries only", "/ca.crt"));

        Assert.Contains("bind :9200", Section(config, "frontend es_http"));
        Assert.Equal(
            [
                "server fra-es-1 10.0.0.11:9200 check port 9200",
                "server fra-es-2 10.0.0.12:9200 check port 9200",
                "server fra-es-3 10.0.0.13:9200 check port 9200",
            ],
            Section(config, "backend es_http").Where(l => l.StartsWith("server ", StringComparison.Ordinal)));
        Assert.Equal("mode tcp", Assert.Single(Lines(config), l => l.StartsWith("mode tcp", StringComparison.Ordinal)));
    }

    [Fact]
    public void Render_WithBackups_MarksStandbyNodesAsBackup()
    {
        var backend = Section(HaproxyConfig.Render(Haproxy("with backups", "/ca.crt")), "backend es_http");

        Assert.Contains("server ams-es-1 10.1.0.11:9200 check port 9200 backup", backend);
        Assert.Contains("server fra-es-1 10.0.0.11:9200 check port 9200", backend);
        Assert.Equal(3, backend.Count(l => l.EndsWith(" backup", StringComparison.Ordinal)));
    }

    [Fact]
    public void Render_WithoutTransportProxy_HasNoTransportFrontend()
    {
        var config = HaproxyConfig.Render(Haproxy("with backups", "/ca.crt"));

        Assert.DoesNotContain("es_transport", config, StringComparison.Ordinal);
        Assert.DoesNotContain("9300", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WithTransportProxy_PassesTransportThroughWhileCheckingHttp()
    {
        var config = HaproxyConfig.Render(Haproxy("backups and transport, custom ports", "/ca.crt"));

        Assert.Contains("bind :19300", Section(config, "frontend es_transport"));
        var backend = Section(config, "backend es_transport");
        Assert.Contains("server fra-es-1 10.0.0.11:19300 check port 9200", backend);
        Assert.Contains("server ams-es-1 10.1.0.11:19300 check port 9200 backup", backend);
        Assert.Contains("http-check expect status 200", backend);
    }

    [Fact]
    public void Render_Always_ServesTheVmHealthOnItsOwnPort()
    {
        var frontend = Section(HaproxyConfig.Render(Haproxy("backups and transport, custom ports", "/ca.crt")), "frontend vm_health");

        Assert.Equal(["mode http", "bind :18404", "monitor-uri /haproxy-health"], frontend);
    }

    [Fact]
    public void Render_NoServers_Throws() =>
        Assert.Throws<ArgumentException>(() => HaproxyConfig.Render(new HaproxyFrontendSettings([], "/ca.crt")));
}
