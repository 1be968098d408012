using System.Text.Json.Nodes;
using EsDr.Compiler;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>The offline main job: compile a stack file, validate it, show what would be deployed.</summary>
public class ShowCommandTests
{
    private static (int Exit, string Out, string Err) Show(string file, bool files = false, bool json = false)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = ShowCommand.Execute(new FileInfo(Path.Combine(Repository.Root, file)), files, json, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Show_DevStack_ListsRegionNodesEndpointAndResourcesByType()
    {
        var (exit, output, errors) = Show("Pulumi.dev.yaml");

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Contains("program valid against the provider schemas", output, StringComparison.Ordinal);
        Assert.Contains("Region fra: linode eu-central, active, generation 1", output, StringComparison.Ordinal);
        Assert.Contains("dev-fra-es-2", output, StringComparison.Ordinal);
        Assert.Contains("  database  dev-fra-db                   10.10.0.6        primary, server_id 1, g6-standard-1\n", output, StringComparison.Ordinal);
        Assert.Contains("  app       dev-fra-app-1                10.10.0.21       g6-nanode-1\n", output, StringComparison.Ordinal);
        Assert.Contains("endpoint  https://${fra-lb.ipv4}:9200", output, StringComparison.Ordinal);
        Assert.Contains("5 × linode:index/instance:Instance", output, StringComparison.Ordinal); // 3 nodes, the database host, 1 application server
    }

    [Fact]
    public void Show_ProdStackOffline_ListsTheMonitoringSiteApartFromTheRegions()
    {
        var (exit, output, errors) = Show("Pulumi.prod.yaml");

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Contains("Monitoring: linode nl-ams, network 10.90.0.0/24, host g6-standard-2; alerts to https://recovery.example.com:9095/alerts", output, StringComparison.Ordinal);
        var monitoring = output[output.IndexOf("Monitoring:", StringComparison.Ordinal)..output.IndexOf("Shared", StringComparison.Ordinal)];
        Assert.Contains("1 × linode:index/networkingIp:NetworkingIp", monitoring, StringComparison.Ordinal);
        Assert.Contains("1 × linode:index/instance:Instance", monitoring, StringComparison.Ordinal);
        Assert.DoesNotContain("networkingIp", output[output.IndexOf("Shared", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public void Show_WithFiles_PrintsEveryNodesRenderedElasticsearchYml()
    {
        var (exit, output, _) = Show("Pulumi.dev.yaml", files: true);

        Assert.Equal(0, exit);
        Assert.Equal(3, output.Split(": /etc/elasticsearch/elasticsearch.yml\n").Length - 1);
        Assert.Contains("cluster.initial_master_nodes:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_Json_DescribesEveryRegionForMachines()
    {
        var (exit, output, _) = Show("Pulumi.prod.yaml", json: true);

        var json = JsonNode.Parse(output)!;
        Assert.Equal(0, exit);
        Assert.True(json["valid"]!.GetValue<bool>());
        Assert.Equal(["fra", "dub"], json["regions"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal("10.20.64.12", json["regions"]![1]!["nodes"]![1]!["privateAddress"]!.GetValue<string>());
    }

    [Fact]
    public void Show_MissingFile_ExitsWithFileNotFound()
    {
        var (exit, output, errors) = Show("Pulumi.nope.yaml");

        Assert.Equal(4, exit);
        Assert.Equal("", output);
        Assert.Contains("does not exist", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_InvalidStack_ListsEveryProblemAndExitsOne()
    {
        using var dir = new TempStackDir("""
            config:
              es-dr:namePrefix: x
              es-dr:activeRegion: fra
              es-dr:elasticsearch: {version: 7.0.0}
              es-dr:ssh: {publicKeys: [], allowedCidrs: [10.0.0.0/8]}
              es-dr:regions:
                - {name: fra, cloud: linode, location: eu-central, state: active, network: {cidr: 10.1.0.0/24},
                   elasticsearch: {nodes: 4, size: g6-standard-4, volumeGb: 20}}
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = ShowCommand.Execute(new FileInfo(dir.StackFile), false, false, stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout.ToString());
        var errors = stderr.ToString();
        Assert.Contains("es-dr:elasticsearch.version: must be an exact Elasticsearch 9.x version such as 9.5.7, got '7.0.0'", errors, StringComparison.Ordinal);
        Assert.Contains("es-dr:ssh.publicKeys: must list at least one SSH public key", errors, StringComparison.Ordinal);
        Assert.Contains("es-dr:regions[0].elasticsearch.nodes: must be an odd number of at least 3, got 4", errors, StringComparison.Ordinal);
    }

    public static TheoryData<string> Stacks() => Repository.StackFileData();

    /// <summary>The command the README and <c>show</c> give for each program secret, fed through stdin.</summary>
    private static string SetCommand(string key, string target) => key switch
    {
        "deployKey" => $"pulumi config set --secret {target} deployKey < ~/.ssh/id_ed25519",
        "alertWebhookToken" => $"openssl rand -hex 32 | pulumi config set --secret {target} alertWebhookToken",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a program secret"),
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Show_ExampleStack_WorksOffline_AndSaysHowToSetEachSecretItsProgramNeeds(string file)
    {
        var stack = Repository.Load(file);
        var needed = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys)).Program.Config
            .Select(e => e.Key).ToList();
        // A stack file in the project directory is the stack's own; one elsewhere is used with --config-file.
        var target = file.StartsWith("stacks/", StringComparison.Ordinal) ? $"--config-file {file}" : $"-s {stack.Stack}";

        var (exit, output, errors) = Show(file);

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        foreach (var key in needed)
        {
            Assert.Contains($"es-dr:{key}  not set", output, StringComparison.Ordinal);
            Assert.Contains(SetCommand(key, target), output, StringComparison.Ordinal);
        }
        Assert.Equal(needed.Count > 0, output.Contains("\nSecrets", StringComparison.Ordinal));
    }

    [Fact]
    public void Show_SecretStoredInPlainText_WarnsWithTheCommandThatStoresItEncrypted_NeverPrintingIt()
    {
        using var dir = new TempStackDir(MonitoredStack("es-dr:alertWebhookToken: plain-token-4711"), "ops");

        var (exit, output, errors) = ShowFile(dir.StackFile);

        Assert.Equal(0, exit);
        Assert.Contains("es-dr:alertWebhookToken  stored in plain text", output, StringComparison.Ordinal);
        Assert.Contains("warning: es-dr:alertWebhookToken is stored in plain text in Pulumi.ops.yaml", errors, StringComparison.Ordinal);
        Assert.Contains(SetCommand("alertWebhookToken", "-s ops"), errors, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-token-4711", output + errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_SecretStoredEncrypted_IsListedAsSet()
    {
        using var dir = new TempStackDir(MonitoredStack("es-dr:alertWebhookToken:\n    secure: v1:c2FsdA==:Y2lwaGVy"), "ops");

        var (exit, output, errors) = ShowFile(dir.StackFile);

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Contains("es-dr:alertWebhookToken  set", output, StringComparison.Ordinal);
        Assert.DoesNotContain("pulumi config set", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_Json_ListsTheSecretsWithTheirStateAndCommand()
    {
        var (exit, output, _) = Show("stacks/Pulumi.ovh-haproxy.yaml", json: true);

        var secrets = JsonNode.Parse(output)!["secrets"]!.AsArray();
        Assert.Equal(0, exit);
        Assert.Equal(["es-dr:deployKey", "es-dr:alertWebhookToken"], secrets.Select(s => s!["key"]!.GetValue<string>()));
        Assert.All(secrets, s => Assert.Equal("notSet", s!["state"]!.GetValue<string>()));
        Assert.Equal(SetCommand("deployKey", "--config-file stacks/Pulumi.ovh-haproxy.yaml"), secrets[0]!["setCommand"]!.GetValue<string>());
    }

    /// <summary>The prod stack (monitoring included) with <paramref name="tokenEntry"/> added to its config.</summary>
    private static string MonitoredStack(string tokenEntry) =>
        File.ReadAllText(Path.Combine(Repository.Root, "Pulumi.prod.yaml")).Replace("config:\n", $"config:\n  {tokenEntry}\n", StringComparison.Ordinal);

    private static (int Exit, string Out, string Err) ShowFile(string path)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = ShowCommand.Execute(new FileInfo(path), false, false, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Show_UserDataTooLargeForItsCloud_NamesEachVmItsBoundAndTheLimitAndExitsOne()
    {
        var stack = File.ReadAllText(Path.Combine(Repository.Root, "stacks/Pulumi.aws.yaml"));
        using var dir = new TempStackDir(stack.Replace(
            "  es-dr:application:\n", $"  es-dr:application:\n    cloudConfig:\n      runcmd: [\"echo {new string('x', 16_000)}\"]\n", StringComparison.Ordinal));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = ShowCommand.Execute(new FileInfo(dir.StackFile), false, false, stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Contains(
            "  usw2-app-1: user-data can reach 19782 bytes once Pulumi fills in what is known only at deploy time, over AWS's limit of 16384 bytes (raw, before base64), even with its files known at compile time written compressed\n",
            stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Show_AwsStack_NamesTheFullestUserDataAndWhatWasCompressedToFit()
    {
        var (exit, output, _) = Show("stacks/Pulumi.aws.yaml");

        Assert.Equal(0, exit);
        Assert.Contains(
            "User-data fits on all 14 VMs; the fullest, monitoring-host, can reach 14149 bytes once deployed, within AWS's limit of 16384 bytes (raw, before base64)\n" +
            "  files known at compile time written compressed (gz+b64) to fit: monitoring-host\n",
            output, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_Json_GivesEveryVmsUserDataBoundAndLimit()
    {
        var (_, output, _) = Show("stacks/Pulumi.ovh-haproxy.yaml", json: true);

        var vms = JsonNode.Parse(output)!["userData"]!.AsArray();
        Assert.Equal(14, vms.Count);
        Assert.All(vms, v => Assert.True(v!["bytes"]!.GetValue<long>() < v["limitBytes"]!.GetValue<int>()));
        var gateway = vms.Single(v => v!["vm"]!.GetValue<string>() == "gra-lb")!;
        Assert.Equal(("OVH", "base64", false), (gateway["cloud"]!.GetValue<string>(), gateway["counted"]!.GetValue<string>(), gateway["compressed"]!.GetValue<bool>()));
    }

    [Fact]
    public void Show_WithFiles_PrintsTheFilesCompressedInUserDataAsText()
    {
        var (exit, output, _) = Show("stacks/Pulumi.aws.yaml", files: true);

        Assert.Equal(0, exit);
        Assert.Contains("──── monitoring / acme-monitoring: /etc/prometheus/esdr-rules.yml (in user-data as gz+b64)\ngroups:\n", output, StringComparison.Ordinal);
        Assert.Contains("alert: \"ElasticsearchClusterRed\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_PrintsExactlyTheProgramPulumiReceives()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = EmitCommand.Execute(new FileInfo(Path.Combine(Repository.Root, "Pulumi.dev.yaml")), stdout, stderr);

        Assert.Equal(0, exit);
        Assert.StartsWith("name: es-dr\nruntime: yaml\n", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stderr.ToString());
    }

    /// <summary>A throwaway project directory holding one stack file.</summary>
    private sealed class TempStackDir : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("esdr-show-").FullName;

        public TempStackDir(string stackYaml, string stack = "bad")
        {
            File.WriteAllText(Path.Combine(_dir, "Pulumi.yaml"), "name: es-dr\nruntime: yaml\n");
            StackFile = Path.Combine(_dir, $"Pulumi.{stack}.yaml");
            File.WriteAllText(StackFile, stackYaml);
        }

        public string StackFile { get; }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }
}
