using EsDr.Compiler;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>The compiler started exactly as Pulumi starts it: the command from Pulumi.yaml, in the project directory.</summary>
public class PulumiInvocationTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    private static YamlMappingNode ParseProgram(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Run_WithTheStacksVariables_PrintsTheProgramAndNothingElse(string file)
    {
        var stack = Repository.Load(file);
        var config = Repository.WithSecretSentinels(stack);

        var result = PulumiLikeRunner.RunForStack(stack.Stack, config, stack.SecretKeys);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var expected = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, config, stack.SecretKeys)).Yaml;
        Assert.Equal(expected, result.Stdout);
        Assert.DoesNotContain("SENTINEL-SECRET-", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Run_StackFileAsItIs_WithoutItsSecrets_PrintsTheProgramDeclaringThem(string file)
    {
        // What the team's compile_stack.py does; Pulumi itself then stops on each unset declared secret.
        var stack = Repository.Load(file);

        var result = PulumiLikeRunner.RunForStack(stack.Stack, stack.Config.ToDictionary(kv => kv.Key, kv => kv.Value));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var expected = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config)).Yaml;
        Assert.Equal(expected, result.Stdout);
    }

    [Fact]
    public void Run_WithoutSecretKeysVariable_StackSettingTheDeployKey_Compiles()
    {
        // As Pulumi's YAML host may run it: PULUMI_CONFIG only, no list of which keys are secret.
        var stack = Repository.Load("stacks/Pulumi.linode-python-app.yaml");

        var result = PulumiLikeRunner.RunForStack(stack.Stack, Repository.WithSecretSentinels(stack));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("privateKey: ${deployKey-secret}", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SENTINEL-SECRET-", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The CLI environments a plugin-list call meets: bare, and what real deployments carry.</summary>
    public static TheoryData<string> CliEnvironments() => new(CliEnvironment.Keys);

    private static readonly Dictionary<string, IReadOnlyDictionary<string, string>> CliEnvironment = new()
    {
        ["none"] = new Dictionary<string, string>(),
        ["local backend passphrase"] = new Dictionary<string, string> { ["PULUMI_CONFIG_PASSPHRASE"] = "p" },
        ["ci workflow"] = new Dictionary<string, string> { ["PULUMI_BACKEND_URL"] = "s3://state", ["PULUMI_CONFIG_PASSPHRASE"] = "p" },
        ["pulumi cloud"] = new Dictionary<string, string> { ["PULUMI_ACCESS_TOKEN"] = "pul-x", ["PULUMI_HOME"] = "/tmp/pulumi-home" },
        ["deploying shell"] = PulumiLikeRunner.DeployingShell,
    };

    [Theory]
    [MemberData(nameof(CliEnvironments))]
    public void ListPlugins_WithTheClisEnvironment_NamesEveryProviderPackageAtItsPinnedVersionAndSource(string environment)
    {
        var result = PulumiLikeRunner.ListPlugins(CliEnvironment[environment]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var resources = (YamlMappingNode)ParseProgram(result.Stdout)["resources"];
        var declared = resources.Children.Values.Cast<YamlMappingNode>()
            .ToDictionary(r => ((YamlScalarNode)r["type"]).Value!, r => (YamlMappingNode)r["options"]);
        foreach (var (package, version) in ProviderPackages.Versions)
        {
            var options = declared[$"pulumi:providers:{package}"];
            Assert.Equal(version, ((YamlScalarNode)options["version"]).Value);
            var source = options.Children.TryGetValue(new YamlScalarNode("pluginDownloadURL"), out var url) ? ((YamlScalarNode)url).Value : null;
            Assert.Equal(ProviderPackages.DownloadUrlOf(package), source);
        }
    }

    [Theory]
    [InlineData("PULUMI_STACK")]
    [InlineData("PULUMI_CONFIG")]
    public void ProgramCommand_WithAPerStackVariable_IsTheRunCall(string variable)
    {
        var environment = new Dictionary<string, string>(PulumiLikeRunner.DeployingShell) { [variable] = "x" };

        Assert.False(ProgramCommand.IsPluginListCall(environment));
        Assert.True(ProgramCommand.IsPluginListCall(PulumiLikeRunner.DeployingShell));
    }

    [Fact]
    public void Run_WithInvalidConfig_ExitsNonZeroWithNothingOnStdout()
    {
        var config = TestConfig.TwoRegions().With("regions", "[1].elasticsearch.nodes", 4);

        var result = PulumiLikeRunner.RunForStack("broken", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("es-dr:regions[1].elasticsearch.nodes: must be an odd number of at least 3, got 4", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithUserDataTooLargeForItsCloud_ExitsOneNamingTheVmWithNothingOnStdout()
    {
        var stack = Repository.Load("stacks/Pulumi.aws.yaml");
        var config = Compilation.UserDataBudgetTests.AwsStackWithOversizedApplicationCloudConfig();
        foreach (var key in stack.SecretKeys) config[key] = Repository.Sentinel(key);

        var result = PulumiLikeRunner.RunForStack(stack.Stack, config, stack.SecretKeys);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("error: stack 'aws' has 3 config problems:\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("  use1-app-1: user-data can reach 19831 bytes once Pulumi fills in what is known only at deploy time, over AWS's limit of 16384 bytes (raw, before base64)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithAWebhookTokenOverItsMaximum_RefusesItByLengthWithoutPrintingIt()
    {
        var stack = Repository.Load("stacks/Pulumi.aws.yaml");
        var config = Repository.WithSecretSentinels(stack);
        var token = "TOKEN-" + new string('x', 300);
        config["es-dr:alertWebhookToken"] = token;

        var result = PulumiLikeRunner.RunForStack(stack.Stack, config, stack.SecretKeys);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("es-dr:alertWebhookToken: must be at most 256 bytes", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("TOKEN-", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithMalformedPulumiConfig_ExitsNonZeroWithNothingOnStdout()
    {
        var result = PulumiLikeRunner.Run(PulumiLikeRunner.DeployingShell, new Dictionary<string, string> { ["PULUMI_STACK"] = "x", ["PULUMI_CONFIG"] = "{not json" });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("PULUMI_CONFIG", result.Stderr, StringComparison.Ordinal);
    }
}
