using EsDr.Recovery.Tests.Operate;
using YamlDotNet.RepresentationModel;

namespace EsDr.Recovery.Tests;

/// <summary>The shipped workflow (<c>.github/workflows/stack.yml</c>) never applies a config check-drift has not passed.</summary>
public class CiWorkflowTests
{
    private const string CheckDrift = "./bin/es-dr-recovery check-drift --stack-file \"Pulumi.${STACK}.yaml\" --stack \"${STACK}\"";

    [Theory]
    [InlineData("preview", "preview")]
    [InlineData("up", "up")]
    public void Check_drift_runs_before_the_pulumi_step_of_the_job(string job, string command)
    {
        var steps = Steps(job);

        var check = steps.FindIndex(s => Scalar(s, "run") == CheckDrift);
        var pulumi = steps.FindIndex(s => Scalar(s, "uses")?.StartsWith("pulumi/actions@", StringComparison.Ordinal) == true
            && s.Children.TryGetValue(new YamlScalarNode("with"), out var with) && Scalar((YamlMappingNode)with, "command") == command);
        var install = steps.FindIndex(s => Scalar(s, "uses")?.StartsWith("pulumi/actions@", StringComparison.Ordinal) == true
            && !s.Children.ContainsKey(new YamlScalarNode("with")));

        Assert.True(check >= 0, $"job {job} does not run check-drift");
        Assert.True(pulumi > check, $"job {job} runs pulumi {command} before check-drift");
        // check-drift needs the pulumi CLI, and a failing step stops the job (no continue-on-error).
        Assert.InRange(install, 0, check - 1);
        Assert.False(steps[check].Children.ContainsKey(new YamlScalarNode("continue-on-error")));
    }

    private static List<YamlMappingNode> Steps(string job)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(OperatorTestbed.FindRoot(), ".github", "workflows", "stack.yml")))
            yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var jobs = (YamlMappingNode)root.Children[new YamlScalarNode("jobs")];
        var steps = (YamlSequenceNode)((YamlMappingNode)jobs.Children[new YamlScalarNode(job)]).Children[new YamlScalarNode("steps")];
        return steps.Children.Cast<YamlMappingNode>().ToList();
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;
}
