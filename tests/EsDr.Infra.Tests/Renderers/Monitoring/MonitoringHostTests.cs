using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Monitoring;
using YamlDotNet.Serialization;
using static EsDr.Infra.Tests.Renderers.Monitoring.MonitoringSamples;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

/// <summary>
/// The monitoring host's user-data, checked the way the host itself would: the files are taken out of the
/// rendered cloud-config and handed to the real cloud-init, promtool and amtool.
/// </summary>
public class MonitoringHostTests
{
    private const string Password = "Mon1torPassw0rdOnlyInTheEnvFile";

    internal static MonitoringHostSettings Settings(params MonitoredDatabaseHost[] databases) => new(
        [
            new(new MonitoredCluster("fra", "shop-fra", 9120, 3), "shop-fra", "203.0.113.10", 9200, "esdr_monitor", Password),
            new(new MonitoredCluster("dub", "shop-dub", 9121, 5), "shop-dub", "dub-lb-123.elb.eu-west-1.amazonaws.com", 9200, "esdr_monitor", Password + "2"),
        ],
        databases,
        Thresholds(),
        "https://recovery.example.com/alerts",
        BearerToken,
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
        ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"]);

    /// <summary>write_files of a cloud-config, by path (content as written, decompressed as cloud-init does; owner, permissions).</summary>
    internal static Dictionary<string, Dictionary<object, object>> WrittenFiles(string userData)
    {
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(userData.Replace("#cloud-config\n", "", StringComparison.Ordinal));
        var files = ((List<object>)root["write_files"]).Cast<Dictionary<object, object>>().ToDictionary(f => (string)f["path"]);
        foreach (var file in files.Values.Where(f => f.TryGetValue("encoding", out var e) && (string)e == CloudConfigCompression.Encoding))
            file["content"] = CloudConfigCompression.Decompress((string)file["content"]);
        return files;
    }

    internal static List<string> Packages(string userData) =>
        ((List<object>)new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(userData)["packages"]).Cast<string>().ToList();

    /// <summary>
    /// Writes the monitoring configs the user-data carries into <paramref name="dir"/> (the token file's path
    /// in alertmanager.yml moved there too) and runs promtool and amtool on them, as the host's runcmd does.
    /// </summary>
    internal static async Task AssertToolsAcceptTheWrittenConfigs(string userData, TempDir dir)
    {
        var files = WrittenFiles(userData);
        string Content(string path) => (string)files[path]["content"];
        var prometheus = dir.Write("prometheus.yml", Content(MonitoringHost.PrometheusConfigFile));
        var rules = dir.Write(MonitoringHost.RulesFileName, Content(MonitoringHost.RulesFile));
        var token = dir.Write("alertmanager-webhook.token", Content(MonitoringHost.TokenFile));
        var alertmanager = dir.Write("alertmanager.yml", Content(MonitoringHost.AlertmanagerConfigFile).Replace(MonitoringHost.TokenFile, token, StringComparison.Ordinal));

        var config = await RealTool.RunAsync("promtool", "check", "config", prometheus);
        Assert.True(config.ExitCode == 0, config.Output);
        Assert.Contains("SUCCESS: 1 rule files found", config.Output, StringComparison.Ordinal);
        var checkedRules = await RealTool.RunAsync("promtool", "check", "rules", rules);
        Assert.True(checkedRules.ExitCode == 0, checkedRules.Output);
        var am = await RealTool.RunAsync("amtool", "check-config", alertmanager);
        Assert.True(am.ExitCode == 0, am.Output);
    }

    [Fact]
    public async Task RenderMonitoringHost_PassesCloudInitSchema()
    {
        using var dir = new TempDir();
        var file = dir.Write("user-data.yaml", CloudInit.RenderMonitoringHost(Settings()));

        var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Valid cloud-config", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderMonitoringHost_WrittenConfigs_PassPromtoolAndAmtool()
    {
        using var dir = new TempDir();

        await AssertToolsAcceptTheWrittenConfigs(CloudInit.RenderMonitoringHost(Settings()), dir);
    }

    [Fact]
    public void RenderMonitoringHost_TokenFile_IsTheOnlyPlaceTheTokenIsAndOnlyAlertmanagerReadsIt()
    {
        var userData = CloudInit.RenderMonitoringHost(Settings());
        var files = WrittenFiles(userData);

        var token = files[MonitoringHost.TokenFile];
        Assert.Equal("0600", token["permissions"]);
        Assert.Equal(MonitoringHost.ServiceOwner, token["owner"]);
        Assert.Equal(BearerToken + "\n", token["content"]);
        Assert.Single(files.Values, f => ((string)f["content"]).Contains(BearerToken, StringComparison.Ordinal));
        Assert.Contains($"credentials_file: \"{MonitoringHost.TokenFile}\"", (string)files[MonitoringHost.AlertmanagerConfigFile]["content"], StringComparison.Ordinal);
    }

    [Fact]
    public void RenderMonitoringHost_OneExporterPerCluster_OnItsOwnLoopbackPortWithTheEndpointAndNoPasswordInTheUnit()
    {
        var files = WrittenFiles(CloudInit.RenderMonitoringHost(Settings()));

        var fra = (string)files["/etc/systemd/system/esdr-es-exporter-fra.service"]["content"];
        var dub = (string)files["/etc/systemd/system/esdr-es-exporter-dub.service"]["content"];
        Assert.Contains("--web.listen-address=127.0.0.1:9120 --es.uri=https://shop-fra:9200 --es.ca=/etc/esdr/es-ca.crt", fra, StringComparison.Ordinal);
        Assert.Contains("--web.listen-address=127.0.0.1:9121 --es.uri=https://shop-dub:9200 ", dub, StringComparison.Ordinal);
        Assert.Contains("User=prometheus", fra, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, fra + dub, StringComparison.Ordinal);

        var env = files["/etc/esdr/es-exporter-fra.env"];
        Assert.Equal("0600", env["permissions"]);
        Assert.Equal("root:root", env["owner"]);
        Assert.Equal($"ES_USERNAME=esdr_monitor\nES_PASSWORD={Password}\n", env["content"]);
    }

    [Fact]
    public void RenderMonitoringHost_EndpointNames_MapToTheirAddressesAndDnsNamesAreResolvedEachTime()
    {
        var script = (string)WrittenFiles(CloudInit.RenderMonitoringHost(Settings()))[MonitoringHost.ResolveScript]["content"];

        Assert.Contains("ip=$(resolve '203.0.113.10') && [ -n \"$ip\" ] && echo \"$ip shop-fra # esdr-endpoint\" >> \"$tmp\"", script, StringComparison.Ordinal);
        Assert.Contains("ip=$(resolve 'dub-lb-123.elb.eu-west-1.amazonaws.com') && [ -n \"$ip\" ] && echo \"$ip shop-dub # esdr-endpoint\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveScript_RunByShell_KeepsOtherHostsLinesAndReplacesItsOwn()
    {
        using var dir = new TempDir();
        var hosts = dir.Write("hosts", "127.0.0.1 localhost\n198.51.100.1 shop-fra # esdr-endpoint\n");
        var script = MonitoringHost.ResolveEndpoints([("203.0.113.10", "shop-fra")]).Replace("/etc/hosts", hosts, StringComparison.Ordinal);
        var file = dir.Write("resolve.sh", script);

        var (exitCode, output) = await RealTool.RunAsync("sh", file);

        Assert.True(exitCode == 0, output);
        Assert.Equal("127.0.0.1 localhost\n203.0.113.10 shop-fra # esdr-endpoint\n", File.ReadAllText(hosts));
    }

    [Fact]
    public void RenderMonitoringHost_Probes_AskEachEndpointTheBalancersHealthQuestion()
    {
        var prometheus = (string)WrittenFiles(CloudInit.RenderMonitoringHost(Settings()))[MonitoringHost.PrometheusConfigFile]["content"];

        Assert.Contains("https://shop-fra:9200/_cluster/health?wait_for_status=yellow&timeout=1s", prometheus, StringComparison.Ordinal);
        Assert.Contains("https://shop-dub:9200/_cluster/health?wait_for_status=yellow&timeout=1s", prometheus, StringComparison.Ordinal);
        Assert.Contains($"- \"{MonitoringHost.RulesFileName}\"", prometheus, StringComparison.Ordinal);
    }

    private const string DbPassword = "Db!%*()-_=+[]{}<>:?Mon1tor";

    private static MonitoredDatabaseHost Database(string region, DatabaseRole role, int exporterPort) =>
        new(region, role, $"shop-{region}-db", $"198.51.100.{exporterPort - 9100}", 3306, exporterPort, "esdr_monitor", DbPassword + region);

    [Fact]
    public void RenderMonitoringHost_MysqldExporter_IsInstalledOnlyWhenThereAreDatabases()
    {
        var without = CloudInit.RenderMonitoringHost(Settings());
        Assert.DoesNotContain("prometheus-mysqld-exporter", Packages(without));
        Assert.DoesNotContain(WrittenFiles(without).Keys, k => k.Contains("mysqld", StringComparison.Ordinal));

        var withDatabase = CloudInit.RenderMonitoringHost(Settings(Database("fra", DatabaseRole.Primary, 9140)));

        Assert.Contains("prometheus-mysqld-exporter", Packages(withDatabase));
        Assert.Contains("127.0.0.1:9140", (string)WrittenFiles(withDatabase)[MonitoringHost.PrometheusConfigFile]["content"], StringComparison.Ordinal);
    }

    /// <summary>
    /// One exporter unit per database on its own loopback port, its login in a 0600 option file owned by the
    /// service user (never on the command line), TLS against the stack CA by the name the database certificate
    /// carries, which the resolve script maps to the host's address; the packaged instance is turned off.
    /// </summary>
    [Fact]
    public void RenderMonitoringHost_EachDatabase_GetsItsOwnExporterWithItsLoginInA0600File()
    {
        var settings = Settings(Database("fra", DatabaseRole.Primary, 9140), Database("dub", DatabaseRole.Replica, 9141));
        var userData = CloudInit.RenderMonitoringHost(settings);
        var files = WrittenFiles(userData);

        foreach (var (region, port) in new[] { ("fra", 9140), ("dub", 9141) })
        {
            var cnf = files[$"/etc/esdr/mysqld-exporter-{region}.cnf"];
            Assert.Equal(
                $"[client]\nuser=esdr_monitor\npassword={DbPassword}{region}\nhost=shop-{region}-db\nport=3306\nssl-ca={MonitoringHost.CaFile}\n",
                cnf["content"]);
            Assert.Equal(("prometheus:prometheus", "0600"), ((string)cnf["owner"], (string)cnf["permissions"]));
            var unit = (string)files[$"/etc/systemd/system/esdr-mysqld-exporter-{region}.service"]["content"];
            Assert.Contains(
                $"ExecStart=/usr/bin/prometheus-mysqld-exporter --web.listen-address=127.0.0.1:{port} --config.my-cnf=/etc/esdr/mysqld-exporter-{region}.cnf\n",
                unit, StringComparison.Ordinal);
            Assert.DoesNotContain(DbPassword, unit, StringComparison.Ordinal);
        }
        var script = (string)files[MonitoringHost.ResolveScript]["content"];
        Assert.Contains("ip=$(resolve '198.51.100.41') && [ -n \"$ip\" ] && echo \"$ip shop-dub-db # esdr-endpoint\"", script, StringComparison.Ordinal);
        var commands = MonitoringHost.Commands(settings);
        Assert.Contains("systemctl disable --now prometheus-elasticsearch-exporter.service prometheus-mysqld-exporter.service", commands);
        Assert.Contains(commands, c => c.StartsWith("systemctl enable --now", StringComparison.Ordinal)
            && c.EndsWith("esdr-mysqld-exporter-fra.service esdr-mysqld-exporter-dub.service", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.Contains(DbPassword, StringComparison.Ordinal));
    }

    /// <summary>The scrape targets carry the labels the MySQL alerts report (region) and the role at build time.</summary>
    [Fact]
    public async Task RenderMonitoringHost_DatabaseTargets_CarryRegionAndRole_AndPassPromtool()
    {
        var userData = CloudInit.RenderMonitoringHost(Settings(Database("fra", DatabaseRole.Primary, 9140), Database("dub", DatabaseRole.Replica, 9141)));
        Assert.Equal(["127.0.0.1:9140 region=fra,role=primary", "127.0.0.1:9141 region=dub,role=replica"], MysqldTargets(userData));
        using var dir = new TempDir();
        await AssertToolsAcceptTheWrittenConfigs(userData, dir);
    }

    /// <summary>The mysqld job's target groups in the prometheus.yml the user-data writes, as "target label=value,…".</summary>
    internal static List<string> MysqldTargets(string userData)
    {
        var prometheus = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(
            (string)WrittenFiles(userData)[MonitoringHost.PrometheusConfigFile]["content"]);
        var job = ((List<object>)prometheus["scrape_configs"]).Cast<Dictionary<object, object>>().Single(j => (string)j["job_name"] == MonitoringLabels.MysqldJob);
        return (job.TryGetValue("static_configs", out var groups) ? (List<object>)groups : []).Cast<Dictionary<object, object>>()
            .Select(g => $"{((List<object>)g["targets"]).Single()} {string.Join(",", ((Dictionary<object, object>)g["labels"]).Select(l => $"{l.Key}={l.Value}"))}")
            .ToList();
    }

    [Fact]
    public void RenderMonitoringHost_ExporterPortUsedTwice_IsRefused() =>
        Assert.Throws<ArgumentException>(() => MonitoringHost.Files(Settings(Database("fra", DatabaseRole.Primary, 9120))));

    [Fact]
    public void RenderMonitoringHost_MultiLinePassword_IsRefused() =>
        Assert.Throws<ArgumentException>(() => MonitoringHost.Files(Settings() with
        {
            Clusters = [Settings().Clusters[0] with { MonitorPassword = "a\nb" }],
        }));

    [Fact]
    public void RenderMonitoringHost_MultiLineDatabasePassword_IsRefused() =>
        Assert.Throws<ArgumentException>(() => MonitoringHost.Files(Settings(Database("fra", DatabaseRole.Primary, 9140) with { MonitorPassword = "a\nb" })));
}
