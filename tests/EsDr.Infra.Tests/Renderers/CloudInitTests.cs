using System.Text;
using EsDr.Infra.Renderers;
using YamlDotNet.Serialization;
using static EsDr.Infra.Tests.Renderers.RendererSamples;

namespace EsDr.Infra.Tests.Renderers;

public class CloudInitTests
{
    public static TheoryData<string> AllUserDataRows => new() { "new cluster", "replacement", "extras", "pulumi references" };

    private static Dictionary<string, object> Parse(string userData) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(userData);

    private static List<Dictionary<object, object>> WriteFiles(string userData) =>
        ((List<object>)Parse(userData)["write_files"]).Cast<Dictionary<object, object>>().ToList();

    private static Dictionary<object, object> FileAt(string userData, string path) =>
        Assert.Single(WriteFiles(userData), f => (string)f["path"] == path);

    private static List<string> RunCommands(string userData) =>
        ((List<object>)Parse(userData)["runcmd"]).Cast<string>().ToList();

    private static async Task AssertValidCloudConfig(string userData)
    {
        using var dir = new TempDir();
        var file = dir.Write("user-data.yaml", userData);

        var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", file);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Valid cloud-config", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllUserDataRows))]
    public async Task Render_EveryRow_PassesCloudInitSchema(string row) =>
        await AssertValidCloudConfig(CloudInit.Render(UserData(row)));

    [Theory]
    [MemberData(nameof(HaproxyRows), MemberType = typeof(RendererSamples))]
    public async Task RenderHaproxyHost_EveryRow_PassesCloudInitSchema(string row) =>
        await AssertValidCloudConfig(CloudInit.RenderHaproxyHost(HaproxyHost(row)));

    [Theory]
    [MemberData(nameof(LiteralUserDataRows), MemberType = typeof(RendererSamples))]
    public void Render_LiteralInputs_NeverProducesPulumiInterpolation(string row)
    {
        Assert.DoesNotContain("${", CloudInit.Render(UserData(row)), StringComparison.Ordinal);
        Assert.DoesNotContain("${", CloudInit.RenderHaproxyHost(HaproxyHost("with backups")), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PulumiReferences_ArePlacedVerbatim()
    {
        var userData = CloudInit.Render(PulumiReferenceUserData());

        Assert.Equal("${ams-es-1-keyB64}", FileAt(userData, "/etc/elasticsearch/certs/node.key")["content"]);
        Assert.Contains(RunCommands(userData), c => c.Contains("'${esBootstrapPassword.result}'", StringComparison.Ordinal));
        Assert.Contains("- \"${ams-es-2.privateIp}\"", (string)FileAt(userData, "/etc/elasticsearch/elasticsearch.yml")["content"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllUserDataRows))]
    public void Render_EveryRow_WritesConfigAndCertificatesAfterPackageInstall(string row)
    {
        var input = UserData(row);

        var userData = CloudInit.Render(input);

        var expected = new (string Path, string Content, string? Encoding, string Mode)[]
        {
            ("/etc/elasticsearch/elasticsearch.yml", ElasticsearchYml.Render(input.Node), null, "0660"),
            ("/etc/elasticsearch/roles.yml", ElasticsearchRoles.Render(), null, "0660"),
            ("/etc/elasticsearch/jvm.options.d/heap.options", JvmHeap.RenderOptions(input.HeapGb), null, "0660"),
            ("/etc/elasticsearch/certs/ca.crt", input.CaCertificateBase64, "b64", "0644"),
            ("/etc/elasticsearch/certs/node.crt", input.NodeCertificateBase64, "b64", "0644"),
            ("/etc/elasticsearch/certs/node.key", input.NodeKeyBase64, "b64", "0640"),
        };
        foreach (var (path, content, encoding, mode) in expected)
        {
            var file = FileAt(userData, path);
            Assert.Equal(content, file["content"]);
            Assert.Equal("root:elasticsearch", file["owner"]);
            Assert.Equal(mode, file["permissions"]);
            Assert.Equal("true", file["defer"]);
            Assert.Equal(encoding, file.TryGetValue("encoding", out var e) ? e : null);
        }
    }

    [Fact]
    public void Render_CertificatesFromBase64_DecodeToThePemText()
    {
        var userData = CloudInit.Render(NewClusterUserData());

        var key = (string)FileAt(userData, "/etc/elasticsearch/certs/node.key")["content"];
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", Encoding.UTF8.GetString(Convert.FromBase64String(key)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9.0.0")]
    [InlineData("9.5.7")]
    public void Render_Version_PinsThePackageFromElastics9xRepository(string version)
    {
        var config = Parse(CloudInit.Render(NewClusterUserData() with { Version = version }));

        var apt = (Dictionary<object, object>)config["apt"];
        var source = (Dictionary<object, object>)((Dictionary<object, object>)apt["sources"])["elastic"];
        Assert.Equal("deb [signed-by=$KEY_FILE] https://artifacts.elastic.co/packages/9.x/apt stable main", source["source"]);
        Assert.Equal("46095ACC8548582C1A2699A9D27D666CD88E42B4", source["keyid"]);
        Assert.Equal([$"elasticsearch={version}"], (List<object>)config["packages"]);
    }

    [Theory]
    [InlineData("8")]
    [InlineData("latest")]
    [InlineData("")]
    [InlineData("9.5")]
    [InlineData("8.19.5")]
    [InlineData("10.0.0")]
    public void Render_VersionNotAnExact9xRelease_Throws(string version) =>
        Assert.Throws<ArgumentException>(() => CloudInit.Render(NewClusterUserData() with { Version = version }));

    [Fact]
    public void Render_WithVolume_FormatsAndMountsItAtTheDataPath()
    {
        var input = NewClusterUserData();

        var config = Parse(CloudInit.Render(input));

        var fileSystem = (Dictionary<object, object>)Assert.Single((List<object>)config["fs_setup"]);
        Assert.Equal(input.DataVolumeDevice, fileSystem["device"]);
        Assert.Equal("ext4", fileSystem["filesystem"]);
        var mount = (List<object>)Assert.Single((List<object>)config["mounts"]);
        Assert.Equal(input.DataVolumeDevice, mount[0]);
        Assert.Equal(input.Node.DataPath, mount[1]);
    }

    [Fact]
    public void Render_WithVolume_NeverReformatsAnExistingFileSystem()
    {
        var config = Parse(CloudInit.Render(NewClusterUserData()));

        var fileSystem = (Dictionary<object, object>)Assert.Single((List<object>)config["fs_setup"]);
        Assert.Equal("auto", fileSystem["partition"]);
        Assert.DoesNotContain("overwrite", fileSystem.Keys);
    }

    [Fact]
    public void Render_WithVolume_WaitsForALateAttachmentBeforeFormatting()
    {
        var input = NewClusterUserData();

        var bootcmd = (List<object>)Parse(CloudInit.Render(input))["bootcmd"];

        Assert.Contains($"[ -b {input.DataVolumeDevice} ]", (string)bootcmd[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AnyNode_InstallsGpgBeforeTheAptModuleFetchesElasticsKey()
    {
        var bootcmd = (List<object>)Parse(CloudInit.Render(ReplacementUserData()))["bootcmd"];

        // Debian's cloud images lack gpg and dirmngr; without them the key fetch and the repository fail.
        Assert.Contains("apt-get install -y -qq gpg dirmngr", (string)Assert.Single(bootcmd), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_VolumeDeviceWithADot_Throws() =>
        Assert.Throws<ArgumentException>(() => CloudInit.Render(NewClusterUserData() with { DataVolumeDevice = "/dev/disk/by-id/vol.1" }));

    [Fact]
    public void Render_WithoutVolume_LeavesDisksAlone()
    {
        var config = Parse(CloudInit.Render(ReplacementUserData()));

        Assert.DoesNotContain("fs_setup", config.Keys);
        Assert.DoesNotContain("mounts", config.Keys);
    }

    [Fact]
    public void Render_BootstrapPassword_ReachesTheKeystoreOnStdinBeforeStart()
    {
        var commands = RunCommands(CloudInit.Render(NewClusterUserData()));

        var keystore = commands.FindIndex(c => c.StartsWith("printf '%s' 'Xk2pQ9vL7mN4rT8w' | ", StringComparison.Ordinal)
            && c.EndsWith("elasticsearch-keystore add -f -x bootstrap.password", StringComparison.Ordinal));
        var start = commands.IndexOf("systemctl enable --now elasticsearch.service");
        Assert.InRange(keystore, 0, start - 1);
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("say \"hi\"")]
    [InlineData("back\\slash")]
    [InlineData("two\nlines")]
    public void Render_PasswordThatWouldBreakQuoting_Throws(string password) =>
        Assert.Throws<ArgumentException>(() => CloudInit.Render(NewClusterUserData() with { BootstrapPassword = password }));

    [Fact]
    public void Render_Always_RaisesMaxMapCountAndAuthorizesSshKeys()
    {
        var input = NewClusterUserData();
        var userData = CloudInit.Render(input);

        Assert.Equal("vm.max_map_count=262144\n", FileAt(userData, "/etc/sysctl.d/90-elasticsearch.conf")["content"]);
        Assert.Contains("sysctl -p /etc/sysctl.d/90-elasticsearch.conf", RunCommands(userData));
        Assert.Equal(input.SshAuthorizedKeys, (List<object>)Parse(userData)["ssh_authorized_keys"]);
    }

    [Fact]
    public void Render_ExtraFilesAndCommands_ComeAfterTheBuiltInOnes()
    {
        var input = ExtrasUserData();

        var userData = CloudInit.Render(input);

        var files = WriteFiles(userData);
        Assert.Equal(input.ExtraFiles.Select(f => f.Path), files.TakeLast(2).Select(f => (string)f["path"]));
        var script = FileAt(userData, "/usr/local/bin/es-ready");
        Assert.Equal(input.ExtraFiles[1].Content, script["content"]);
        Assert.Equal("0755", script["permissions"]);
        Assert.Equal(input.ExtraRunCommands, RunCommands(userData).TakeLast(1));
    }

    [Fact]
    public void RenderHaproxyHost_WritesTheRenderedConfigAndValidatesItBeforeReload()
    {
        var host = HaproxyHost("with backups");

        var userData = CloudInit.RenderHaproxyHost(host);

        Assert.Equal(HaproxyConfig.Render(host.Frontend), FileAt(userData, "/etc/haproxy/haproxy.cfg")["content"]);
        var ca = FileAt(userData, host.Frontend.CaFilePath);
        Assert.Equal("b64", ca["encoding"]);
        Assert.Equal(host.CaCertificateBase64, ca["content"]);
        Assert.Equal(["haproxy"], (List<object>)Parse(userData)["packages"]);
        Assert.Contains("haproxy -c -f /etc/haproxy/haproxy.cfg && systemctl reload-or-restart haproxy", RunCommands(userData));
    }

    [Fact]
    public async Task RenderHaproxyHost_WithSshSources_FiltersSshOnTheHostAndPassesSchema()
    {
        var host = HaproxyHost("source filtered") with { SshSources = ["10.60.0.0/24", "203.0.113.0/24"] };

        var userData = CloudInit.RenderHaproxyHost(host);

        await AssertValidCloudConfig(userData);
        Assert.Equal(NftablesRules.SshOnlyFrom(["10.60.0.0/24", "203.0.113.0/24"]), FileAt(userData, "/etc/nftables.conf")["content"]);
        Assert.Equal(["haproxy", "nftables"], (List<object>)Parse(userData)["packages"]);
        Assert.Equal("nft -c -f /etc/nftables.conf && systemctl enable nftables && systemctl restart nftables", RunCommands(userData)[0]);
    }

    private static HaproxyUserData HaproxyHost(string row) => new(
        Haproxy(row, "/etc/haproxy/es-ca.crt"),
        B64(ThrowawayCaPem()),
        ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtq9Vq8bYb0m7r8m6c1VYg2rQ0s2ePpQz5X5o9xDk3A ops@example"]);
}
