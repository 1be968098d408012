using System.Text.Json;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>
/// The Native AOT compiler Pulumi runs and the JIT build of the same sources give the same bytes on stdout and
/// stderr and the same exit code, for every example stack and every command, and for invalid input: trimming or
/// ahead-of-time compilation must change nothing a user or Pulumi can see.
/// </summary>
public class NativeCompilerTests
{
    public static TheoryData<string, string> StacksAndCommands()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Repository.StackFiles())
        {
            foreach (var command in new[] { "program", "emit", "show", "show --json --files" }) data.Add(file, command);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StacksAndCommands))]
    public void NativeAndJit_EveryExampleStack_GiveIdenticalOutputAndExitCode(string file, string command)
    {
        var words = command.Split(' ');
        var stack = Repository.Load(file);
        // `program` reads the stack as Pulumi passes it; `emit` and `show` read the file named after the command.
        string[] args = command == "program" ? ["program"] : [words[0], file, .. words[1..]];
        var environment = command == "program" ? RunEnvironment(stack.Stack, Repository.WithSecretSentinels(stack)) : [];

        AssertSameBehaviour(args, environment, expectedExit: 0);
    }

    [Fact]
    public void NativeAndJit_PluginListCall_GiveIdenticalProviderPackages()
    {
        AssertSameBehaviour(["program"], PulumiLikeRunner.DeployingShell.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), expectedExit: 0);
    }

    [Fact]
    public void NativeAndJit_InvalidConfig_ExitOneWithIdenticalErrors()
    {
        var config = TestConfig.TwoRegions().With("regions", "[1].elasticsearch.nodes", 4);

        var native = AssertSameBehaviour(["program"], RunEnvironment("broken", config), expectedExit: 1);

        Assert.Contains("es-dr:regions[1].elasticsearch.nodes: must be an odd number of at least 3, got 4", native.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeAndJit_MalformedPulumiConfig_ExitOneWithIdenticalErrors()
    {
        var environment = new Dictionary<string, string?> { ["PULUMI_STACK"] = "x", ["PULUMI_CONFIG"] = "{\"es-dr:regions\": [1, " };

        AssertSameBehaviour(["program"], environment, expectedExit: 1);
    }

    [Fact]
    public void NativeAndJit_HostileStackFile_ExitOneWithIdenticalErrors()
    {
        var file = Path.Combine(Path.GetTempPath(), $"Pulumi.hostile-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "config:\n  es-dr:namePrefix: &a [*a]\n  es-dr:namePrefix: twice\n  es-dr:tags: {\"\\u0007\": x}\n");
        try
        {
            AssertSameBehaviour(["show", file], new Dictionary<string, string?>(), expectedExit: 1);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void NativeAndJit_MissingStackFile_ExitFourWithIdenticalErrors()
    {
        AssertSameBehaviour(["emit", "stacks/Pulumi.no-such-stack.yaml"], new Dictionary<string, string?>(), expectedExit: 4);
    }

    private static Dictionary<string, string?> RunEnvironment(string stack, IReadOnlyDictionary<string, string> config) => new()
    {
        ["PULUMI_STACK"] = stack,
        ["PULUMI_PROJECT"] = TestConfig.Project,
        ["PULUMI_ORGANIZATION"] = "organization",
        ["PULUMI_CONFIG"] = JsonSerializer.Serialize(config),
        ["PULUMI_ROOT_DIRECTORY"] = Repository.Root,
    };

    private static CompilerBuilds.Result AssertSameBehaviour(string[] args, IReadOnlyDictionary<string, string?> environment, int expectedExit)
    {
        var native = CompilerBuilds.RunNative(args, environment);
        var jit = CompilerBuilds.RunJit(args, environment);

        Assert.True(native.ExitCode == expectedExit, $"native exit {native.ExitCode}, expected {expectedExit}:\n{native.Stderr}");
        Assert.Equal(jit.ExitCode, native.ExitCode);
        Assert.Equal(jit.Stdout, native.Stdout);
        Assert.Equal(jit.Stderr, native.Stderr);
        return native;
    }
}
