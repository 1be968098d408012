using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Execute.Pulumi;

/// <summary>
/// Recovery's <c>pulumi config set</c> and <c>pulumi up</c> read and write the stack file recovery was given, wherever
/// it lives: pulumi runs in that file's directory and, without <c>--config-file</c>, would use
/// <c>Pulumi.&lt;stack&gt;.yaml</c> beside the nearest <c>Pulumi.yaml</c> above it.
/// </summary>
public class PulumiConfigFileTests
{
    private static readonly string Root = ExampleStacks.Root;

    public static TheoryData<string> ExampleStackFiles() => [.. ExampleStacks.Files];

    [Theory]
    [MemberData(nameof(ExampleStackFiles))]
    public void Every_config_set_and_up_a_plan_runs_uses_the_example_stack_file_itself(string relative)
    {
        var stackFile = new FileInfo(Path.Combine(Root, relative));
        var checkedCommands = 0;

        foreach (var scenario in Planner.Scenarios)
        {
            RecoveryPlan plan;
            try
            {
                plan = PlanCommand.PlanFor(scenario, stackFile).Plan;
            }
            catch (ArgumentException)
            {
                continue; // a one-region stack has no standby to fail over to
            }
            foreach (var command in plan.Steps.OfType<PulumiCommand>().Where(c => c.Args[0] is "up" or "config"))
            {
                Assert.Equal(stackFile.FullName, FilePulumiUses(command.Args, stackFile.DirectoryName!));
                checkedCommands++;
            }
        }

        Assert.True(checkedCommands > 0);
    }

    [Fact]
    public void The_flag_is_left_out_only_where_pulumi_finds_the_file_itself()
    {
        var prod = Path.Combine(Root, "Pulumi.prod.yaml");

        Assert.Null(PulumiConfigFile.ArgumentFor(prod, "prod"));
        Assert.Null(PulumiConfigFile.ArgumentFor(prod, "acme/es-dr/prod"));
        Assert.Equal("Pulumi.prod.yaml", PulumiConfigFile.ArgumentFor(prod, "shop"));
        Assert.Equal("Pulumi.aws.yaml", PulumiConfigFile.ArgumentFor(Path.Combine(Root, "stacks", "Pulumi.aws.yaml"), "aws"));
    }

    /// <summary>
    /// The config file pulumi reads and writes for these arguments when run in <paramref name="workingDirectory"/>:
    /// the <c>--config-file</c> (relative to it), else <c>Pulumi.&lt;stack&gt;.yaml</c> beside the first
    /// <c>Pulumi.yaml</c> found walking up (pkg/cmd/pulumi/stack/io.go <c>LoadProjectStack</c>).
    /// </summary>
    private static string FilePulumiUses(IReadOnlyList<string> args, string workingDirectory)
    {
        string? Flag(string name) => PulumiArgs.Values(args, name) is [var value, ..] ? value : null;
        if (Flag("--config-file") is { } file) return Path.GetFullPath(file, workingDirectory);
        var project = new DirectoryInfo(workingDirectory);
        while (!File.Exists(Path.Combine(project.FullName, "Pulumi.yaml"))) project = project.Parent!;
        return Path.Combine(project.FullName, $"Pulumi.{Flag("--stack")}.yaml");
    }
}
